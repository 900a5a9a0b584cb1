"""Figures compared across sources: like with like, and verdicts that say what they compared."""

from __future__ import annotations

from recoupe.model import Article, CopiedPassage, FigureMention, ReuseLink
from recoupe.nlp.figures import parse_digits
from recoupe.stories.crosscheck import _copied_spans, _figures


def _figure(text: str, value: float, high: float | None = -1.0, day: str | None = None
            ) -> FigureMention:
    top = value if high == -1.0 else high
    return FigureMention(start=0, end=len(text), text=text, value=value, low=value, high=top,
                         what="mort", unit=None, context=["bombard", "homs", "armee"], day=day)


def _compare(*figures: FigureMention) -> list[tuple[str, str]]:
    articles = [Article(id=f"a{i}", raw_text="", figures=[f]) for i, f in enumerate(figures)]
    return [(f.agreement, f.reason) for f in _figures(articles)]


def test_one_value_whatever_its_digit_grouping() -> None:
    a, b = parse_digits("16 500", "fr"), parse_digits("16.500", "fr")
    assert a == b == 16_500
    [(verdict, reason)] = _compare(_figure("16 500", a or 0), _figure("16.500", b or 0))
    assert verdict == "agree"
    assert "16 500 (a0)" in reason and "16.500 (a1)" in reason  # names values and articles


def test_open_bounds_of_other_magnitudes_disagree() -> None:
    [(verdict, _)] = _compare(_figure("plus de 100", 100, None), _figure("plus de 1 000", 1000, None))
    assert verdict == "disagree"
    [(verdict, _)] = _compare(_figure("plus de 100", 100, None), _figure("130", 130))
    assert verdict == "approximate"


def test_counts_of_two_days_are_not_compared() -> None:
    saturday = _figure("133", 133, day="2011-04-23")
    sunday = _figure("des dizaines", 59.5, day="2011-04-24")
    sunday.low, sunday.high = 20, 99
    assert _compare(saturday, sunday) == []
    saturday2 = _figure("120", 120, day="2011-04-23")
    [(verdict, _)] = _compare(saturday, saturday2)
    assert verdict == "disagree"


def test_values_in_copied_text_are_one_source() -> None:
    first, copy, apart = (_figure("42", 42) for _ in range(3))
    copy.start, copy.end = 100, 102  # inside the passage the copy took from the first
    articles = [Article(id=f"a{i}", raw_text="", figures=[f])
                for i, f in enumerate((first, copy, apart))]
    link = ReuseLink(kind="copied-passages", from_article="a0", to_article="a1", similarity=0.9,
                     direction="forward", passages=[CopiedPassage((0, 50), (90, 140), "…", 0.9)])
    [figure] = _figures(articles[:2], _copied_spans([link]))
    assert figure.agreement == "agree" and figure.independent == 1
    assert "one source" in figure.reason
    [figure] = _figures(articles, _copied_spans([link]))
    assert figure.independent == 2  # the third wrote its own
    copy.start, copy.end = 300, 302  # outside the copied passage: written apart
    [figure] = _figures(articles[:2], _copied_spans([link]))
    assert figure.independent == 2
