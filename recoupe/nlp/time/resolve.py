"""From what an expression says to an ISO-TimeML value, given the publication date.

News is written in relative time. Deictic words ("hier", a bare weekday,
"la semaine dernière") count from the publication date; anaphoric ones
("le lendemain", "la soirée", a clock time) from the last day the narrative
told. A bare weekday or a day without a year is placed in the past or the
future by the tense of the nearest verb, or by a day the text already named.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from ...model import TimeExpression
from ..canonical import normalise_for_matching
from .grammar import Candidate, Grammar, Spec, grammar

_SENTENCE_END = re.compile(r"[.!?]+(?=\s)|\n")
_SEASON_LAST_MONTH = {"SP": 5, "SU": 8, "FA": 11, "WI": 2}
_MAX_DAYS = 400_000  # beyond year 3000 or before year 1000 nothing is a date


@dataclass(slots=True)
class Anchor:
    day: date | None  # the publication day, when known to the day
    month: tuple[int, int] | None  # (year, month), when known at least to the month
    year: int | None

    @classmethod
    def of(cls, value: date | datetime | str | None) -> Anchor:
        if value is None:
            return cls(None, None, None)
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            return cls(value, (value.year, value.month), value.year)
        text = str(value).strip()
        try:
            if len(text) >= 10:
                d = date.fromisoformat(text[:10])
                return cls(d, (d.year, d.month), d.year)
            if len(text) == 7:
                y, m = int(text[:4]), int(text[5:7])
                if 1 <= m <= 12:
                    return cls(None, (y, m), y)
            if len(text) == 4 and text.isdigit():
                return cls(None, None, int(text))
        except ValueError:
            pass
        return cls(None, None, None)


def select(candidates: list[Candidate]) -> list[Candidate]:
    """Non-overlapping expressions, longest first (then the earlier rule)."""
    ordered = sorted(candidates, key=lambda c: (-(c.end - c.start), c.rank, c.start))
    taken: list[Candidate] = []
    for cand in ordered:
        if all(cand.end <= t.start or cand.start >= t.end for t in taken):
            taken.append(cand)
    return sorted(taken, key=lambda c: c.start)


def extract_times(
    text: str, anchor: date | datetime | str | None, lang: str = "fr"
) -> list[TimeExpression]:
    """Every temporal expression in ``text``, resolved against the publication date ``anchor``.

    Lenient: a language without time words yields nothing, and nonsense
    ("le 31 février", "le 45/13") yields no expression rather than an error.
    """
    return [expr for expr, _ in read_times(text, anchor, lang)]


def read_times(
    text: str, anchor: date | datetime | str | None, lang: str = "fr"
) -> list[tuple[TimeExpression, Spec]]:
    """``extract_times`` with what each expression said before resolution."""
    g = grammar(lang)
    if g is None or not text:
        return []
    matchable = normalise_for_matching(text)
    chosen = select(g.candidates(matchable))
    return Resolver(g, matchable, Anchor.of(anchor)).resolve(text, chosen)


class Resolver:
    def __init__(self, g: Grammar, text: str, anchor: Anchor) -> None:
        self.g = g
        self.text = text
        self.anchor = anchor
        self.ends = [m.end() for m in _SENTENCE_END.finditer(text)]

    def sentence(self, at: int) -> tuple[int, int]:
        start = 0
        for end in self.ends:
            if end > at:
                return start, end
            start = end
        return start, len(self.text)

    def tense(self, cand: Candidate) -> str | None:
        s, e = self.sentence(cand.start)
        sentence = self.text[s:e]
        # The expression itself is no evidence of tense ("mardi dernier").
        masked = sentence[: cand.start - s] + " " * (cand.end - cand.start) + sentence[cand.end - s :]
        return self.g.tense(masked, cand.start - s)

    def resolve(self, original: str, chosen: list[Candidate]) -> list[tuple[TimeExpression, Spec]]:
        values: dict[int, tuple[str, str, str | None]] = {}
        days: dict[int, date] = {}
        # First what depends only on the publication date, then, in reading order, what
        # depends on the narrative (the last day told) or on a day of the same sentence.
        for i, cand in enumerate(chosen):
            if not _dependent(cand.spec):
                self._settle(i, cand, _safely(self._independent, cand), values, days)
        # Clock times last: they take the day of their sentence, which may come after them.
        narrative: date | None = None
        told: list[date | None] = []
        for i, cand in enumerate(chosen):
            told.append(narrative)
            if _dependent(cand.spec) and cand.spec.hour is None:
                self._settle(i, cand, _safely(self._dependent_value, i, cand, chosen, days,
                                              narrative), values, days)
            if i in days:
                narrative = days[i]
        for i, cand in enumerate(chosen):
            if cand.spec.hour is not None:
                self._settle(i, cand, _safely(self._dependent_value, i, cand, chosen, days,
                                              told[i]), values, days)
        out = []
        for i, cand in enumerate(chosen):
            if i not in values:
                continue
            value, type_, mod = values[i]
            expr = TimeExpression(cand.start, cand.end, original[cand.start : cand.end],
                                  type_, value, mod)  # type: ignore[arg-type]
            out.append((expr, cand.spec))
        return out

    def _settle(self, i: int, cand: Candidate, result: tuple[str, date | None] | None,
                values: dict[int, tuple[str, str, str | None]], days: dict[int, date]) -> None:
        if result is None:
            return
        value, day = result
        values[i] = (value, cand.spec.type, cand.spec.mod)
        if day is not None:
            days[i] = day

    # --- values that need only the publication date --------------------------------

    def _independent(self, cand: Candidate) -> tuple[str, date | None] | None:
        spec = cand.spec
        a = self.anchor
        if spec.value is not None and spec.shift is None:
            return spec.value, None
        if spec.shift is not None:
            return self._shifted(spec)
        if spec.century is not None:
            return f"{spec.century:02d}", None
        if spec.decade is not None:
            return f"{spec.decade:03d}", None
        if spec.season is not None:
            year = spec.year or self._season_year(spec)
            return (f"{year}-{spec.season}" if year else f"XXXX-{spec.season}"), None
        if spec.unit is not None:
            return self._calendar(spec)
        if spec.offset is not None:
            if a.day is None:
                return None
            shifted = a.day + timedelta(days=spec.offset)
            return _with_pod(shifted.isoformat(), spec), shifted
        if spec.day is not None and spec.month is not None:
            told = self._day_month(cand, spec)
            if told is None:
                return None
            if isinstance(told, str):
                return told, None
            return _with_pod(told.isoformat(), spec), told
        if spec.month is not None:
            return self._month(cand, spec), None
        if spec.year is not None:
            return f"{spec.year:04d}", None
        if spec.weekday is not None:
            weekday = self._weekday(cand, spec)
            if weekday is None:
                return f"XXXX-WXX-{spec.weekday + 1}", None
            return _with_pod(weekday.isoformat(), spec), weekday
        return None

    def _shifted(self, spec: Spec) -> tuple[str, date | None] | None:
        assert spec.shift is not None
        amount, designator = spec.shift
        a = self.anchor
        if spec.value is not None:  # "il y a quelques jours"
            return spec.value, None
        if designator in ("D", "W") and a.day is not None:
            days = amount * (7 if designator == "W" else 1)
            if days != int(days) or abs(days) > _MAX_DAYS:
                return None
            d = a.day + timedelta(days=int(days))
            return d.isoformat(), d
        if designator == "M" and a.month is not None and amount == int(amount):
            y, m = _add_months(a.month, int(amount))
            return f"{y:04d}-{m:02d}", None
        if designator == "Y" and a.year is not None and amount == int(amount):
            return f"{a.year + int(amount):04d}", None
        if designator.startswith("T"):
            return ("PAST_REF" if amount < 0 else "FUTURE_REF"), None
        return None

    def _season_year(self, spec: Spec) -> int | None:
        a = self.anchor
        if a.year is None:
            return None
        if spec.rel == -1:
            last = _SEASON_LAST_MONTH[spec.season or "SU"]
            month = a.month[1] if a.month else 12
            return a.year if month > last and spec.season != "WI" else a.year - 1
        return a.year + (spec.rel or 0)

    def _calendar(self, spec: Spec) -> tuple[str, date | None] | None:
        a, rel = self.anchor, spec.rel or 0
        if spec.unit in ("W", "WE"):
            if a.day is None:
                return None
            y, w, _ = (a.day + timedelta(weeks=rel)).isocalendar()
            return f"{y}-W{w:02d}" + ("-WE" if spec.unit == "WE" else ""), None
        if spec.unit == "M":
            if a.month is None:
                return None
            y, m = _add_months(a.month, rel)
            return f"{y:04d}-{m:02d}", None
        if a.year is None:
            return None
        if spec.unit == "Y":
            return f"{a.year + rel:04d}", None
        if spec.unit in ("Q", "H") and a.month is not None:
            span = 3 if spec.unit == "Q" else 6
            index = (a.month[1] - 1) // span + rel
            y = a.year + index // (12 // span)
            return f"{y:04d}-{spec.unit}{index % (12 // span) + 1}", None
        if spec.unit == "C":
            return f"{(a.year // 100) + rel:02d}", None
        return None

    def _year_of(self, raw: int) -> int:
        # Two-digit years ("le 10 novembre 93") come as negatives: the nearest century.
        if raw >= 0:
            return raw
        yy = -raw
        base = self.anchor.year or date.today().year
        options = [c * 100 + yy for c in (base // 100 - 1, base // 100)]
        return min((y for y in options if y <= base + 10), key=lambda y: abs(base - y))

    def _day_month(self, cand: Candidate, spec: Spec) -> date | str | None:
        assert spec.day is not None and spec.month is not None
        if spec.year is not None:
            try:
                return date(self._year_of(spec.year), spec.month, spec.day)
            except ValueError:
                return None
        if not _valid_day(spec.month, spec.day):
            return None
        a = self.anchor
        if a.year is None:
            return f"XXXX-{spec.month:02d}-{spec.day:02d}"
        reference = a.day or date(a.year, a.month[1] if a.month else 7, 15)
        options = []
        for y in range(a.year - 1, a.year + 2):
            try:
                options.append(date(y, spec.month, spec.day))
            except ValueError:
                continue
        if spec.weekday is not None:
            matching = [d for d in options if d.weekday() == spec.weekday]
            if not matching:
                # Weekday consistency settles the year ("jeudi 30 décembre" was 2021).
                for back in range(2, 30):
                    for y in (a.year - back, a.year + back):
                        try:
                            d = date(y, spec.month, spec.day)
                        except ValueError:
                            continue
                        if d.weekday() == spec.weekday:
                            return d
                return None
            options = matching
        if not options:
            return None
        return self._choose(options, reference, spec.rel, self.tense(cand))

    @staticmethod
    def _choose(options: list[date], reference: date, rel: int | None, tense: str | None) -> date:
        if rel == -1 or (rel is None and tense == "past"):
            past = [d for d in options if d <= reference]
            if past:
                return max(past)
        if rel == 1 or (rel is None and tense == "future"):
            future = [d for d in options if d >= reference]
            if future:
                return min(future)
        return min(options, key=lambda d: (abs((d - reference).days), d > reference))

    def _month(self, cand: Candidate, spec: Spec) -> str:
        assert spec.month is not None
        a = self.anchor
        if spec.year is not None:
            return f"{spec.year:04d}-{spec.month:02d}"
        if a.month is None:
            return f"XXXX-{spec.month:02d}"
        reference = date(a.month[0], a.month[1], 1)
        year = a.month[0]
        options = [date(y, spec.month, 1) for y in (year - 1, year, year + 1)]
        tense = self.tense(cand)
        if spec.rel == -1:
            chosen = max(d for d in options if d < reference)
        elif spec.rel == 1:
            chosen = min(d for d in options if d > reference)
        elif tense == "past":
            chosen = max(d for d in options if d <= reference)
        elif tense == "future":
            chosen = min(d for d in options if d >= reference)
        else:
            chosen = min(options, key=lambda d: (abs((d - reference).days), d > reference))
        return f"{chosen.year:04d}-{chosen.month:02d}"

    def _weekday(self, cand: Candidate, spec: Spec) -> date | None:
        assert spec.weekday is not None
        day = self.anchor.day
        if day is None:
            return None
        delta = (spec.weekday - day.weekday()) % 7
        if spec.rel == 1:
            return day + timedelta(days=delta or 7)
        if spec.rel == -1:
            return day - timedelta(days=(7 - delta) % 7 or 7)
        if spec.rel == 0:
            return day + timedelta(days=spec.weekday - day.weekday())
        if delta == 0:
            return day
        tense = self.tense(cand)
        if tense is None:
            # Past events are told in the past tense; a weekday in a present-tense
            # sentence is the nearest one, the coming one on a tie.
            tense = "future" if delta <= 7 - delta else "past"
        if tense == "future":
            return day + timedelta(days=delta)
        return day - timedelta(days=7 - delta)

    # --- values that need the narrative --------------------------------------------

    def _dependent_value(self, i: int, cand: Candidate, chosen: list[Candidate],
                         days: dict[int, date], narrative: date | None) -> tuple[str, date | None] | None:
        spec = cand.spec
        if spec.hour is not None:
            day = self._sentence_day(i, cand, chosen, days) or narrative or self.anchor.day
            clock = f"T{spec.hour:02d}:{spec.minute or 0:02d}"
            return ((day.isoformat() if day else "XXXX-XX-XX") + clock), day
        if spec.weekday is not None and spec.pod == "NI":  # "la nuit de lundi à mardi"
            d = self._weekday(cand, Spec("DATE", weekday=spec.weekday))
            return (_with_pod(d.isoformat(), spec), d) if d else None
        if spec.weekday is not None:
            # A weekday the narrative already named ("samedi 29 mai … samedi, à 8 h").
            if narrative is not None and narrative.weekday() == spec.weekday and spec.rel in (None, 0) and (
                    self.anchor.day is None or abs((narrative - self.anchor.day).days) <= 7):
                return _with_pod(narrative.isoformat(), spec), narrative
            result = self._independent(cand)
            return result
        base = narrative or self.anchor.day
        if base is None:
            return None
        d = base + timedelta(days=spec.narrative or 0)
        return _with_pod(d.isoformat(), spec), d

    def _sentence_day(self, i: int, cand: Candidate, chosen: list[Candidate],
                      days: dict[int, date]) -> date | None:
        s, e = self.sentence(cand.start)
        near = [(abs(cand.start - chosen[j].end) if j < i else abs(chosen[j].start - cand.end) + 1, j)
                for j in days if s <= chosen[j].start < e and j != i]
        return days[min(near)[1]] if near else None


def _safely(resolve: Callable[..., tuple[str, date | None] | None], *args: Any
            ) -> tuple[str, date | None] | None:
    """A value, or None for an expression whose day falls off the calendar ("le lendemain"
    of 31 December 9999): one unresolvable expression never costs the article."""
    try:
        return resolve(*args)
    except (OverflowError, ValueError):
        return None


def _dependent(spec: Spec) -> bool:
    return (spec.hour is not None or spec.narrative is not None
            or (spec.weekday is not None and spec.day is None))


def _with_pod(day: str, spec: Spec) -> str:
    return f"{day}T{spec.pod}" if spec.pod else day


def _add_months(year_month: tuple[int, int], n: int) -> tuple[int, int]:
    y, m = year_month
    index = y * 12 + (m - 1) + n
    return index // 12, index % 12 + 1


def _valid_day(month: int, day: int) -> bool:
    # 29 February exists in leap years, so it is valid without a year.
    return 1 <= day <= (29 if month == 2 else (30 if month in (4, 6, 9, 11) else 31))
