"""Temporal expressions: extraction + normalisation throughput, against dateparser.

    python benchmarks/time.py [--sentences 20000] [--runs 3] [--workers 2]

Sentences: the French ML-Crisis articles split on sentence ends (real news
prose, most sentences without a date). recoupe: ``extract_times`` per
sentence, anchored on the article's publication date, in ``--workers``
processes of recoupe's executor. dateparser 1.5 ``search_dates`` (the issue's
named baseline) over the first ``--peer`` sentences in one process; the
ratio compares sentences/s per process.
"""

from __future__ import annotations

import argparse
import re

from common import PeakRSS, documents, machine, median, timer

from recoupe.eval.time import dateparser_times
from recoupe.execute import LocalExecutor
from recoupe.nlp.time import extract_times

_SPLIT = re.compile(r"(?<=[.!?»])\s+|\n+")
_CHUNK = 500


def sentences(n: int) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    while len(out) < n:
        before = len(out)
        for doc in documents("fr"):
            out += [(s, doc["pub_date"]) for s in _SPLIT.split(doc["text"]) if len(s.split()) >= 3]
            if len(out) >= n:
                break
        if len(out) == before:
            raise SystemExit("no French documents")
    return out[:n]


def _extract(chunk: list[tuple[str, str]]) -> int:
    return sum(len(extract_times(text, anchor)) for text, anchor in chunk)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=20_000)
    parser.add_argument("--peer", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    items = sentences(args.sentences)
    chunks = [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]
    ours, one, peer, found = [], [], [], 0
    for run in range(args.runs):
        with PeakRSS() as rss, timer() as elapsed, LocalExecutor(args.workers) as pool:
            found = sum(pool.map(_extract, chunks))
        ours.append(len(items) / elapsed())
        with timer() as elapsed:
            _extract(items[: args.peer])
        one.append(args.peer / elapsed())
        with timer() as elapsed:
            for text, anchor in items[: args.peer]:
                dateparser_times(text, anchor, "fr")
        peer.append(args.peer / elapsed())
        print(f"run {run + 1}: recoupe {ours[-1]:,.0f} sentences/s ({args.workers} workers), "
              f"{one[-1]:,.0f} in one process; dateparser {peer[-1]:,.0f}", flush=True)
    print(f"\nmachine: {machine()}; {len(items):,} French sentences, {found:,} expressions, "
          f"{args.runs} runs; peak RSS {rss.peak / 2**20:,.0f} MiB")
    print("| measure | recoupe | dateparser |")
    print("|---|---|---|")
    print(f"| sentences/s, {args.workers} workers (median) | {median(ours):,.0f} | — |")
    print(f"| sentences/s, one process, first {args.peer:,} (median) | {median(one):,.0f} | "
          f"{median(peer):,.0f} |")
    print(f"| ratio recoupe / dateparser, one process | {median(one) / median(peer):.0f}× | 1× |")


if __name__ == "__main__":
    main()
