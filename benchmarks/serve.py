"""The web application under load: story list and story page latency, p50 / p99.

    python benchmarks/serve.py [--articles 100000] [--clients 50] [--seconds 20] [--store DIR]

A store of ``--articles`` real articles: the ML-Crisis documents (fr/es/it)
analysed once, then copied by SQL under new ids and dates, a week apart per
copy, with their stories, storylines, vectors, reuse pairs and search rows
(analysing 100k articles would take hours). ``recoupe serve`` runs in its
own process; ``--clients`` concurrent clients on loopback each ask, in a
closed loop, for a random page of the story list (``/api/stories``), a
random story's page (``/stories/{id}``, HTML), or, as the peer measured in
the same run, the stylesheet (``/static/app.css``: what the server costs
with nothing to compute). Medians and 99th percentiles per kind of request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from common import documents, machine, percentile

from recoupe import analyze
from recoupe.config import Config


def build_store(root: Path, articles: int) -> Path:
    db = root / "serve.db"
    if db.exists():
        return db
    docs = documents()
    path = root / "docs.jsonl"
    path.write_text("\n".join(json.dumps(
        {"id": d["doc_id"], "text": d["text"], "published": d["pub_date"], "language": d["lang"]},
        ensure_ascii=False) for d in docs), encoding="utf-8")
    config = Config()
    config.store.path = str(db)
    analyze(path, config=config)
    import sqlite3

    conn = sqlite3.connect(db)
    base = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    copies = max(0, -(-articles // base) - 1)
    conn.execute("BEGIN")
    for k in range(1, copies + 1):
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
    conn.close()
    return db


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _load(base: str, clients: int, seconds: float, story_ids: list[str], total: int
                ) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"list": [], "story": [], "static": []}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        stop = time.perf_counter() + seconds
        rng = random.Random(5)

        async def worker() -> None:
            while time.perf_counter() < stop:
                kind = rng.choice(("list", "story", "static"))
                if kind == "list":
                    url = f"/api/stories?offset={rng.randrange(0, max(total - 20, 1))}&limit=20"
                elif kind == "story":
                    url = f"/stories/{rng.choice(story_ids)}"
                else:
                    url = "/static/app.css"
                started = time.perf_counter()
                response = await client.get(url)
                elapsed = time.perf_counter() - started
                response.raise_for_status()
                times[kind].append(elapsed)

        await asyncio.gather(*(worker() for _ in range(clients)))
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--store", type=Path, help="keep the built store here and reuse it")
    args = parser.parse_args()
    print(machine(), flush=True)
    with tempfile.TemporaryDirectory(prefix="recoupe-bench-") as tmp:
        root = args.store or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        db = build_store(root, args.articles)
        import sqlite3

        conn = sqlite3.connect(db)
        n = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        stories = [r[0] for r in conn.execute("SELECT id FROM stories")]
        conn.close()
        print(f"store: {n} articles, {len(stories)} stories ({time.perf_counter() - started:.0f} s)",
              flush=True)
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "recoupe", "serve", "--db", str(db), "--port", str(port),
             "--threads", str(args.threads), "-q"])
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(base + "/static/app.css", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    sys.exit("the server did not start")
                time.sleep(0.3)
            # The story pages readers open: 200 (the cache keeps 256), each computed on first view.
            picked = random.Random(3).sample(stories, min(200, len(stories)))
            asyncio.run(_load(base, args.clients, 5, picked, len(stories)))  # warm up
            times = asyncio.run(_load(base, args.clients, args.seconds, picked, len(stories)))
        finally:
            server.terminate()
            server.wait(timeout=30)
    for kind, label in (("list", "story list (/api/stories, a random page of 20)"),
                        ("story", "story page (/stories/{id}, HTML)"),
                        ("static", "peer: the stylesheet (/static/app.css)")):
        t = times[kind]
        print(f"{label}: {len(t)} requests, p50 {1000 * percentile(t, 0.5):.1f} ms, "
              f"p99 {1000 * percentile(t, 0.99):.1f} ms", flush=True)
    done = sum(len(t) for t in times.values())
    print(f"{args.clients} clients, {args.seconds:.0f} s: {done / args.seconds:.0f} requests/s",
          flush=True)


if __name__ == "__main__":
    main()
