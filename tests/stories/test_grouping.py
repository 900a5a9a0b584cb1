from __future__ import annotations

import numpy as np

from recoupe.model import Article, Embedding, PublishedDate
from recoupe.store.base import date_span
from recoupe.stories.describe import story_date
from recoupe.stories.grouping import gap_days
from recoupe.stories.similarity import match, match_matrix


def _a(d: str | None, g: str | None = "day", basis: str = "content") -> Article:
    return Article(id="x", raw_text="", published=PublishedDate(d, g, basis))  # type: ignore[arg-type]


def test_month_ranges_and_gaps() -> None:
    dec = date_span("2021-12-01", "month")
    assert dec == ("2021-12-01", "2021-12-31")
    assert date_span("2024-02-01", "month") == ("2024-02-01", "2024-02-29")
    assert date_span("2021-01-01", "year") == ("2021-01-01", "2021-12-31")
    assert gap_days(dec, date_span("2022-02-03", "day")) == 34
    assert gap_days(date_span("2022-02-03", "day"), dec) == 34
    assert gap_days(dec, date_span("2021-12-30", "day")) == 0
    assert gap_days(None, dec) == 0 and date_span(None, None) is None


def test_story_date_is_median_day_and_ignores_story_basis() -> None:
    members = [_a("2022-02-03"), _a("2022-02-02"), _a("2022-02-04"), _a("2020-01-01", basis="story")]
    assert story_date(members) == ("2022-02-03", "day")
    assert story_date([_a("2021-12-01", "month", "metadata"), _a(None, None)]) == ("2021-12-01", "month")
    assert story_date([_a(None, None)]) == (None, None)


def test_match_matrix_is_every_pair_match() -> None:
    rng = np.random.default_rng(5)

    def emb(n: int, lead: int) -> Embedding:
        rows = rng.normal(size=(n, 8)).astype(np.float32)
        rows /= np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)
        doc = rng.normal(size=8).astype(np.float32)
        return Embedding(doc=doc / np.linalg.norm(doc), sentences=rows.reshape(n, 8), lead=lead)

    a = [emb(5, 3), emb(1, 3), emb(0, 3), emb(7, 1)]
    b = [emb(3, 3), emb(0, 2), emb(9, 3)]
    matrix = match_matrix(a, b)
    assert matrix.shape == (4, 3)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            # By hand: the doc cosine, and each side's lead against its closest other sentence.
            lead_x = x.sentences[: x.lead]
            lead_y = y.sentences[: y.lead]
            there = (lead_x @ y.sentences.T).max(axis=1).mean() if len(lead_x) and len(
                y.sentences) else 0.0
            back = (lead_y @ x.sentences.T).max(axis=1).mean() if len(lead_y) and len(
                x.sentences) else 0.0
            expected = 0.5 * (there + back) / 2 + 0.5 * float(x.doc @ y.doc)
            assert abs(matrix[i, j] - expected) < 1e-5
            assert abs(match(x, y) - matrix[i, j]) < 1e-6
