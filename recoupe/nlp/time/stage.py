"""The ``times`` stage: every date of the text resolved, the article and its happening dated."""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import ClassVar

from ...config import Config
from ...model import Article, PublishedDate, TimeExpression, date_span
from ...pipeline import register_stage
from .grammar import Spec
from .resolve import read_times

log = logging.getLogger(__name__)

# The lead: where a news article says when its main happening took place.
_LEAD_SENTENCES = 3
_LEAD_PARAGRAPHS = 2


@register_stage("times")
class TimesStage:
    name: ClassVar[str] = "times"
    requires: ClassVar[frozenset[str]] = frozenset({"text", "language", "sentences", "published"})
    assigns: ClassVar[frozenset[str]] = frozenset(
        {"times", "sentence_dates", "event_date", "published"})

    def __init__(self, config: Config) -> None:
        self.today = date.today()

    def __call__(self, articles: list[Article]) -> list[Article]:
        for article in articles:
            date_article(article, self.today)
        return articles


def anchor_of(published: PublishedDate) -> str | None:
    """What the publication date can anchor: a day, a month or a year."""
    if not published.date:
        return None
    return {"day": published.date, "month": published.date[:7],
            "year": published.date[:4]}.get(published.granularity or "day")


def date_article(article: Article, today: date) -> None:
    lang = article.language or "fr"
    if article.published.granularity != "day":
        lead_day = _lead_publication(article, lang, today)
        # A text cannot have been written after the day it is read.
        if lead_day is not None and "1000-01-01" <= lead_day <= today.isoformat():
            article.published = PublishedDate(lead_day, "day", "content")
    retime(article)


def retime(article: Article) -> None:
    """Resolve the article's times against its publication date (again, when that changed)."""
    found = read_times(article.text, anchor_of(article.published), article.language or "fr")
    article.times = [expr for expr, _ in found]
    article.sentence_dates = _sentence_dates(article, article.times)
    article.event_date = _event_date(article)


def _day(value: str) -> str | None:
    head = value[:10]
    if len(head) == 10 and head[4] == "-" and head[7] == "-" and head[:4].isdigit():
        return head
    return None


def _lead_end(article: Article) -> int:
    ends = [p.end for p in article.paragraphs[:_LEAD_PARAGRAPHS]]
    if article.sentences:
        ends.append(article.sentences[min(_LEAD_SENTENCES, len(article.sentences)) - 1].end)
    return max(ends) if ends else min(len(article.text), 1000)


def _lead_publication(article: Article, lang: str, today: date) -> str | None:
    """A day the lead names with its weekday ("jeudi 30 décembre"): when an undated article was written.

    News names the day of its happening with the weekday when that day is
    the day of writing or close to it; with no year, the weekday settles it
    (the year nearest to the coarser date the article has, else the latest
    one not after today).
    """
    lead = article.text[: _lead_end(article)]
    anchor = anchor_of(article.published)
    for expr, spec in read_times(lead, anchor, lang):
        if spec.weekday is None or spec.day is None or spec.month is None:
            continue
        if (day := _day(expr.value)) is not None:
            return day
        return _year_by_weekday(spec, today)
    return None


def _year_by_weekday(spec: Spec, today: date) -> str | None:
    assert spec.month is not None and spec.day is not None
    for year in range(today.year, today.year - 40, -1):
        try:
            d = date(year, spec.month, spec.day)
        except ValueError:
            continue
        if d <= today and d.weekday() == spec.weekday:
            return d.isoformat()
    return None


def _sentence_dates(article: Article, times: list[TimeExpression]) -> list[list[str]]:
    out: list[list[str]] = [[] for _ in article.sentences]
    k = 0
    for expr in times:
        if expr.type not in ("DATE", "TIME") or (day := _day(expr.value)) is None:
            continue
        while k < len(article.sentences) and article.sentences[k].end <= expr.start:
            k += 1
        if k < len(article.sentences) and day not in out[k]:
            out[k].append(day)
    return out


def _event_date(article: Article) -> str | None:
    """The first day the lead names that is not after publication: its main happening.

    Announcements of future events ("les pourparlers du 10 janvier") are dated
    too, but are not what the article reports; neither is an entry of a
    chronology ("15 février 2011 : début de la révolte"), which opens with its date.
    """
    span = date_span(article.published.date, article.published.granularity)
    latest = min(span[1] if span else "9999-12-31", date.today().isoformat())
    lead_end = _lead_end(article)
    for sentence, days in zip(article.sentences, article.sentence_dates, strict=True):
        if sentence.start >= lead_end:
            break
        if _CHRONOLOGY.match(article.text, sentence.start, sentence.end):
            continue
        for day in days:
            if day <= latest:
                return day
    return None


# A line of a chronology: a date, then a colon or a dash ("12 février 2011 : …", "1969 -").
_CHRONOLOGY = re.compile(r"\W*(?:\d{1,2}(?:er)?\s+\w+\.?\s+)?\d{4}\s*[:–—-]\s")
