"""Metadata written into the text: date lines, bylines, credits and datelines.

These are read as metadata, not text. A metadata part may stand alone on a
line or open a paragraph (``date 2021-12 Le président…``,
``PARIS (AFP) - Le président…``); the rest of the line stays text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from ..lang import all_resources, month_names
from ..model import PublishedDate


@dataclass(slots=True)
class MetaMatch:
    consumed: str  # the metadata part, as written
    rest: str  # what remains of the line (text)
    fields: dict[str, str] = field(default_factory=dict)
    published: PublishedDate | None = None


def _alt(words: set[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def _regexes() -> dict[str, re.Pattern[str]]:
    res = all_resources()
    months = _alt(set(month_names()))
    date_keys = _alt({k for r in res for k in r.date_keys})
    byline = _alt({k for r in res for k in r.byline_keys})
    credit = _alt({k for r in res for k in r.credit_keys})
    name = r"[A-ZÀ-Ý][\w'’.-]+"
    weekdays = _alt({w for r in res for w in r.weekdays})
    joiner = _alt({w for r in res for w in r.date_joiners})
    join = rf"(?:,?\s+(?:(?:{joiner})\s+)?|\s*,\s*)" if joiner else r"(?:,?\s+)"
    # A date as metadata writes it: ISO, numeric (two-digit years too: "01/12/12"), or
    # "3 février 2022", "22 de agosto de 2011".
    written_date = (
        r"(?P<iso>\d{4}-\d{2}(?:-\d{2})?)(?:[T ]\d{2}:\d{2}(?::\d{2})?\S*)?"
        r"|(?P<dmy>\d{1,2})(?P<sep>[/.-])(?P<mn>\d{1,2})(?P=sep)(?P<y4>\d{4}|\d{2})(?!\d)"
        rf"|(?P<d>\d{{1,2}})(?:er|st|nd|rd|th|º)?{join}(?P<month>{months})\.?{join}"
        r"(?P<year>\d{4})"
    )
    time = r"(?:\s*(?:à|at|a las|alle|,)?\s*\d{1,2}\s*[h:]\s*\d{0,2}(?:\s*(?:GMT|UTC|CET|HE))?)?"
    return {
        "date_line": re.compile(
            rf"^\s*[–—-]?\s*(?:{date_keys})\s*[:=]?\s*(?:{written_date}){time}\s*[|,;–—-]?\s*",
            re.I,
        ),
        # A line that is only a date, perhaps with its weekday and time ("22 de Agosto,
        # 2011 |", "08-07-13 à 12h47"): the page's date, when it stands by the headline.
        "bare_date": re.compile(
            rf"^\s*[–—-]?\s*(?:(?:{weekdays}),?\s+)?(?:{written_date}){time}\s*[|,;–—-]?\s*$",
            re.I,
        ),
        "byline": re.compile(
            rf"^\s*(?:{byline})\s+(?P<author>(?-i:{name})(?:\s+(?:(?-i:{name})|et|and|y|e|,))"
            r"{0,6})\s*$",
            re.I,
        ),
        "credit": re.compile(
            rf"^\s*(?:{credit})\s*:?\s+(?P<credit>(?-i:[A-Z][\w.-]*)(?:\s*[,/&]\s*"
            r"(?-i:[A-Z][\w.-]*)|\s+(?:et|and|y|e)\s+(?-i:[A-Z][\w.-]*)){0,4})\s*\.?\s*$",
            re.I,
        ),
        # "Paris, 3 févr. (Agence) –", "WASHINGTON (Reuters) -", "Kiev, 3 mars -".
        "dateline": re.compile(
            rf"^\s*(?P<place>{name}(?:[ -]{name}){{0,3}})\s*,?\s*"
            rf"(?:(?P<d>\d{{1,2}})(?:er)?\s+(?P<month>{months})\.?(?:\s+(?P<year>\d{{4}}))?)?\s*"
            r"(?:\((?P<agency>[^()]{1,40})\))?\s*[–—-]{1,2}\s*"
        ),
    }


def read_metadata_line(line: str) -> MetaMatch | None:
    """Metadata at the start of ``line`` (date, byline, credit), or None."""
    rx = _regexes()
    if m := rx["date_line"].match(line):
        pub = _published(m)
        if pub is not None:
            return MetaMatch(m.group(0).strip(), line[m.end() :].strip(),
                             {"date": m.group(0).strip()}, pub)
    if m := rx["byline"].match(line):
        return MetaMatch(line.strip(), "", {"author": m.group("author").strip()})
    if m := rx["credit"].match(line):
        return MetaMatch(line.strip(), "", {"credit": m.group("credit").strip()})
    return None


def read_page_metadata(line: str) -> MetaMatch | None:
    """A metadata line ("Publié le …", "Par …"), or a line that is only a date."""
    return read_metadata_line(line) or read_date_line(line)


def read_date_line(line: str) -> MetaMatch | None:
    """A line that is nothing but a date (and perhaps a weekday or a time), or None."""
    m = _regexes()["bare_date"].match(line)
    if m is None or (pub := _published(m)) is None:
        return None
    return MetaMatch(line.strip(), "", {"date": line.strip()}, pub)


def read_dateline(line: str) -> MetaMatch | None:
    """A dateline opening ``line``; it needs a date or an agency to count."""
    m = _regexes()["dateline"].match(line)
    if not m:
        return None
    has_date = m.group("d") is not None
    if not has_date and m.group("agency") is None and not m.group("place").isupper():
        return None
    fields = {"dateline": m.group(0).strip(), "place": m.group("place")}
    if m.group("agency"):
        fields["agency"] = m.group("agency").strip()
    if has_date:
        month = month_names().get(m.group("month").lower().rstrip("."))
        day = int(m.group("d"))
        if month is not None:
            # Without a year, kept as an ISO "--MM-DD" until a story gives one.
            fields["dateline_date"] = f"--{month:02d}-{day:02d}"
            if m.group("year"):
                pub = _checked(int(m.group("year")), month, day, "dateline")
                return MetaMatch(m.group(0).strip(), line[m.end() :].strip(), fields, pub)
    return MetaMatch(m.group(0).strip(), line[m.end() :].strip(), fields)


def _published(m: re.Match[str]) -> PublishedDate | None:
    if m.group("iso"):
        parts = [int(p) for p in m.group("iso").split("-")]
        if len(parts) == 2:
            return _checked(parts[0], parts[1], 1, "metadata", "month")
        return _checked(parts[0], parts[1], parts[2], "metadata")
    if m.group("dmy"):
        year = int(m.group("y4"))
        if year < 100:  # "01/12/12": the century that does not put it in the future
            year += 2000 if 2000 + year <= date.today().year else 1900
        return _checked(year, int(m.group("mn")), int(m.group("dmy")), "metadata")
    month = month_names().get(m.group("month").lower().rstrip("."))
    if month is None:
        return None
    return _checked(int(m.group("year")), month, int(m.group("d")), "metadata")


def _checked(
    year: int, month: int, day: int, basis: str, granularity: str = "day"
) -> PublishedDate | None:
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    if not 1800 <= year <= 2200:
        return None
    return PublishedDate(value.isoformat(), granularity, basis)  # type: ignore[arg-type]


def resolve_dateline_year(month_day: str, near: str) -> str | None:
    """Put a year on a "--MM-DD" dateline: the one closest to the ``near`` date."""
    anchor = date.fromisoformat(near)
    month, day = int(month_day[2:4]), int(month_day[5:7])
    best: date | None = None
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if best is None or abs((candidate - anchor).days) < abs((best - anchor).days):
            best = candidate
    return best.isoformat() if best else None


@cache
def _content_date() -> re.Pattern[str]:
    res = all_resources()
    rel = _alt({w for r in res for w in (*r.yesterday, *r.today)})
    weekdays = _alt({w for r in res for w in r.weekdays})
    months = _alt(set(month_names()))
    return re.compile(
        rf"\b(?P<rel>{rel})\s*,?\s*(?:(?:{weekdays})\s+)?(?P<d>\d{{1,2}})(?:er|st|nd|rd|th)?\s+"
        rf"(?P<month>{months})\.?\s+(?P<year>\d{{4}})\b",
        re.I,
    )


@cache
def _yesterday_words() -> frozenset[str]:
    return frozenset(w for r in all_resources() for w in r.yesterday)


def content_published(text: str) -> PublishedDate | None:
    """"hier, mercredi 2 février 2022" in the text: published the day after."""
    m = _content_date().search(text)
    if not m:
        return None
    month = month_names().get(m.group("month").lower().rstrip("."))
    if month is None:
        return None
    day = _checked(int(m.group("year")), month, int(m.group("d")), "content")
    if day is None or day.date is None:
        return None
    if m.group("rel").lower() in _yesterday_words():
        day.date = (date.fromisoformat(day.date) + timedelta(days=1)).isoformat()
    # Nothing was written after the day it is read.
    return day if day.date <= date.today().isoformat() else None
