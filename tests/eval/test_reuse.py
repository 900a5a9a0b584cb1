"""The reuse targets, measured on copies generated from real ML-Crisis articles."""

from __future__ import annotations

import json

from recoupe.eval.reuse import evaluate, generate
from tests.conftest import ml_crisis_documents


def _docs() -> list[dict[str, str]]:
    path = ml_crisis_documents()
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_generated_cases_are_what_they_claim() -> None:
    cases, sources, used = generate(_docs(), 8)
    by_id = {d["doc_id"]: d for d in sources}
    for case in cases:
        original = by_id[case.source]["text"]
        if case.kind == "exact":
            assert case.text.split() == original.split()
        if case.kind == "partial":
            assert case.copied and all(p in original and p in case.text for p in case.copied)
        if case.kind == "reworded":
            assert case.text != original and len(set(case.text.split()) & set(original.split())) > 20
    assert {c.source for c in cases} <= used


def test_reuse_meets_its_targets() -> None:
    scores = evaluate(_docs(), n=60, negatives=80)
    assert scores["rejected"] == 0
    assert scores["duplicates"]["precision"] >= 0.98
    assert scores["duplicates"]["recall"] >= 0.95
    assert scores["passages"]["f1"] >= 0.90
    assert scores["negative_pairs"] >= 30
    assert scores["false_links_among_negatives"] == 0
