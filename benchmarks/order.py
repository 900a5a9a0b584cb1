"""How much arrival order changes stories: the 268 labelled ML-Crisis dev articles
analysed all at once, against the same articles given one at a time (as a stream
would: in publication order, and in a random order), each into a fresh store.

Reported per order: B-cubed P/R/F1 and pairwise F1 of its stories against the
all-at-once stories (agreement: 1.0 is the same partition), the share of articles
whose story has the same id, the number of stories, and each partition's B-cubed
F1 against the gold events (so the cost or gain of the order is visible).

    python benchmarks/order.py [--limit N] [--seed S] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import DATA, documents, machine

from recoupe.analyze import Analyzer
from recoupe.config import Config
from recoupe.eval.stories import clustering_scores
from recoupe.ingest import iter_records
from recoupe.scores import ml_crisis_record
from recoupe.store import open_store

LABELS = DATA / "ml_crisis" / "clusters_dev.jsonl"


def partition(records: list[dict[str, Any]], runs: list[list[int]], db: Path) -> dict[str, str]:
    """doc_id -> story id after analysing ``records`` run by run (each run: record indexes)."""
    config = Config.from_mapping({"executor": {"type": "inline"}})
    config.store.path = str(db)
    store = open_store(config.store)
    try:
        for run in runs:
            Analyzer(config, store).run_items(
                iter_records([records[i] for i in run], "order", config.ingest))
        doc_of = {a.id: a.external_id for a in store.get_articles()}
        return {str(doc_of[a]): s.id for s in store.stories() for a in s.articles
                if doc_of.get(a)}
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="first N labelled articles only")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not LABELS.exists():
        sys.exit(f"skipped: evaluation data absent ({LABELS})")
    gold = {str(r["doc_id"]): str(r["event"]) for r in
            map(json.loads, LABELS.read_text(encoding="utf-8").splitlines())}
    docs = [d for d in documents() if str(d["doc_id"]) in gold]
    docs.sort(key=lambda d: str(d["doc_id"]))
    if args.limit:
        docs = docs[: args.limit]
    records = [ml_crisis_record(d) for d in docs]
    n = len(records)
    by_date = sorted(range(n), key=lambda i: (str(docs[i]["pub_date"]), str(docs[i]["doc_id"])))
    shuffled = list(range(n))
    random.Random(args.seed).shuffle(shuffled)
    orders = {
        "all at once": [list(range(n))],
        "one at a time, publication order": [[i] for i in by_date],
        "one at a time, random order": [[i] for i in shuffled],
        "all at once, reversed": [list(reversed(range(n)))],
    }
    out: dict[str, Any] = {"machine": machine(), "articles": n, "orders": {}}
    found: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="recoupe-order-") as tmp:
        for k, (name, runs) in enumerate(orders.items()):
            started = time.perf_counter()
            found[name] = partition(records, runs, Path(tmp) / f"{k}.db")
            seconds = time.perf_counter() - started
            reference = found["all at once"]
            agreement = clustering_scores(found[name], reference)
            same_id = sum(1 for d in reference if found[name].get(d) == reference[d]) / n
            out["orders"][name] = {
                "runs": len(runs), "seconds": round(seconds, 1),
                "stories": len(set(found[name].values())),
                "agreement_bcubed": agreement["bcubed"],
                "agreement_pairwise_f1": agreement["pairwise"]["f1"],
                "same_story_id": round(same_id, 4),
                "gold_bcubed_f1": clustering_scores(found[name], gold)["bcubed"]["f1"],
            }
            print(f"{name}: {out['orders'][name]}", file=sys.stderr)
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return
    print(f"{n} articles · {machine()}")
    print("| order | runs | stories | B-cubed P / R / F1 vs all at once | pairwise F1 | "
          "same story id | B-cubed F1 vs gold |")
    print("|---|---|---|---|---|---|---|")
    for name, row in out["orders"].items():
        b = row["agreement_bcubed"]
        print(f"| {name} | {row['runs']} | {row['stories']} | {b['precision']:.3f} / "
              f"{b['recall']:.3f} / {b['f1']:.3f} | {row['agreement_pairwise_f1']:.3f} | "
              f"{row['same_story_id']:.1%} | {row['gold_bcubed_f1']:.3f} |")


if __name__ == "__main__":
    main()
