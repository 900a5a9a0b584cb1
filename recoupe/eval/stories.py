"""Story clustering scored against event labels (ML-Crisis format).

Documents: ``doc_id``, ``lang``, ``pub_date``, ``text`` (and ``topic``);
labels: ``doc_id`` → ``event`` (and ``window``, ``kind``). Only labelled
documents are clustered, all in one run of ``analyze`` on a fresh store, as a
user would. Scores: B-cubed and pairwise precision/recall/F1, the number of
stories and the share of singletons, over all languages, per language, over
``kind=event`` articles only and per window (the same run, restricted).
Leave-one-window-out, for the learned linker, is ``eval.linker``.

Two baselines run on the same articles: every article alone, and
embedding-only clustering (the same online pass and time window, document
vectors and one cosine threshold, reported at its best threshold on these
labels, so an upper bound for that method).
"""

from __future__ import annotations

import itertools
import json
import tempfile
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..config import Config
from ..model import Report
from ..scores import ml_crisis_record
from ..store import open_store

_BASELINE_THRESHOLDS = [round(0.5 + 0.025 * i, 3) for i in range(19)]  # 0.5 .. 0.95


@dataclass(slots=True)
class Labels:
    """Event labels of ML-Crisis documents: the event, and where present the window and
    the kind (``event`` for a happening, ``analysis`` for a piece about none)."""

    event: dict[str, str]
    window: dict[str, str]
    kind: dict[str, str]

    @classmethod
    def read(cls, rows: Sequence[Mapping[str, Any]]) -> Labels:
        def column(name: str) -> dict[str, str]:
            return {str(r["doc_id"]): str(r[name]) for r in rows if r.get(name) is not None}
        return cls(column("event"), column("window"), column("kind"))


def evaluate(
    docs: Sequence[Mapping[str, Any]], labels: Sequence[Mapping[str, Any]],
    config: Config | None = None, baseline: bool = True,
) -> dict[str, Any]:
    marks = Labels.read(labels)
    gold = marks.event
    chosen = [d for d in docs if str(d["doc_id"]) in gold]
    missing = sorted(set(gold) - {str(d["doc_id"]) for d in chosen})
    if not chosen:
        raise ValueError("no document has a label")
    config = config or Config()
    lang = {str(d["doc_id"]): str(d.get("lang") or "") for d in chosen}
    topic = {str(d["doc_id"]): str(d.get("topic") or "") for d in chosen}
    with tempfile.TemporaryDirectory(prefix="recoupe-eval-") as tmp:
        report, pred = cluster(chosen, config, Path(tmp))
        doc_of = {a.id: a.external_id for a in report.articles}
        line_of = {s.id: s.storyline for s in report.stories}
        stored = {doc_of[a.id]: a for a in report.articles if a.external_id}
        out: dict[str, Any] = {
            "documents": len(chosen),
            "labelled_missing": missing[:20],
            "events": len(set(gold[d] for d in pred)),
            "linker": config.stories.linker,
            "recoupe": scores(pred, marks, lang),
            "cross_lingual": _cross_lingual(pred, gold, lang),
            "storylines": _storylines(pred, line_of, topic),
        }
        if baseline:
            store = open_store(config.store)
            try:
                vectors = store.embeddings(stored[d].id for d in pred)
            finally:
                store.close()
            days = {d: stored[d].published.date for d in pred}
            docs_vec = {d: vectors[stored[d].id].doc for d in pred if stored[d].id in vectors}
            out["baselines"] = {
                "all_singletons": scores({d: d for d in pred}, marks, lang),
                "embedding_only": _embedding_baseline(
                    docs_vec, days, marks, lang, config.stories.window_days),
            }
    return out


def cluster(docs: Sequence[Mapping[str, Any]], config: Config, where: Path
            ) -> tuple[Report, dict[str, str]]:
    """One run of ``analyze`` over ``docs`` on a fresh store in ``where``: the report, and
    each document's story."""
    from ..analyze import analyze

    inputs = where / "documents.jsonl"
    inputs.write_text("\n".join(json.dumps(ml_crisis_record(d), ensure_ascii=False) for d in docs),
                      encoding="utf-8")
    config.store.path = str(where / "eval.db")
    if Path(config.store.path).exists():
        Path(config.store.path).unlink()
    report = analyze(inputs, config=config)
    doc_of = {a.id: a.external_id for a in report.articles}
    pred: dict[str, str] = {}
    for story in report.stories:
        for article_id in story.articles:
            if (doc := doc_of.get(article_id)) is not None:
                pred[doc] = story.id
    return report, pred


def scores(pred: Mapping[str, str], labels: Labels, lang: Mapping[str, str]) -> dict[str, Any]:
    """Scores over all of ``pred``, per language, over ``kind=event`` articles only, and
    per window (each beside every article alone, the floor a grouping has to beat)."""
    gold = labels.event
    out = {"all": clustering_scores(pred, gold)}
    for code in sorted({lang[d] for d in pred}):
        out[code] = clustering_scores({d: c for d, c in pred.items() if lang[d] == code}, gold)
    if events := {d: c for d, c in pred.items() if labels.kind.get(d) == "event"}:
        out["events_only"] = clustering_scores(events, gold)
    windows: dict[str, Any] = {}
    for window in sorted({labels.window[d] for d in pred if d in labels.window}):
        sub = {d: c for d, c in pred.items() if labels.window.get(d) == window}
        sub_events = {d: c for d, c in sub.items() if labels.kind.get(d) == "event"}
        windows[window] = {
            "all": clustering_scores(sub, gold),
            "all_singletons": clustering_scores({d: d for d in sub}, gold),
            **({"events_only": clustering_scores(sub_events, gold)} if sub_events else {}),
        }
    if windows:
        out["windows"] = windows
    return out


def clustering_scores(pred: Mapping[str, str], gold: Mapping[str, str]) -> dict[str, Any]:
    """B-cubed and pairwise P/R/F1 of ``pred`` (item → cluster) against ``gold``."""
    items = sorted(pred)
    by_pred: dict[str, set[str]] = defaultdict(set)
    by_gold: dict[str, set[str]] = defaultdict(set)
    for item in items:
        by_pred[pred[item]].add(item)
        by_gold[gold[item]].add(item)
    precision = recall = 0.0
    for item in items:
        together = by_pred[pred[item]] & by_gold[gold[item]]
        precision += len(together) / len(by_pred[pred[item]])
        recall += len(together) / len(by_gold[gold[item]])
    n = len(items) or 1
    b_p, b_r = precision / n, recall / n
    tp = fp = fn = 0
    for a, b in itertools.combinations(items, 2):
        same_pred, same_gold = pred[a] == pred[b], gold[a] == gold[b]
        tp += same_pred and same_gold
        fp += same_pred and not same_gold
        fn += same_gold and not same_pred
    p_p = tp / (tp + fp) if tp + fp else 0.0
    p_r = tp / (tp + fn) if tp + fn else 0.0
    sizes = Counter(pred[i] for i in items)
    return {
        "documents": len(items),
        "bcubed": _prf(b_p, b_r),
        "pairwise": {**_prf(p_p, p_r), "gold_pairs": tp + fn, "found_pairs": tp + fp},
        "stories": len(sizes),
        "singleton_share": round(sum(1 for s in sizes.values() if s == 1) / (len(sizes) or 1), 3),
    }


def _prf(p: float, r: float) -> dict[str, float]:
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def _cross_lingual(pred: Mapping[str, str], gold: Mapping[str, str], lang: Mapping[str, str]
                   ) -> dict[str, int]:
    """Gold events told in several languages, and how many of them one story joins across languages."""
    events: dict[str, list[str]] = defaultdict(list)
    for doc in pred:
        events[gold[doc]].append(doc)
    multi = {e: docs for e, docs in events.items() if len({lang[d] for d in docs}) > 1}
    joined = 0
    for docs in multi.values():
        stories: dict[str, set[str]] = defaultdict(set)
        for d in docs:
            stories[pred[d]].add(lang[d])
        joined += any(len(langs) > 1 for langs in stories.values())
    found = defaultdict(set)
    for doc, story in pred.items():
        found[story].add(lang[doc])
    return {"gold_events": len(multi), "joined_across_languages": joined,
            "stories_across_languages": sum(1 for s in found.values() if len(s) > 1)}


def _storylines(pred: Mapping[str, str], line_of: Mapping[str, str | None],
                topic: Mapping[str, str]) -> dict[str, Any]:
    """Storylines against the documents' topics: a storyline should hold one topic."""
    stories_in: dict[str, set[str]] = defaultdict(set)
    topics_in: dict[str, Counter[str]] = defaultdict(Counter)
    for doc, story in pred.items():
        line = line_of.get(story)
        if line is None:
            continue
        stories_in[line].add(story)
        topics_in[line][topic[doc]] += 1
    held = sum(sum(c.values()) for c in topics_in.values())
    pure = sum(c.most_common(1)[0][1] for c in topics_in.values())
    return {
        "storylines": len(stories_in),
        "stories_in_storylines": sum(len(s) for s in stories_in.values()),
        "stories": len(set(pred.values())),
        "topic_purity": round(pure / held, 4) if held else None,
    }


def _embedding_baseline(
    vectors: Mapping[str, Any], days: Mapping[str, str | None], labels: Labels,
    lang: Mapping[str, str], window: int,
) -> dict[str, Any]:
    best: dict[str, Any] | None = None
    for threshold in _BASELINE_THRESHOLDS:
        pred = _threshold_clusters(vectors, days, threshold, window)
        pred.update({d: d for d in labels.event if d in days and d not in pred})
        found = scores(pred, labels, lang)
        total = found["all"]["bcubed"]["f1"] + found["all"]["pairwise"]["f1"]
        if best is None or total > best["_total"]:
            best = {"threshold": threshold, **found, "_total": total}
    assert best is not None
    best.pop("_total")
    return best


def _threshold_clusters(vectors: Mapping[str, Any], days: Mapping[str, str | None],
                        threshold: float, window: int) -> dict[str, str]:
    """One pass in publication order: join the cluster of the closest member, if close enough."""
    order = sorted(vectors, key=lambda d: (days.get(d) or "9999-99-99", d))
    clusters: list[list[str]] = []
    pred: dict[str, str] = {}
    for doc in order:
        best, best_sim = None, threshold
        for k, members in enumerate(clusters):
            if not all(_within(days.get(doc), days.get(m), window) for m in members):
                continue
            sim = max(float(vectors[doc] @ vectors[m]) for m in members)
            if sim >= best_sim:
                best, best_sim = k, sim
        if best is None:
            clusters.append([doc])
            best = len(clusters) - 1
        else:
            clusters[best].append(doc)
        pred[doc] = f"c{best}"
    return pred


def _within(a: str | None, b: str | None, window: int) -> bool:
    if not a or not b:
        return True
    return abs((date.fromisoformat(a) - date.fromisoformat(b)).days) <= window
