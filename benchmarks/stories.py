"""Stories: end-to-end throughput with embeddings, clustering throughput, add-one at 1M.

    python benchmarks/stories.py [--parts e2e,cluster,addone] [--cluster 100000]
                                 [--store 1000000] [--adds 60]

e2e      ``analyze`` on the ML-Crisis articles (fr/es/it, real news) with the
         default pipeline, against the same pipeline without the ``embed``
         stage in the same run: the cost of the representation.
cluster  ``StoryGrouper.add`` alone, in batches of 2,000, over ``--cluster``
         articles whose vectors are the real ones of e2e with noise and
         publication days spread over 200 days (the store grows from empty
         to ``--cluster``); articles are written to the store before the
         clock starts, as ``analyze`` does. Peak RSS of the whole run. The
         first size runs twice: with the linker off too, as the peer.
addone   a store of ``--store`` synthetic articles (random vectors, 10,000
         per day) loaded in bulk by SQL, then ``--adds`` articles added one
         at a time (``save_article`` + ``StoryGrouper.add``); p50 and p95,
         against the same on a 1,000-article store in the same run.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from common import PeakRSS, documents, machine, median, percentile, timer

from recoupe import analyze
from recoupe.config import Config, StoreConfig
from recoupe.model import Article, Embedding, PublishedDate, article_payload
from recoupe.nlp.embed import unit
from recoupe.store import open_store
from recoupe.store.sqlite import SQLiteStore
from recoupe.stories import StoryGrouper

_DAY0 = date(2024, 1, 1)


def _records(path: Path) -> int:
    docs = documents()
    with path.open("w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps({"id": d["doc_id"], "text": d["text"], "published": d["pub_date"],
                                "language": d["lang"]}, ensure_ascii=False) + "\n")
    return len(docs)


def e2e(tmp: Path) -> list[Embedding]:
    path = tmp / "docs.jsonl"
    n = _records(path)
    out = {}
    for name, drop in (("with embed", False), ("without embed", True)):
        config = Config()
        if drop:
            config.pipeline.stages = [s for s in config.pipeline.stages if s != "embed"]
        config.store.path = str(tmp / f"e2e-{int(drop)}.db")
        with PeakRSS() as rss, timer() as took:
            analyze(path, config=config)
        out[name] = (n / took(), rss.peak)
        print(f"e2e {name}: {n} articles, {n / took():.1f} articles/s, "
              f"peak RSS {rss.peak / 2**20:.0f} MiB", flush=True)
    ratio = out["without embed"][0] / out["with embed"][0]
    print(f"e2e: the embed stage costs {ratio:.2f}x in time (same run)")
    store = SQLiteStore(tmp / "e2e-0.db")
    ids = [r[0] for r in store.conn.execute("SELECT article_id FROM article_vectors")]
    embeddings = list(store.embeddings(ids).values())
    store.close()
    return embeddings


def _synthetic(base: list[Embedding], start: int, count: int, n: int, days: int,
               rng: np.random.Generator) -> list[Article]:
    """Articles ``start`` .. ``start + count`` of ``n``: real vectors with noise, days spread."""
    out = []
    for i in range(start, start + count):
        src = base[i % len(base)]
        noise = rng.normal(0, 0.02, size=src.sentences.shape).astype(np.float32)
        rows = src.sentences + noise
        rows /= np.linalg.norm(rows, axis=1, keepdims=True)
        day = (_DAY0 + timedelta(days=(i * days) // n)).isoformat()
        out.append(Article(
            id=f"{i:015x}c0000", raw_text="x", text="x", title=f"article {i}", language="fr",
            published=PublishedDate(day, "day", "input"),
            embedding=Embedding(doc=unit(rows.mean(axis=0)), sentences=rows, lead=src.lead),
        ))
    return out


def cluster(tmp: Path, base: list[Embedding], n: int, linker: str = "shipped") -> None:
    rng = np.random.default_rng(7)
    store = open_store(StoreConfig(path=str(tmp / f"cluster-{n}-{linker}.db")))
    stories_config = Config().stories
    stories_config.linker = linker
    grouper = StoryGrouper(store, stories_config)
    spent = 0.0
    rates = []
    with PeakRSS() as rss:
        for i in range(0, n, 2000):
            batch = _synthetic(base, i, min(2000, n - i), n, 200, rng)
            for a in batch:
                store.save_article(a)
            started = time.perf_counter()
            grouper.add(batch)
            took = time.perf_counter() - started
            spent += took
            rates.append(len(batch) / took)
    stories = store.conn.execute("SELECT COUNT(*) FROM stories").fetchone()[0]  # type: ignore[attr-defined]
    store.close()
    print(f"cluster, linker {linker}: {n} articles ({n // 200} per day) in {spent:.1f} s of grouping = "
          f"{n / spent:.0f} articles/s overall, median batch {median(rates):.0f} articles/s "
          f"(first {rates[0]:.0f}, last {rates[-1]:.0f}), {stories} stories, "
          f"peak RSS {rss.peak / 2**20:.0f} MiB", flush=True)


def _centres(dim: int) -> np.ndarray:
    """2,000 topics: synthetic articles cluster like news does, so searches find neighbours."""
    centres = np.random.default_rng(3).normal(size=(2000, dim)).astype(np.float32)
    return centres / np.linalg.norm(centres, axis=1, keepdims=True)


def _topical(centres: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` unit vectors around random ``centres`` (two of one topic: cosine about 0.6)."""
    picks = centres[rng.integers(0, len(centres), size=n)]
    out = picks + rng.normal(0, 0.036, size=picks.shape).astype(np.float32)
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def _bulk_store(path: Path, n: int, per_day: int, dim: int, rng: np.random.Generator
                ) -> SQLiteStore:
    """A store of ``n`` synthetic articles, written by SQL (saving them one by one would take hours)."""
    store = SQLiteStore(path)
    centres = _centres(dim)
    template = Article(id="ID", raw_text="x", text="x", title="t", language="fr",
                       published=PublishedDate("DAY", "day", "input"))
    payload = article_payload(template)
    db = store.conn
    db.execute("BEGIN")
    for start in range(0, n, 10_000):
        rows, vecs, members, stories = [], [], [], []
        docs = _topical(centres, min(10_000, n - start), rng)
        for k, doc in enumerate(docs):
            i = start + k
            aid = f"{i:015x}00000"
            day = (_DAY0 + timedelta(days=i // per_day)).isoformat()
            rows.append((i + 1, aid, "x", payload.replace('"ID"', f'"{aid}"').replace(
                '"DAY"', f'"{day}"'), day))
            lines = _topical(doc[None, :], 4, rng)
            sentences = np.clip(np.rint(lines * 127), -127, 127).astype(np.int8)
            vecs.append((aid, i + 1, day, day, day, dim, 3, doc.tobytes(), sentences.tobytes()))
            sid = f"s{(i - i % 3):015x}"
            if i % 3 == 0:
                stories.append((sid, day, doc.tobytes()))
            members.append((aid, sid))
        db.executemany(
            "INSERT INTO articles(seq, id, input_format, raw_text, payload, published_date, "
            "published_granularity, published_basis) VALUES (?,?,'text',?,?,?,'day','input')",
            rows)
        db.executemany(
            "INSERT INTO article_vectors(article_id, key, day, first_day, last_day, dim, lead, "
            "doc, sentences) VALUES (?,?,?,?,?,?,?,?,?)", vecs)
        db.executemany(
            "INSERT INTO stories(id, date, date_granularity, centroid, vector) "
            "VALUES (?,?,'day','{}',?)", stories)
        db.executemany("INSERT INTO story_articles(article_id, story_id) VALUES (?,?)", members)
    db.execute("COMMIT")
    return store


def _adds(store: SQLiteStore, n_stored: int, per_day: int, adds: int, dim: int,
          rng: np.random.Generator) -> list[float]:
    grouper = StoryGrouper(store, Config().stories)
    last_day = _DAY0 + timedelta(days=(n_stored - 1) // per_day)
    times = []
    centres = _centres(dim)
    for j in range(adds + 3):
        rows = _topical(_topical(centres, 1, rng), 6, rng)
        article = Article(
            id=f"{j:015x}e0000", raw_text="x", text="x", title=f"new {j}", language="fr",
            published=PublishedDate((last_day - timedelta(days=j % 3)).isoformat(), "day",
                                    "input"),
            embedding=Embedding(doc=unit(rows.mean(axis=0)), sentences=rows, lead=3),
        )
        started = time.perf_counter()
        store.save_article(article)
        grouper.add([article])
        if j >= 3:  # the first adds load the graphs of the window and storyline gap
            times.append(time.perf_counter() - started)
    return times


def addone(tmp: Path, n: int, adds: int) -> None:
    rng = np.random.default_rng(11)
    dim, per_day = 512, 10_000
    for size in (1_000, 50_000, n):
        path = tmp / f"addone-{size}.db"
        with timer() as took:
            store = _bulk_store(path, size, per_day, dim, rng)
        loaded = took()
        with timer() as took:
            index = store._index(dim)  # build every day's graph, as a long-lived store has them
            for day in range((size - 1) // per_day + 1):
                index.search(np.ones(dim, np.float32), [(_DAY0 + timedelta(days=day)).isoformat()],
                             1)
            store.flush()
        print(f"addone: {size} articles stored by SQL in {loaded:.0f} s, index built in "
              f"{took():.0f} s", flush=True)
        store.close()
        store = SQLiteStore(path)
        times = sorted(_adds(store, size, per_day, adds, dim, rng))
        store.close()
        p50 = median(times) * 1000
        p95 = percentile(times, 0.95) * 1000
        print(f"addone: store of {size}: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
              f"({len(times)} adds)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parts", default="e2e,cluster,addone")
    parser.add_argument("--cluster", default="10000,100000",
                        help="store sizes for the clustering part, comma-separated")
    parser.add_argument("--store", type=int, default=1_000_000)
    parser.add_argument("--adds", type=int, default=60)
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    print(machine())
    random.seed(5)
    with tempfile.TemporaryDirectory(prefix="recoupe-bench-") as name:
        tmp = Path(name)
        base: list[Embedding] = []
        if parts & {"e2e", "cluster"}:
            base = e2e(tmp)
        if "cluster" in parts:
            sizes = [int(x) for x in args.cluster.split(",")]
            # The peer: the same articles without the learned linker (the best match against
            # ``join``), at the first size.
            cluster(tmp, base, sizes[0], "off")
            for size in sizes:
                cluster(tmp, base, size)
        if "addone" in parts:
            addone(tmp, args.store, args.adds)


if __name__ == "__main__":
    main()
