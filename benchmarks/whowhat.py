"""Cost of the who-what stages per article, beside spaCy's own cost in the same run.

    python benchmarks/whowhat.py [--articles 300] [--runs 3]

ML-Crisis articles of each language (the first --articles; --languages fr,es,it), one
process. Each run takes fresh copies of the ingested articles through the default pipeline
and times every stage; "spaCy" is the ``sentences`` stage (the language's model: tokenizer,
tagger, sentence splitter and NER over the clean text), "who-what" is what is built on top
of it: the entity corrections and keys (the ``entities`` stage), ``quotes`` (with the
dependency parser run on the quotes whose speaker the word rules do not find), ``figures``
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
    parser.add_argument("--languages", default="fr,es,it")
    args = parser.parse_args()
    config = Config()
    names = [n for n in config.pipeline.stages if n not in ("embed", "fingerprint")]
    pipeline = Pipeline(names, config)
    rows = []
    for lang in args.languages.split(","):
        rows.append(_language(lang, args.articles, args.runs, pipeline, config))
    print(f"\nmachine: {machine()}; ML-Crisis articles, 1 process, {args.runs} runs")
    print("| language | articles | spaCy (sentences stage) ms/article | who-what ms/article "
          "(quotes: parser on quote sentences) | spaCy + who-what over spaCy alone |")
    print("|---|---|---|---|---|")
    for lang, n, spacy_ms, who_ms, quotes_ms, ratio in rows:
        print(f"| {lang} | {n} | {spacy_ms:.1f} | {who_ms:.1f} ({quotes_ms:.1f}) | "
              f"**{1 + ratio:.2f}×** (target ≤ 1.3×) |")


def _language(lang: str, articles: int, runs: int, pipeline: Pipeline, config: Config
              ) -> tuple[str, int, float, float, float, float]:
    # Pages over clean.max_chars are refused at cleaning; the pipeline run reports them.
    docs = [d for d in documents(lang) if len(d["text"]) <= config.clean.max_chars][:articles]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "articles.jsonl"
        path.write_text("\n".join(json.dumps(
            {"id": d["doc_id"], "text": d["text"], "published": d["pub_date"], "language": lang},
            ensure_ascii=False) for d in docs), encoding="utf-8")
        ingested = [a for a in iter_inputs([str(path)], config.ingest) if isinstance(a, Article)]
    spacy_s: list[float] = []
    who_s: list[float] = []
    quotes_s: list[float] = []
    for run in range(runs):
        live = copy.deepcopy(ingested)
        spent: dict[str, float] = {}
        for stage in pipeline.stages:
            with timer() as elapsed:
                live = stage(live)
            spent[stage.name] = elapsed()
        spacy_s.append(spent["sentences"])
        who_s.append(sum(spent[n] for n in WHOWHAT))
        quotes_s.append(spent["quotes"])
        per = ", ".join(f"{n} {1000 * spent[n] / len(live):.1f}" for n in ("sentences", *WHOWHAT))
        print(f"{lang} run {run + 1}: ms/article: {per}", flush=True)
    n = len(ingested)
    ratio = median([w / s for w, s in zip(who_s, spacy_s, strict=True)])
    return (lang, n, 1000 * median(spacy_s) / n, 1000 * median(who_s) / n,
            1000 * median(quotes_s) / n, ratio)


if __name__ == "__main__":
    main()
