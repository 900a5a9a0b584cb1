"""TempEval-style scores of ``extract_times`` on French TimeBank-format documents.

Each document: ``text``, ``dct`` (the creation date, the anchor), ``timex3``
(gold expressions with ``start``, ``end``, ``type``, ``value``). Scores, as
TempEval-3 defines them: strict span P/R/F1 (same start and end), relaxed
span P/R/F1 (overlap), type and value accuracy over the relaxed matches, and
value F1 (a relaxed match with the right value). dateparser runs on the same
documents as a baseline (its ``search_dates`` finds strings; offsets are where
each string first occurs after the previous one).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from ..model import TimeExpression
from ..nlp.time.resolve import extract_times
from ..scores import prf

Finder = Callable[[str, str, str], list[TimeExpression]]


def score(docs: Sequence[dict[str, Any]], find: Finder, lang: str = "fr") -> dict[str, Any]:
    gold_n = pred_n = strict = relaxed = type_ok = value_ok = 0
    seconds = 0.0
    errors: list[dict[str, str]] = []
    for doc in docs:
        gold = [g for g in doc.get("timex3", []) if g.get("text")]
        started = time.perf_counter()
        pred = find(doc["text"], doc.get("dct") or "", lang)
        seconds += time.perf_counter() - started
        gold_n += len(gold)
        pred_n += len(pred)
        spans = {(p.start, p.end) for p in pred}
        strict += sum((g["start"], g["end"]) in spans for g in gold)
        used: set[int] = set()
        for g in gold:
            match = next((k for k, p in enumerate(pred) if k not in used
                          and p.start < g["end"] and g["start"] < p.end), None)
            if match is None:
                if len(errors) < 400:
                    errors.append({"kind": "missed", "text": g["text"], "gold": g["value"]})
                continue
            used.add(match)
            relaxed += 1
            p = pred[match]
            type_ok += p.type == g["type"]
            if p.value == g["value"]:
                value_ok += 1
            elif len(errors) < 400:
                errors.append({"kind": "value", "text": p.text, "gold": g["value"], "found": p.value,
                               "dct": doc.get("dct", "")})
        for k, p in enumerate(pred):
            if k not in used and len(errors) < 400:
                errors.append({"kind": "spurious", "text": p.text, "found": p.value})
    return {
        "documents": len(docs),
        "gold": gold_n,
        "found": pred_n,
        "strict": prf(strict, pred_n, gold_n),
        "relaxed": prf(relaxed, pred_n, gold_n),
        "type_accuracy": _ratio(type_ok, relaxed),
        "value_accuracy": _ratio(value_ok, relaxed),
        "value": prf(value_ok, pred_n, gold_n),
        "seconds_per_document": round(seconds / max(len(docs), 1), 5),
        "errors": errors,
    }


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0




def dateparser_times(text: str, anchor: str, lang: str) -> list[TimeExpression]:
    """dateparser's ``search_dates`` as a tagger: the baseline the issue names."""
    from dateparser.search import search_dates

    base = datetime.fromisoformat(anchor) if anchor else datetime.now()
    settings: dict[str, Any] = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "current_period"}
    found = search_dates(text, languages=[lang], settings=settings) or []
    out: list[TimeExpression] = []
    cursor = 0
    for string, when in found:
        at = text.find(string, cursor)
        if at < 0:
            continue
        cursor = at + len(string)
        timed = when.hour or when.minute
        value = when.strftime("%Y-%m-%dT%H:%M") if timed else when.date().isoformat()
        out.append(TimeExpression(at, cursor, string, "TIME" if timed else "DATE", value))
    return out


def evaluate(docs: Sequence[dict[str, Any]], lang: str = "fr", baseline: bool = True,
             errors: bool = False) -> dict[str, Any]:
    ours = score(docs, lambda text, dct, lg: extract_times(text, dct or None, lg), lang)
    out: dict[str, Any] = {"recoupe": ours}
    if baseline:
        out["dateparser"] = score(docs, dateparser_times, lang)
    if not errors:
        for result in out.values():
            result.pop("errors")
    out["notes"] = (
        "Relaxed: spans overlap; strict: same start and end. Type and value accuracy are over "
        "relaxed matches; value F1 counts a relaxed match with the gold value. Anchor: each "
        "document's creation date (dct)."
    )
    return out
