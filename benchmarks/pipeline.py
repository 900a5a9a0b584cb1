"""Throughput of ingest + clean + language + NLP, against bare spaCy on the same texts.

    python benchmarks/pipeline.py [--articles 5000] [--runs 3] [--workers 2]

The French ML-Crisis articles, replicated (a marker line makes each copy a
distinct article) up to --articles, written to one JSONL file. Each run:
  recoupe: read the file (ingest), then the configured per-article stages
           (clean, language, sentences, entities, terms) on the local executor;
  spaCy:   the same model (fr_core_news_md, same components: senter, not the parser) over the same
           raw texts with nlp.pipe(n_process=workers) — no cleaning, no splitting.
The store is left out: it is measured with the stories and reuse benchmarks.
Texts are capped at 100,000 characters for both (spaCy refuses > 1M).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from common import PeakRSS, documents, machine, median, timer

from recoupe.analyze import run_batch
from recoupe.config import Config
from recoupe.execute import LocalExecutor
from recoupe.ingest import iter_inputs
from recoupe.model import Article
from recoupe.nlp.models import load_model

CAP = 100_000


def build_input(n: int, folder: Path) -> tuple[Path, list[str]]:
    docs = documents("fr")
    path = folder / "articles.jsonl"
    texts = []
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            d = docs[i % len(docs)]
            text = f"{d['text'][:CAP]}\nCopie {i // len(docs)}"
            texts.append(text)
            out.write(json.dumps({"id": f"{d['doc_id']}#{i}", "text": text,
                                  "published": d["pub_date"]}, ensure_ascii=False) + "\n")
    return path, texts


def run_recoupe(path: Path, workers: int) -> tuple[float, int, int]:
    config = Config()
    config.executor.workers = workers
    articles = [a for a in iter_inputs([str(path)], config.ingest) if isinstance(a, Article)]
    size = config.pipeline.batch_size
    batches = [(config, articles[i : i + size]) for i in range(0, len(articles), size)]
    with PeakRSS() as rss, timer() as elapsed, LocalExecutor(workers) as ex:
        done = sum(1 for batch in ex.map(run_batch, batches) for _ in batch)
    return elapsed(), done, rss.peak


def run_spacy(texts: list[str], workers: int) -> tuple[float, int, int]:
    with PeakRSS() as rss, timer() as elapsed:
        nlp = load_model("fr_core_news_md")
        done = sum(1 for _ in nlp.pipe(texts, n_process=workers, batch_size=16))
    return elapsed(), done, rss.peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path, texts = build_input(args.articles, Path(tmp))
        ours, bare = [], []
        for run in range(args.runs):
            ours.append(run_recoupe(path, args.workers))
            bare.append(run_spacy(texts, args.workers))
            print(f"run {run + 1}: recoupe {ours[-1][1] / ours[-1][0]:.1f} articles/s, "
                  f"spaCy {bare[-1][1] / bare[-1][0]:.1f} articles/s", flush=True)
    o_rate = median([n / s for s, n, _ in ours])
    b_rate = median([n / s for s, n, _ in bare])
    ratio = median([o[0] / b[0] for o, b in zip(ours, bare, strict=True)])
    print(f"\nmachine: {machine()}; {args.articles} French ML-Crisis articles "
          f"(mean {sum(map(len, texts)) / len(texts):,.0f} chars), {args.workers} workers, "
          f"{args.runs} runs")
    print("| measure | recoupe pipeline | bare spaCy |")
    print("|---|---|---|")
    print(f"| articles/s (median) | {o_rate:.1f} | {b_rate:.1f} |")
    print(f"| time ratio recoupe / spaCy (median of per-run ratios) | {ratio:.2f}× | 1× |")
    print(f"| peak RSS, all processes (max over runs) | {max(p for *_, p in ours) / 2**20:,.0f} MiB | "
          f"{max(p for *_, p in bare) / 2**20:,.0f} MiB |")


if __name__ == "__main__":
    main()
