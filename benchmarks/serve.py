"""The web application under load: story list and story page latency, p50 / p99.

    python benchmarks/serve.py [--articles 100000] [--clients 50] [--seconds 20] [--runs 3]
                               [--workers 2] [--threads 2] [--store DIR]

The store: ``--articles`` real articles. The ML-Crisis documents (fr/es/it)
are analysed once, then copied by SQL under new ids and dates, a week apart
per copy, with their stories, storylines, vectors, reuse pairs and search
rows (analysing 100k articles would take hours). The copy is kept in
``--store`` when given.

``recoupe serve`` runs in its own processes. The load is wrk (Debian's
``wrk``, C, so that the load generator takes as little of the 2 cores as it
can): ``--clients`` connections on loopback in a closed loop, each request a
random one of a kind's paths, one kind at a time:
- a random page of 20 of the story list (``/api/stories?offset=…``);
- the same, filtered by language;
- a story page (``/stories/{id}``, HTML) of 200 stories, viewed before (first views are
  measured apart, one client, as they are computed);
- the peer, measured in the same run: the stylesheet (``/static/app.css``,
  the server with nothing to compute).
Medians over ``--runs`` of each kind's p50 and p99, and of p99 / the peer's p99.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from common import documents, machine, percentile

from recoupe import analyze
from recoupe.config import Config
from recoupe.store.sqlite import SQLiteStore


def build_store(root: Path, articles: int) -> Path:
    db = root / f"serve-{articles}.db"
    if db.exists():
        return db
    base_db = root / "base.db"
    if not base_db.exists():
        docs = documents()
        path = root / "docs.jsonl"
        path.write_text("\n".join(json.dumps(
            {"id": d["doc_id"], "text": d["text"], "published": d["pub_date"],
             "language": d["lang"]}, ensure_ascii=False) for d in docs), encoding="utf-8")
        config = Config()
        config.store.path = str(base_db)
        analyze(path, config=config)
    conn = sqlite3.connect(base_db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    partial = db.with_suffix(".partial")
    shutil.copyfile(base_db, partial)
    conn = sqlite3.connect(partial, isolation_level=None)
    # A throwaway file built in one go: no journal, no fsync (a crash means building it again).
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    base = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    copies = max(0, -(-articles // base) - 1)
    started = time.perf_counter()
    for k in range(1, copies + 1):
        conn.execute("BEGIN")
        tag, shift = f"~{k:04d}", f"+{7 * k} days"
        conn.execute(
            "INSERT INTO articles(id, external_id, path, url, source, title, language, "
            "published_date, published_granularity, published_basis, input_format, raw_text, "
            "payload) SELECT id || ?1, external_id || ?1, path, url, source, title, language, "
            "date(published_date, ?2), published_granularity, published_basis, input_format, "
            "'', json_set(payload, '$.id', id || ?1) FROM articles WHERE id NOT LIKE '%~%' "
            "ORDER BY seq", (tag, shift))
        conn.execute(
            "INSERT INTO article_search(rowid, title, text) SELECT a.seq, s.title, s.text "
            "FROM articles a JOIN articles o ON o.id || ?1 = a.id "
            "JOIN article_search s ON s.rowid = o.seq", (tag,))
        conn.execute(
            "INSERT INTO storylines(id, title) SELECT id || ?1, title FROM storylines "
            "WHERE id NOT LIKE '%~%'", (tag,))
        conn.execute(
            "INSERT INTO stories(id, headline, date, date_granularity, centroid, vector, storyline) "
            "SELECT id || ?1, headline, date(date, ?2), date_granularity, centroid, vector, "
            "storyline || ?1 FROM stories WHERE id NOT LIKE '%~%'", (tag, shift))
        conn.execute(
            "INSERT INTO story_articles(article_id, story_id) SELECT article_id || ?1, "
            "story_id || ?1 FROM story_articles WHERE article_id NOT LIKE '%~%'", (tag,))
        conn.execute(
            "INSERT INTO article_vectors(article_id, key, day, first_day, last_day, dim, lead, "
            "doc, sentences) SELECT v.article_id || ?1, a.seq, date(v.day, ?2), "
            "date(v.first_day, ?2), date(v.last_day, ?2), v.dim, v.lead, v.doc, v.sentences "
            "FROM article_vectors v JOIN articles a ON a.id = v.article_id || ?1 "
            "WHERE v.article_id NOT LIKE '%~%'", (tag, shift))
        conn.execute(
            "INSERT INTO reuse_pairs(a, b, kind, similarity, reason, spans) SELECT a || ?1, "
            "b || ?1, kind, similarity, reason, spans FROM reuse_pairs WHERE a NOT LIKE '%~%'",
            (tag,))
        conn.execute(
            "INSERT INTO article_names(article_id, key, name, n) SELECT article_id || ?1, key, "
            "name, n FROM article_names WHERE article_id NOT LIKE '%~%'", (tag,))
        conn.execute("COMMIT")
        if k % 10 == 0 or k == copies:
            print(f"  copy {k}/{copies} ({time.perf_counter() - started:.0f} s)", flush=True)
    conn.close()
    partial.rename(db)
    _save_graphs(db)
    return db


def _save_graphs(db: Path) -> None:
    """Build the vector graphs the copies lack and save them, as ``analyze`` would: the web
    server only reads the store, and rebuilds in its memory a graph it finds missing."""
    store = SQLiteStore(db)
    try:
        probe = np.zeros(512, dtype=np.float32)
        probe[0] = 1.0
        store.search_vectors(probe, 1, 0)  # every day's graph
        first, last = store.conn.execute("SELECT MIN(date), MAX(date) FROM stories").fetchone()
        if first:
            store.nearest_stories(probe, first, last, 1)  # every month's story graph
    finally:
        store.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _first_views(base: str, story_ids: list[str]) -> list[float]:
    """Each story page requested once, one at a time: what computing a page costs."""
    times = []
    with httpx.Client(base_url=base, timeout=120) as client:
        for story_id in story_ids:
            started = time.perf_counter()
            client.get(f"/stories/{story_id}").raise_for_status()
            times.append(time.perf_counter() - started)
    return times


def _wrk(base: str, paths: list[str], clients: int, seconds: float, root: Path
         ) -> tuple[int, int, float, float, float]:
    """wrk, closed loop, ``clients`` connections on 2 threads, each request a random one of
    ``paths``: (requests, errors, p50 ms, p99 ms, max ms)."""
    listing = root / "paths.txt"
    listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
    out = subprocess.run(
        ["wrk", "-t2", f"-c{clients}", f"-d{seconds:.0f}s", "--timeout", "30s",
         "-s", str(Path(__file__).with_name("serve_paths.lua")), base],
        env={**os.environ, "RECOUPE_PATHS": str(listing)}, capture_output=True, text=True,
        check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    n, errors, _duration, p50, p99, worst = line.split()[1:]
    return int(n), int(errors), float(p50), float(p99), float(worst)


def _search(db: Path) -> None:
    """Search (full text + meaning, fused), in this process: the first query of a
    connection loads the vector graphs it reads, the next ones reuse them."""
    from recoupe.serve.library import Library

    for days in (0, 31):
        config = Config()
        config.store.path = str(db)
        config.serve.search_days = days
        library = Library(config)
        times = []
        for query in ("pétrole Libye", "manifestations au Caire", "Kadhafi bombardements"):
            started = time.perf_counter()
            library.search(query)
            times.append(time.perf_counter() - started)
        library.close()
        print(f"search, [serve] search_days = {days}: first query {times[0]:.2f} s, next ones "
              + ", ".join(f"{t:.2f} s" for t in times[1:]), flush=True)


def _wait_for(base: str) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(base + "/static/app.css", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            sys.exit("the server did not start")
        time.sleep(0.3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="request threads per process")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--store", type=Path, help="keep the built store here and reuse it")
    parser.add_argument("--search", action="store_true",
                        help="time search queries instead of the load")
    args = parser.parse_args()
    if shutil.which("wrk") is None and not args.search:
        sys.exit("benchmarks/serve.py needs wrk (Debian: apt-get install wrk)")
    print(machine(), flush=True)
    with tempfile.TemporaryDirectory(prefix="recoupe-bench-") as tmp:
        root = args.store or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        db = build_store(root, args.articles)
        if args.search:
            _search(db)
            return
        conn = sqlite3.connect(db)
        n = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        stories = [r[0] for r in conn.execute("SELECT id FROM stories ORDER BY seq")]
        per_language = dict(conn.execute(
            "SELECT a.language, COUNT(DISTINCT sa.story_id) FROM story_articles sa "
            "JOIN articles a ON a.id = sa.article_id GROUP BY a.language"))
        conn.close()
        print(f"store: {n} articles, {len(stories)} stories ({time.perf_counter() - started:.0f} s)"
              f"; server: {args.workers} processes x {args.threads} threads; load: wrk, "
              f"{args.clients} connections, {args.seconds:.0f} s per kind", flush=True)
        rng = random.Random(3)
        # The story pages readers open: 200 (each process caches 256), computed on first view.
        picked = rng.sample(stories, min(200, len(stories)))
        paths = {
            "list": [f"/api/stories?offset={rng.randrange(max(len(stories) - 20, 1))}&limit=20"
                     for _ in range(2000)],
            "language": [f"/api/stories?language={lang}&offset={rng.randrange(max(k - 20, 1))}"
                         f"&limit=20" for lang, k in per_language.items() if lang
                         for _ in range(700)],
            "story": [f"/stories/{s}" for s in picked],
            "static": ["/static/app.css"],
        }
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "recoupe", "serve", "--db", str(db), "--port", str(port),
             "--threads", str(args.threads), "--workers", str(args.workers), "-q"])
        results: dict[str, list[tuple[int, int, float, float, float]]] = {k: [] for k in paths}
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for(base)
            first = _first_views(base, picked)  # one connection: all in one process
            for kind, kind_paths in paths.items():
                # Warm up; long enough on story pages for every process to compute each one.
                _wrk(base, kind_paths, args.clients, 15 if kind == "story" else 3, root)
            for _ in range(args.runs):  # kinds interleaved: a noisy minute hits them all
                for kind, kind_paths in paths.items():
                    results[kind].append(_wrk(base, kind_paths, args.clients, args.seconds, root))
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"story page, first view (computed; one client): {len(first)} pages, "
          f"p50 {1000 * percentile(first, 0.5):.1f} ms, p99 {1000 * percentile(first, 0.99):.1f} ms",
          flush=True)
    labels = {"list": "story list (/api/stories, a random page of 20)",
              "language": "story list filtered by language (a random page of 20)",
              "story": "story page (/stories/{id}, HTML, viewed before)",
              "static": "peer: the stylesheet (/static/app.css)"}
    peer = results["static"]
    print(f"medians of {args.runs} runs of {args.seconds:.0f} s; ratio: p99 / the peer's p99 "
          "in the same run", flush=True)
    for kind, runs in results.items():
        rate = statistics.median(r[0] / args.seconds for r in runs)
        p50 = statistics.median(r[2] for r in runs)
        p99 = statistics.median(r[3] for r in runs)
        ratio = statistics.median(r[3] / q[3] for r, q in zip(runs, peer, strict=True))
        errors = sum(r[1] for r in runs)
        print(f"{labels[kind]}: {rate:.0f} requests/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms "
              f"({ratio:.2f}x the peer), max {max(r[4] for r in runs):.0f} ms, "
              f"{errors} errors", flush=True)


if __name__ == "__main__":
    main()
