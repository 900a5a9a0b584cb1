"""Cleaning's cost beside spaCy's own, per article, in the same run.

    python benchmarks/clean.py [--articles 300] [--runs 3]

ML-Crisis pages as they come (site chrome included): ``clean`` (rules, learnt
lines, the body model, metadata) on each page, then the language's spaCy
pipeline as recoupe loads it on the text cleaning kept. The ratio of the two
is the figure (target ≤ 0.1×); medians over ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from common import documents, machine

from recoupe.clean.stage import body_model, clean_article
from recoupe.config import Config
from recoupe.eval.clean import repeated_lines
from recoupe.model import Article
from recoupe.nlp.models import pipeline_for


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    docs = documents()
    random.Random(3).shuffle(docs)
    docs = [d for d in docs if len(d["text"]) < 100_000][: args.articles]
    config = Config()
    model = body_model(config.clean.body_model)
    # The lines the store would have learnt from these pages (one source, as a JSONL file).
    learnt = repeated_lines((d["text"] for d in docs), config.clean)
    for d in docs:  # load every model before the clock starts
        pipeline_for(d["lang"], config.language)
    cleaning, parsing = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        cleaned = [clean_article(Article(id=d["doc_id"], raw_text=d["text"], language=d["lang"],
                                         learned_boilerplate=learnt),
                                 config.clean.min_letters, model, config.clean.max_chars)
                   for d in docs]
        cleaning.append(time.perf_counter() - started)
        started = time.perf_counter()
        for article in cleaned:
            pipeline_for(article.language, config.language)(article.text)
        parsing.append(time.perf_counter() - started)
    clean_ms = statistics.median(cleaning) / len(docs) * 1000
    spacy_ms = statistics.median(parsing) / len(docs) * 1000
    print(f"{len(docs)} pages · {machine()}")
    print(f"clean: {clean_ms:.2f} ms per article · spaCy: {spacy_ms:.2f} ms per article · "
          f"ratio {clean_ms / spacy_ms:.3f}× (target ≤ 0.1×)")


if __name__ == "__main__":
    main()
