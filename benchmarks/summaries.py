"""Summaries and timelines: time per story and per 1,000 articles.

    python benchmarks/summaries.py [--runs 3]

The ML-Crisis articles (fr/es/it, real news) are analysed once into a fresh
store; then, ``--runs`` times, every story gets its summary, what each source
adds and its timeline, and every storyline its timeline (``summarize``'s
``attach``, as the report does), with the articles, vectors and reuse pairs
already read from the store. Medians. In the same run, the peer: reading
those articles, vectors and pairs from the store (what the report pays
anyway).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from common import documents, machine, median, timer

from recoupe import analyze
from recoupe.config import Config
from recoupe.store import open_store
from recoupe.summarize.attach import attach


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(machine(), flush=True)
    docs = documents()
    with tempfile.TemporaryDirectory(prefix="recoupe-bench-") as tmp:
        path = Path(tmp) / "docs.jsonl"
        path.write_text("\n".join(json.dumps(
            {"id": d["doc_id"], "text": d["text"], "published": d["pub_date"],
             "language": d["lang"]}, ensure_ascii=False) for d in docs), encoding="utf-8")
        config = Config()
        config.store.path = str(Path(tmp) / "s.db")
        analyze(path, config=config)
        store = open_store(config.store)
        reads, runs = [], []
        for _ in range(args.runs):
            with timer() as took:
                articles = store.get_articles()
                by_id = {a.id: a for a in articles}
                embeddings = store.embeddings(by_id)
                pairs = store.reuse_pairs()
                stories = store.stories()
                storylines = store.storylines()
            reads.append(took())
            with timer() as took:
                attach(stories, storylines, by_id, embeddings, pairs, config.embed)
            runs.append(took())
        store.close()
    n, s, lines = len(by_id), len(stories), len(storylines)
    t = median(runs)
    print(f"summaries: {n} articles, {s} stories, {lines} storylines; summaries + timelines "
          f"{t:.2f} s (median of {args.runs}): {1000 * t / s:.1f} ms per story, "
          f"{1000 * t / n:.2f} s per 1,000 articles; reading them from the store "
          f"{median(reads):.2f} s ({t / median(reads):.1f}x)", flush=True)


if __name__ == "__main__":
    main()
