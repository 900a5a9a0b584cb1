"""Cost of the who-what stages per article, beside spaCy's own cost in the same run.

    python benchmarks/whowhat.py [--articles 300] [--runs 3]

French ML-Crisis articles (the first --articles), one process. Each run
takes fresh copies of the ingested articles through the default pipeline
and times every stage; "spaCy" is the ``sentences`` stage (the model's
tokenizer, tagger, sentence splitter and NER over the clean text), "who-what"
is what this issue adds on top of it: the entity corrections and keys (the
``entities`` stage, which reads spaCy's entities), ``quotes``, ``figures``
and ``events``. The target is who-what ≤ 0.3 × spaCy, i.e. spaCy plus
who-what ≤ 1.3 × spaCy alone.
"""

from __future__ import annotations

import argparse
import copy
import json
import tempfile
from pathlib import Path

from common import documents, machine, median, timer

from recoupe.config import Config
from recoupe.ingest import iter_inputs
from recoupe.model import Article
from recoupe.pipeline import Pipeline

WHOWHAT = ("entities", "quotes", "figures", "events")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    docs = documents("fr")[: args.articles]
    config = Config()
    names = [n for n in config.pipeline.stages if n not in ("embed", "fingerprint")]
    pipeline = Pipeline(names, config)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "articles.jsonl"
        path.write_text("\n".join(json.dumps(
            {"id": d["doc_id"], "text": d["text"], "published": d["pub_date"], "language": "fr"},
            ensure_ascii=False) for d in docs), encoding="utf-8")
        ingested = [a for a in iter_inputs([str(path)], config.ingest) if isinstance(a, Article)]
    spacy_s: list[float] = []
    who_s: list[float] = []
    for run in range(args.runs):
        live = copy.deepcopy(ingested)
        spent: dict[str, float] = {}
        for stage in pipeline.stages:
            with timer() as elapsed:
                live = stage(live)
            spent[stage.name] = elapsed()
        spacy_s.append(spent["sentences"])
        who_s.append(sum(spent[n] for n in WHOWHAT))
        per = ", ".join(f"{n} {1000 * spent[n] / len(live):.1f}" for n in ("sentences", *WHOWHAT))
        print(f"run {run + 1}: ms/article: {per}", flush=True)
    n = len(ingested)
    ratio = median([w / s for w, s in zip(who_s, spacy_s, strict=True)])
    print(f"\nmachine: {machine()}; {n} French ML-Crisis articles, 1 process, {args.runs} runs")
    print("| measure | spaCy (sentences stage) | who-what (entities, quotes, figures, events) |")
    print("|---|---|---|")
    print(f"| ms per article (median) | {1000 * median(spacy_s) / n:.1f} | "
          f"{1000 * median(who_s) / n:.1f} |")
    print(f"| spaCy + who-what, over spaCy alone (median of per-run ratios) | "
          f"{1 + ratio:.2f}× (target ≤ 1.3×) | |")


if __name__ == "__main__":
    main()
