"""Stores and executors side by side: PostgreSQL against SQLite, Ray against one node.

    python benchmarks/backends.py [--parts ingest,addone,search,ray] [--articles 2000]
                                  [--store 100000] [--adds 40] [--searches 200]

analyze  ``recoupe analyze`` of ``--documents`` ML-Crisis pages (fr/es/it, as they come)
         into SQLite and into PostgreSQL, the local executor on both: articles per second
         end to end, and the ratio (what a user sees of the store's cost).
ingest   ``save_article`` of ``--articles`` synthetic articles (512-d topical vectors,
         8 sentence vectors, 3,000 characters of text, 40 terms, 12 names), 64 per
         transaction as ``analyze`` commits them, into a fresh SQLite store and a fresh
         PostgreSQL database; 3 runs each, alternated; medians and their ratio.
addone   a store of ``--store`` synthetic articles (10,000 per day, a story per three)
         loaded in bulk (SQL for SQLite, COPY for PostgreSQL, then the indexes built),
         then ``--adds`` articles added one at a time (``save_article`` +
         ``StoryGrouper.add``): p50 and p95 on each store, in the same run.
search   ``search_vectors`` over the whole archive of that store (the API's semantic
         search): ``--searches`` queries near the stored topics, p50 and p99 per store.
ray      ``run_batch`` (the whole pipeline) over ML-Crisis articles in batches of 8 on a
         Ray cluster of one node of one CPU, then two nodes of one CPU each, in a network
         namespace that has only loopback; articles per second and the ratio.

PostgreSQL is the tests' server (``tests/servers.py``), started here on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import stories as stories_bench
from common import documents, machine, median, percentile

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from recoupe.config import Config, StoreConfig
from recoupe.model import Article, Embedding, Mention, PublishedDate, article_payload
from recoupe.nlp.canonical import fold
from recoupe.nlp.embed import unit
from recoupe.store import open_store
from recoupe.store.postgres import PostgresStore
from tests.servers import PostgresServer, start_postgres

_DAY0 = date(2024, 1, 1)
_DIM = 512
_PER_DAY = 10_000


def _centres() -> np.ndarray:
    return stories_bench._centres(_DIM)


_topical = stories_bench._topical


def _texts() -> list[str]:
    try:
        return [d["text"][:3000] for d in documents("fr")[:200]]
    except SystemExit:
        return ["Texte d'un article de presse. " * 100]


def _article(i: int, text: str, rng: np.random.Generator, centres: np.ndarray) -> Article:
    rows = _topical(_topical(centres, 1, rng), 8, rng)
    words = text.split()
    names = [Mention(0, 5, w, "PER", 0, f"PER:{fold(w)}") for w in words[:12]]
    return Article(id=f"b{i:08d}", raw_text=text, text=text, title=f"Article {i}",
                   language="fr", source=f"site{i % 50}.fr",
                   published=PublishedDate((_DAY0 + timedelta(days=i // 500)).isoformat(),
                                           "day", "input"),
                   terms={fold(w): 1 for w in words[:40]}, mentions=names,
                   embedding=Embedding(doc=unit(rows.mean(axis=0)), sentences=rows, lead=3))


def ingest(server: PostgresServer, tmp: Path, n: int) -> None:
    rng = np.random.default_rng(7)
    centres, texts = _centres(), _texts()
    articles = [_article(i, texts[i % len(texts)], rng, centres) for i in range(n)]
    rates: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
    for run in range(3):
        for kind in rates:
            config = (StoreConfig(path=str(tmp / f"ingest-{run}.db")) if kind == "sqlite"
                      else StoreConfig(type="postgresql", url=server.database()))
            store = open_store(config)
            started = time.perf_counter()
            for k in range(0, n, 64):
                with store.batch():
                    for a in articles[k : k + 64]:
                        store.save_article(a)
                    store.await_grouping(a.id for a in articles[k : k + 64])
            store.flush()
            rates[kind].append(n / (time.perf_counter() - started))
            store.close()
    sq, pg = median(rates["sqlite"]), median(rates["postgresql"])
    print(f"ingest: {n} articles, 64 per transaction: SQLite {sq:.0f} articles/s, "
          f"PostgreSQL {pg:.0f} articles/s; SQLite / PostgreSQL {sq / pg:.2f}x "
          f"(target <= 1.3x)", flush=True)


def analyze_e2e(server: PostgresServer, tmp: Path, n: int) -> None:
    import json

    from recoupe import analyze

    docs = documents()[:n]
    path = tmp / "docs.jsonl"
    path.write_text("\n".join(json.dumps({"id": d["doc_id"], "text": d["text"],
                                          "published": d["pub_date"], "language": d["lang"]},
                                         ensure_ascii=False) for d in docs), encoding="utf-8")
    rates = {}
    for kind in ("sqlite", "postgresql"):
        config = Config()
        config.store = (StoreConfig(path=str(tmp / "e2e.db")) if kind == "sqlite"
                        else StoreConfig(type="postgresql", url=server.database()))
        started = time.perf_counter()
        report = analyze([str(path)], config=config)
        rates[kind] = len(report.articles) / (time.perf_counter() - started)
    print(f"analyze: {n} pages end to end: SQLite {rates['sqlite']:.2f} articles/s, "
          f"PostgreSQL {rates['postgresql']:.2f} articles/s; SQLite / PostgreSQL "
          f"{rates['sqlite'] / rates['postgresql']:.2f}x (target <= 1.3x)", flush=True)


def _bulk_postgres(url: str, n: int, rng: np.random.Generator) -> PostgresStore:
    """``n`` synthetic articles by COPY (one by one would take hours), then the indexes."""
    store = PostgresStore(url)
    db = store.conn
    centres = _centres()
    payload = article_payload(Article(id="ID", raw_text="x", text="x", title="t", language="fr",
                                      published=PublishedDate("DAY", "day", "input")))
    for start in range(0, n, 10_000):
        docs = _topical(centres, min(10_000, n - start), rng)
        with db.cursor() as cur:
            with cur.copy("COPY articles (seq, id, input_format, raw_text, payload, "
                          "published_date, published_granularity, published_basis, search) "
                          "FROM STDIN") as copy:
                for k in range(len(docs)):
                    i = start + k
                    aid, day = f"{i:015x}00000", (_DAY0 + timedelta(days=i // _PER_DAY)).isoformat()
                    copy.write_row((i + 1, aid, "text", b"x", payload.replace('"ID"', f'"{aid}"')
                                    .replace('"DAY"', f'"{day}"'), day, "day", "input", ""))
            with cur.copy("COPY article_vectors (article_id, key, day, first_day, last_day, dim, "
                          "lead, doc, sentences) FROM STDIN WITH (FORMAT BINARY)") as copy:
                copy.set_types(["text", "int8", "text", "text", "text", "int4", "int4", "vector",
                                "bytea"])
                for k, doc in enumerate(docs):
                    i = start + k
                    aid, day = f"{i:015x}00000", (_DAY0 + timedelta(days=i // _PER_DAY)).isoformat()
                    lines = _topical(doc[None, :], 4, rng)
                    sentences = np.clip(np.rint(lines * 127), -127, 127).astype(np.int8)
                    copy.write_row((aid, i + 1, day, day, day, _DIM, 3, doc, sentences.tobytes()))
            with cur.copy("COPY stories (id, date, date_granularity, vector) FROM STDIN "
                          "WITH (FORMAT BINARY)") as copy:
                copy.set_types(["text", "text", "text", "vector"])
                for k in range(len(docs)):
                    i = start + k
                    if i % 3:
                        continue
                    copy.write_row((f"s{i:015x}", (_DAY0 + timedelta(days=i // _PER_DAY))
                                    .isoformat(), "day", docs[k]))
            buf = io.StringIO()
            for k in range(len(docs)):
                i = start + k
                buf.write(f"{i:015x}00000\ts{(i - i % 3):015x}\n")
            buf.seek(0)
            with cur.copy("COPY story_articles (article_id, story_id) FROM STDIN") as copy:
                copy.write(buf.read())
    db.execute("SELECT setval('articles_seq_seq', %s)", (n + 1,))
    db.execute("SET maintenance_work_mem = '2GB'")
    store._vector_index("article_vectors", "doc", _DIM)
    store._vector_index("stories", "vector", _DIM)
    db.execute("ANALYZE")
    return store


def _adds(store: object, n_stored: int, adds: int, rng: np.random.Generator) -> list[float]:
    # The add-one loop of benchmarks/stories.py, on either store.
    return sorted(stories_bench._adds(store, n_stored, _PER_DAY, adds, _DIM, rng))  # type: ignore[arg-type]


def _searches(store: object, searches: int, rng: np.random.Generator) -> list[float]:
    centres = _centres()
    times = []
    for q in _topical(centres, searches + 3, rng):
        started = time.perf_counter()
        found = store.search_vectors(q, 20, 0)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - started)
        assert found
    return sorted(times[3:])


def addone_and_search(server: PostgresServer, tmp: Path, n: int, adds: int, searches: int,
                      parts: set[str]) -> None:
    for kind in ("sqlite", "postgresql"):
        rng = np.random.default_rng(11)
        started = time.perf_counter()
        if kind == "sqlite":
            store: object = stories_bench._bulk_store(tmp / "addone.db", n, _PER_DAY, _DIM, rng)
            index = store._index(_DIM)  # type: ignore[attr-defined]
            for day in range((n - 1) // _PER_DAY + 1):
                index.search(np.ones(_DIM, np.float32),
                             [(_DAY0 + timedelta(days=day)).isoformat()], 1)
        else:
            store = _bulk_postgres(server.database(), n, rng)
        print(f"{kind}: {n} articles loaded and indexed in {time.perf_counter() - started:.0f} s",
              flush=True)
        if "addone" in parts:
            times = _adds(store, n, adds, rng)
            print(f"addone: {kind}, store of {n}: p50 {median(times) * 1000:.1f} ms, "
                  f"p95 {percentile(times, 0.95) * 1000:.1f} ms ({len(times)} adds)", flush=True)
        if "search" in parts:
            times = _searches(store, searches, rng)
            print(f"search: {kind}, {n} vectors: p50 {median(times) * 1000:.1f} ms, "
                  f"p99 {percentile(times, 0.99) * 1000:.1f} ms ({len(times)} queries)",
                  flush=True)
        store.close()  # type: ignore[attr-defined]


def _ray_rate(address: str, batches: list[tuple[Config, list[Article]]]) -> float:
    from recoupe.analyze import run_batch, warm_worker
    from recoupe.execute import make_executor

    config = Config.from_mapping({"executor": {"type": "ray", "address": address}})
    with make_executor(config.executor, init=(warm_worker, (config,))) as executor:
        list(executor.map(run_batch, batches[:executor.workers]))  # models loaded everywhere
        started = time.perf_counter()
        list(executor.map(run_batch, batches))
        took = time.perf_counter() - started
    return sum(len(b) for _, b in batches) / took


def ray_scaling(n: int) -> None:
    """Inside the namespace: one node of one CPU, then two."""
    import ray
    from ray.cluster_utils import Cluster

    docs = documents("fr")[:n]
    config = Config()
    articles = [Article(id=d["doc_id"], raw_text=d["text"], input_format="text",
                        published=PublishedDate(d.get("pub_date"), "day", "input"))
                for d in docs]
    batches = [(config, articles[k : k + 8]) for k in range(0, len(articles), 8)]
    rates = {}
    for nodes in (1, 2):
        cluster = Cluster(initialize_head=True, head_node_args={
            "num_cpus": 1, "object_store_memory": 256 * 1024 * 1024})
        for _ in range(nodes - 1):
            cluster.add_node(num_cpus=1, object_store_memory=256 * 1024 * 1024)
        cluster.wait_for_nodes()
        try:
            rates[nodes] = _ray_rate(cluster.address, batches)
        finally:
            ray.shutdown()
            cluster.shutdown()
        print(f"ray: {nodes} node(s) of 1 CPU: {rates[nodes]:.2f} articles/s "
              f"({len(articles)} articles)", flush=True)
    print(f"ray: two nodes / one node {rates[2] / rates[1]:.2f}x (target >= 1.8x)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parts", default="analyze,ingest,addone,search,ray")
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--store", type=int, default=100_000)
    parser.add_argument("--adds", type=int, default=40)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--ray-articles", type=int, default=160)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if args.inside:
        ray_scaling(args.ray_articles)
        return
    print(machine(), flush=True)
    if parts & {"analyze", "ingest", "addone", "search"}:
        server = start_postgres()
        try:
            with tempfile.TemporaryDirectory(prefix="recoupe-bench-") as tmp:
                if "analyze" in parts:
                    analyze_e2e(server, Path(tmp), args.documents)
                if "ingest" in parts:
                    ingest(server, Path(tmp), args.articles)
                if parts & {"addone", "search"}:
                    addone_and_search(server, Path(tmp), args.store, args.adds, args.searches,
                                      parts)
        finally:
            server.stop()
    if "ray" in parts:
        # Ray may talk on loopback only here: a namespace where loopback is all there is.
        env = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
        subprocess.run(["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh",
                        sys.executable, __file__, "--inside",
                        "--ray-articles", str(args.ray_articles)], env=env, check=True)


if __name__ == "__main__":
    main()
