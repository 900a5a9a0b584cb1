from __future__ import annotations

from recoupe.model import Article, PublishedDate
from recoupe.store.base import date_span
from recoupe.stories.describe import story_date
from recoupe.stories.grouping import gap_days


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
