"""Where time is written, and what each expression says before it is resolved.

One grammar for every language: the rules below are patterns over slots
(``<MONTH>``, ``<WEEKDAY>``, ``<UNIT>``…) that each language fills with its
words from ``recoupe/lang/<code>/time.py``. Word order varies little for
dates in the languages we cover, and where it does both orders are allowed
("30 décembre", "December 30"; "la semaine dernière", "last week").

Written by hand rather than with dateparser or HeidelTime: dateparser has no
notion of a span in running text ("sept" read as September, "je" as a date),
and HeidelTime needs Java and costs ~2 s an article.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal

from ...lang import TimeLexicon, resources, time_lexicon

TimexType = Literal["DATE", "TIME", "DURATION", "SET"]


@dataclass(slots=True)
class Spec:
    """What an expression says, before the anchor turns it into a value."""

    type: TimexType
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None  # 0 = Monday
    rel: int | None = None  # -1 last, 0 this, +1 next
    unit: str | None = None  # calendar unit of "la semaine dernière": W, WE, M, Y, Q, H, C
    offset: int | None = None  # days from the publication date ("hier")
    narrative: int | None = None  # days from the last date told ("le lendemain")
    shift: tuple[float, str] | None = None  # units before (< 0) or after the publication date
    pod: str | None = None  # part of day: MO, AF, EV, NI
    hour: int | None = None
    minute: int | None = None
    season: str | None = None
    decade: int | None = None  # 199 for the 1990s
    century: int | None = None  # 19 for the 20th century
    value: str | None = None  # already final: durations, sets, references
    mod: str | None = None


@dataclass(slots=True)
class Candidate:
    start: int
    end: int
    spec: Spec
    rank: int  # rule order: breaks ties between equally long matches


def _alt(words: Iterable[str]) -> str:
    """A regex alternation, longest first, spaces matching any run of spaces.

    No words give a pattern that never matches: a language may leave a slot empty.
    """
    ordered = sorted({w for w in words if w}, key=lambda w: (-len(w), w))
    if not ordered:
        return "(?!)"
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered) + ")"


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}


def roman(numeral: str) -> int:
    total = 0
    values = [_ROMAN[c] for c in numeral.upper()]
    for i, v in enumerate(values):
        total += -v if i + 1 < len(values) and values[i + 1] > v else v
    return total


class Grammar:
    """The compiled rules of one language."""

    def __init__(self, lex: TimeLexicon) -> None:
        self.lex = lex
        res = resources(lex.code)
        self.months = dict(res.months)
        full = {w for w in self.months if not any(o != w and o.startswith(w) and self.months[o] ==
                                                   self.months[w] for o in self.months)}
        abbr = set(self.months) - full
        self.weekdays = {w: i for i, w in enumerate(res.weekdays)}
        mods_cal = {k.removesuffix(" de").removesuffix(" of"): v for k, v in lex.mods.items()
                    if v in ("START", "END", "MID")}
        self.mods_cal = mods_cal
        self.mods_dur = {k: v for k, v in lex.mods.items() if v not in ("START", "END", "MID")}
        number_word = _alt(lex.numbers)
        rel_words = {**dict.fromkeys(lex.last, -1), **dict.fromkeys(lex.next, 1)}
        self.rel_words = rel_words
        self.units = lex.units
        slots = {
            "<MONTH>": _alt(full),
            "<MONTHANY>": "(?:" + _alt(full) + "|" + _alt(abbr) + r"\.?)",
            "<WD>": _alt(self.weekdays),
            "<DET>": _alt(lex.determiners),
            "<THIS>": _alt(lex.this),
            "<REL>": _alt(rel_words),
            "<LAST>": _alt(lex.last),
            "<NEXT>": _alt(lex.next),
            "<DSUF>": _alt(lex.day_suffixes),
            "<FIRST>": _alt(lex.first_day),
            "<DAYW>": _alt(lex.day_offsets),
            "<NARR>": _alt(lex.narrative_offsets),
            "<POD>": _alt(lex.parts_of_day),
            "<CALMOD>": _alt(mods_cal),
            "<DURMOD>": _alt(self.mods_dur),
            "<NUMW>": rf"{number_word}(?:(?:-|\s+)(?:et(?:-|\s+))?{number_word})*",
            "<VAGUE>": _alt(lex.vague),
            "<UNIT>": _alt(lex.units),
            "<CUNIT>": _alt(u for u, (d, _) in lex.units.items() if not d.startswith("T")),
            "<HALF>": _alt(lex.half),
            "<ANDHALF>": _alt(lex.and_half),
            "<AGOB>": _alt(lex.ago_before),
            "<AGOA>": _alt(lex.ago_after),
            "<WITHIN>": _alt(lex.within),
            "<NIGHT>": _alt(lex.night_of),
            "<HMARK>": _alt(lex.hour_marks),
            "<HWORD>": _alt(lex.hour_words),
            "<CPREP>": _alt(lex.clock_preps),
            "<APPROX>": _alt(k for k, v in lex.mods.items() if v == "APPROX"),
            "<CLOCKW>": _alt(lex.clock_words),
            "<AMPM>": _alt(lex.am_pm),
            "<SEASON>": _alt(lex.seasons),
            "<SDET>": _alt(lex.season_dets),
            "<REF>": _alt(lex.refs),
            "<EACH>": _alt(lex.each),
            "<PER>": _alt(lex.per),
            "<LONE>": _alt(lex.lone_durations),
            "<YLINK>": _alt(lex.year_links),
        }
        # After a calendar modifier: "fin janvier", "mi-janvier", "à la fin de l'année".
        sep = r"(?:-|\s*(?:de\s+la\s+|de\s+l'|du\s+|des\s+|de\s+|d'|of\s+the\s+|of\s+)|\s+)"
        num = r"(?:\d+(?:[.,]\d+)?|<NUMW>)"
        rules: list[tuple[str, Callable[[re.Match[str], str], Spec | None]]] = [
            (r"(?:(?P<det><DET>|<THIS>)\s+)?(?:(?P<wd><WD>)\s*,?\s+)?(?P<day>[0-3]?\d|<FIRST>)"
             r"(?:<DSUF>)?\s+(?:de\s+|of\s+)?(?P<month><MONTHANY>)(?:,?\s+(?:<YLINK>\s+)?(?P<year>[12]\d{3})"
             r"(?!\d)|\s+'?(?P<yy>\d{2})(?=\s*(?:[,.;:)]|$)))?(?:\s+(?P<rel><REL>))?",
             self._date),
            # The first day of a range takes the month of the second ("du 19 au 23 juillet").
            (r"(?P<day>[0-3]?\d|<FIRST>)(?:<DSUF>)?(?=\s*(?:au|et|à|-|–|and|to)\s*[0-3]?\d(?:<DSUF>)?"
             r"\s+(?P<month><MONTHANY>)(?:,?\s+(?P<year>[12]\d{3}))?)", self._date),
            (r"(?:(?P<wd><WD>)\s*,?\s+)?(?P<month><MONTHANY>)\s+(?P<day>[0-3]?\d)(?:<DSUF>)?"
             r"(?!\d)(?:,?\s+(?P<year>[12]\d{3})(?!\d))?", self._date),
            (r"(?<![\d/.])(?P<a>[0-3]?\d)[/.](?P<b>[01]?\d)[/.](?P<year>[12]\d{3}|\d{2})(?![\d/]|\.\d)",
             self._numeric),
            (r"(?<![\d-])(?P<year>[12]\d{3})-(?P<month>[01]\d)-(?P<day>[0-3]\d)(?![\d-])", self._date),
            (rf"(?:(?P<mod><CALMOD>){sep})?(?:(?P<det>en|au\s+mois\s+de|le\s+mois\s+de|in|<THIS>)"
             rf"\s+)?(?P<month><MONTH>|<MONTHANY>(?=\s+[12]\d{{3}}))(?:\s+(?:<YLINK>\s+)?(?P<year>[12]\d{{3}})"
             rf"(?!\d))?(?:\s+(?P<rel><REL>))?", self._month),
            (rf"(?:(?P<mod><CALMOD>){sep})?(?P<year>1[5-9]\d\d|20\d\d)(?!\d)", self._year),
            (self.lex.decade, self._decade),
            (self.lex.century, self._century),
            (r"(?P<word><DAYW>)(?:\s+(?P<pod><POD>))?", self._deictic),
            (r"(?P<word><NARR>)(?:\s+(?P<pod><POD>))?", self._narrative),
            (r"(?P<night><NIGHT>)\s+(?P<wd><WD>)\s+(?:à|au|to)\s+(?P<wd2><WD>)", self._night),
            (r"(?:(?P<det><DET>|<THIS>)\s+)?(?:(?P<rel0><REL>)\s+)?(?:même\s+)?(?P<wd><WD>)"
             r"(?:\s+(?P<rel><REL>))?(?:\s+(?P<pod><POD>))?", self._weekday),
            (r"(?P<this><THIS>)\s+(?P<pod><POD>)(?:-(?:ci|là))?", self._pod_today),
            (rf"(?:(?P<mod><CALMOD>){sep}|(?:dans|pendant|durant|au\s+cours\s+de|en|during|in)"
             rf"\s+(?:la\s+|l'|the\s+)|(?:la\s+|l'|the\s+))(?P<pod><POD>)(?![\w-])", self._pod_story),
            (r"(?:(?P<approx><APPROX>)\s+)?(?P<h>[012]?\d)\s*(?:<HMARK>)\s*(?P<m>[0-5]\d)?(?!\w|\s*\d)"
             r"(?:\s+(?:GMT|UTC|HE|HNE|locales?|heure\s+de\s+Paris))?", self._clock),
            (r"(?:(?P<approx><APPROX>)\s+)?(?P<prep><CPREP>)\s+(?P<h>[012]?\d)\s+(?:<HWORD>)"
             r"(?:\s+(?P<m>[0-5]\d)(?!\d))?", self._clock),
            (r"(?:(?P<approx><APPROX>)\s+)?(?<![\d:])(?P<h>[012]?\d):(?P<m>[0-5]\d)(?![\d:])",
             self._clock),
            (r"(?:(?P<approx><APPROX>)\s+)?(?P<h>1[0-2]|0?\d)(?::(?P<m>[0-5]\d))?\s*(?P<ampm><AMPM>)"
             r"(?![\w.])", self._clock),
            (r"(?:(?P<approx><APPROX>)\s+)?(?P<prep><CPREP>)\s+(?P<cw><CLOCKW>)(?!\w)", self._clock),
            (rf"(?:(?P<mod><DURMOD>)\s+)?(?:(?P<ago><AGOB>)\s+|(?P<within><WITHIN>)\s+)?"
             rf"(?:(?P<det>les|des|ces|the|these|those|la|le|l')\s+)?(?P<num>{num}|<VAGUE>)"
             rf"(?:\s+(?P<last><REL>))?\s+(?P<unit><UNIT>)(?!\w)(?:\s+(?P<half><ANDHALF>))?"
             rf"(?:\s+(?P<agoa><AGOA>))?", self._duration),
            (r"(?:(?P<mod><DURMOD>)\s+)?(?:un|une|a|an)\s+(?:(?P<half><HALF>)-?\s*)(?P<unit><UNIT>)",
             self._duration),
            (r"(?P<det>ces|les|des|the|these)\s+(?P<last><REL>)\s+(?P<unit><UNIT>)(?!\w)",
             self._duration),
            (r"(?:(?P<det>un|une|le|la|du|son|sa|ce|cette|a|the)\s+)?(?P<lone><LONE>)(?!\w)",
             self._lone),
            (rf"(?:(?P<mod><CALMOD>){sep})?(?:(?P<det><DET>|<THIS>|l'|le|la)\s*)?"
             rf"(?P<unit><CUNIT>)(?:-(?:ci|là))?(?:\s+(?P<rel><REL>|en\s+cours|courant))?",
             self._calendar),
            (rf"(?:(?P<mod><CALMOD>){sep})?(?:(?P<rel0><REL>|<THIS>)\s+)(?P<unit><CUNIT>)(?!\w)",
             self._calendar),
            (r"(?:(?P<rel0><REL>|<THIS>)\s+|(?P<sdet><SDET>)\s*)(?P<season><SEASON>)(?!\w)"
             r"(?:\s+(?P<year>[12]\d{3})(?!\d))?(?:\s+(?P<rel><REL>))?", self._season),
            (r"(?P<each><EACH>)\s+(?:(?P<num>\d+|<NUMW>)\s+)?(?P<unit><UNIT>)(?!\w)", self._set),
            (r"(?P<each><EACH>)\s+(?P<wd><WD>)s?(?!\w)", self._set),
            (r"(?<=\s)(?P<per><PER>)\s+(?P<unit><UNIT>)(?!\w)", self._set),
            (r"(?P<ref><REF>)", self._ref),
        ]
        self.rules: list[tuple[re.Pattern[str], Callable[[re.Match[str], str], Spec | None]]] = []
        for pattern, build in rules:
            if not pattern:
                continue  # a rule the language has no words for (decades, centuries)
            for slot, words in slots.items():
                pattern = pattern.replace(slot, words)
            self.rules.append((re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.I), build))
        self._future = re.compile(lex.future, re.I) if lex.future else None
        self._past = re.compile(lex.past, re.I) if lex.past else None

    # --- finding ---------------------------------------------------------

    def candidates(self, text: str) -> list[Candidate]:
        found: list[Candidate] = []
        for rank, (pattern, build) in enumerate(self.rules):
            for m in pattern.finditer(text):
                if m.end() - m.start() > 80:  # no time expression is longer; guards odd input
                    continue
                try:
                    spec = build(m, text)
                except (ValueError, OverflowError, KeyError):
                    spec = None
                if spec is not None:
                    start, end = self._trim(m, text)
                    found.append(Candidate(start, end, spec, rank))
        return found

    def _trim(self, m: re.Match[str], text: str) -> tuple[int, int]:
        # A span leaves out what only introduced the expression ("en 1990", "par an").
        start = m.start()
        if "per" in m.re.groupindex and m.group("per"):
            start = m.start("unit")
        return start, m.end()

    def tense(self, sentence: str, at: int) -> str | None:
        """The tense of the verb nearest to position ``at`` of ``sentence``: future, past or None."""
        best: tuple[int, str] | None = None
        for pattern, tense in ((self._future, "future"), (self._past, "past")):
            if pattern is None:
                continue
            for m in pattern.finditer(sentence):
                distance = min(abs(m.start() - at), abs(m.end() - at))
                if distance > _TENSE_REACH:
                    continue
                if best is None or distance < best[0]:
                    best = (distance, tense)
        return best[1] if best else None

    # --- reading --------------------------------------------------------

    def _word_before(self, text: str, start: int) -> str:
        head = text[max(0, start - 30) : start].rstrip()
        m = re.search(r"([\w'-]+|\()$", head)
        return m.group(1).lower() if m else ""

    def _words_before(self, text: str, start: int, n: int) -> str:
        head = text[max(0, start - 40) : start].lower().split()
        return " ".join(head[-n:])

    def _day(self, raw: str) -> int:
        return 1 if raw.lower() in self.lex.first_day else int(raw)

    def _month_of(self, raw: str) -> int:
        return self.months[raw.lower().rstrip(".")]

    def _rel(self, m: re.Match[str], *groups: str) -> int | None:
        for g in groups:
            if g in m.re.groupindex and m.group(g):
                word = " ".join(m.group(g).lower().split())
                if word in self.rel_words:
                    return self.rel_words[word]
                if word in self.lex.this or word in ("en cours", "courant"):
                    return 0
        return None

    def _date(self, m: re.Match[str], text: str) -> Spec | None:
        day = self._day(m.group("day"))
        month = int(m.group("month")) if m.group("month").isdigit() else self._month_of(m.group("month"))
        year = int(m.group("year")) if m.group("year") else None
        if year is None and "yy" in m.re.groupindex and m.group("yy"):
            year = -int(m.group("yy"))  # two digits: the century comes from the anchor
        if not (1 <= day <= 31 and 1 <= month <= 12):
            return None
        wd = self.weekdays.get(m.group("wd").lower()) if "wd" in m.re.groupindex and m.group("wd") else None
        return Spec("DATE", year=year, month=month, day=day, weekday=wd, rel=self._rel(m, "rel"))

    def _numeric(self, m: re.Match[str], text: str) -> Spec | None:
        a, b = int(m.group("a")), int(m.group("b"))
        day, month = (b, a) if self.lex.numeric_month_first else (a, b)
        year = int(m.group("year"))
        if len(m.group("year")) == 2:
            year = -year
        if not (1 <= day <= 31 and 1 <= month <= 12):
            return None
        return Spec("DATE", year=year, month=month, day=day)

    def _month(self, m: re.Match[str], text: str) -> Spec | None:
        word = m.group("month")
        if self.lex.capitalised_months and not word[0].isupper():
            return None
        bare = not (m.group("year") or m.group("mod") or m.group("det") or m.group("rel"))
        # A bare month name capitalised in mid-sentence is a name ("Mars"), not a month.
        if bare and word[0].isupper() and not self.lex.capitalised_months and not _sentence_start(
                text, m.start("month")):
            return None
        return Spec("DATE", year=int(m.group("year")) if m.group("year") else None,
                    month=self._month_of(word), rel=self._rel(m, "rel"),
                    mod=self.mods_cal.get(_words(m.group("mod"))) if m.group("mod") else None)

    def _year(self, m: re.Match[str], text: str) -> Spec | None:
        start, end = m.start("year"), m.end("year")
        mod = self.mods_cal.get(_words(m.group("mod"))) if m.group("mod") else None
        before = text[max(0, start - 3) : start]
        if re.search(r"\d[\s.,]?$", before) or re.search(r"[€$£#°]\s*$|n°\s*$", before, re.I):
            return None  # part of a larger number or an identifier
        after = text[end : end + 40]
        if re.match(r"\s?\d", after) or re.match(r"[.,]\d", after) or re.match(r"\s*%", after):
            return None
        if mod is None and not self._year_context(text, start, after):
            return None
        return Spec("DATE", year=int(m.group("year")), mod=mod)

    def _year_context(self, text: str, start: int, after: str) -> bool:
        nxt = re.match(r"\s*([\w'-]+|[^\w\s])", after)
        word = nxt.group(1) if nxt else ""
        token = word.lower()
        if token[:1].isalpha() and token not in self.lex.year_after and not word[0].isupper():
            return False  # "2000 soldats": a count of something
        prev = self._word_before(text, start)
        if prev in self.lex.year_before or prev.rstrip("-") in self.lex.year_before:
            return True
        if text[max(0, start - 1) : start] in ("-", "–", "(", "/"):
            return True
        return not token or not token[0].isalnum() or token in self.lex.year_after

    def _decade(self, m: re.Match[str], text: str) -> Spec | None:
        raw = m.group("dec")
        if len(raw) == 2:
            raw = ("19" if int(raw) >= 20 else "20") + raw
        return Spec("DATE", decade=int(raw) // 10)

    def _century(self, m: re.Match[str], text: str) -> Spec | None:
        raw = m.group("c")
        n = int(raw) if raw.isdigit() else roman(raw)
        if not 1 <= n <= 30:
            return None
        return Spec("DATE", century=n - 1)

    def _deictic(self, m: re.Match[str], text: str) -> Spec | None:
        word = _words(m.group("word"))
        offset = self.lex.day_offsets[word]
        pod = self.lex.parts_of_day[_words(m.group("pod"))] if m.group("pod") else None
        pod = pod or self.lex.day_word_parts.get(word)
        return Spec("TIME" if pod else "DATE", offset=offset, pod=pod)

    def _narrative(self, m: re.Match[str], text: str) -> Spec | None:
        offset = self.lex.narrative_offsets[_words(m.group("word"))]
        pod = self.lex.parts_of_day[_words(m.group("pod"))] if m.group("pod") else None
        return Spec("TIME" if pod else "DATE", narrative=offset, pod=pod)

    def _night(self, m: re.Match[str], text: str) -> Spec | None:
        return Spec("TIME", weekday=self.weekdays[m.group("wd").lower()], pod="NI")

    def _weekday(self, m: re.Match[str], text: str) -> Spec | None:
        pod = self.lex.parts_of_day[_words(m.group("pod"))] if m.group("pod") else None
        det = (m.group("det") or "").lower()
        rel = self._rel(m, "rel", "rel0")
        if rel is None and det in self.lex.this:
            rel = 0
        return Spec("TIME" if pod else "DATE", weekday=self.weekdays[m.group("wd").lower()],
                    rel=rel, pod=pod)

    def _pod_today(self, m: re.Match[str], text: str) -> Spec | None:
        if _words(m.group("pod")).endswith("ée"):
            return None  # "cette soirée" is an event more often than tonight
        return Spec("TIME", offset=0, pod=self.lex.parts_of_day[_words(m.group("pod"))])

    def _pod_story(self, m: re.Match[str], text: str) -> Spec | None:
        mod = self.mods_cal.get(_words(m.group("mod"))) if m.group("mod") else None
        if _EVENT_AFTER.match(text, m.end()):
            return None  # "la soirée théâtre", "la nuit blanche": an event, not a time
        return Spec("TIME", narrative=0, pod=self.lex.parts_of_day[_words(m.group("pod"))], mod=mod)

    def _clock(self, m: re.Match[str], text: str) -> Spec | None:
        if "cw" in m.re.groupindex and m.group("cw"):
            hour, minute = self.lex.clock_words[m.group("cw").lower()], 0
        else:
            hour = int(m.group("h"))
            minute = int(m.group("m")) if m.group("m") else 0
            if "ampm" in m.re.groupindex and m.group("ampm"):
                hour = hour % 12 + self.lex.am_pm[m.group("ampm").lower()]
        if hour > 24 or minute > 59:
            return None
        mod = "APPROX" if m.group("approx") else None
        return Spec("TIME", hour=hour % 24, minute=minute, mod=mod)

    def _amount(self, raw: str) -> float | None:
        raw = _words(raw)
        if raw in self.lex.vague:
            return None
        if raw[0].isdigit():
            return float(raw.replace(",", "."))
        total, current = 0, 0
        for token in re.split(r"[-\s]+", raw):
            if token in ("et", "and") or not token:
                continue
            value = self.lex.numbers[token]
            if token in self.lex.multipliers:
                if value >= 1000:
                    total += max(current, 1) * value
                    current = 0
                else:
                    current = max(current, 1) * value if current and current < value else current + value
            else:
                current += value
        return float(total + current)

    def _duration(self, m: re.Match[str], text: str) -> Spec | None:
        unit_word = _words(m.group("unit"))
        designator, size = self.units[unit_word]
        if designator == "WE":
            return None
        groups = m.re.groupindex
        amount: float | None
        if "num" in groups and m.group("num"):
            amount = self._amount(m.group("num"))
            if amount is not None and (amount <= 0 or amount > 10000):
                return None
            if designator == "Y" and amount is not None and self._is_age(m, text):
                return None
        elif "half" in groups and m.group("half"):
            amount = 0.5
        else:
            amount = None  # "ces derniers jours"
        if amount is not None and "half" in groups and m.group("half") and "num" in groups and m.group("num"):
            amount += 0.5
        if amount is not None:
            amount *= size
        mod = self.mods_dur.get(_words(m.group("mod"))) if "mod" in groups and m.group("mod") else None
        det = (m.group("det") or "").lower() if "det" in groups else ""
        ago = ("ago" in groups and m.group("ago")) or ("agoa" in groups and m.group("agoa"))
        if not ago and "num" in groups and m.group("num") and (
                f"{_words(m.group('num'))} {unit_word}" in self.lex.someday):
            return None  # "un jour" is "some day" far more often than a duration
        if ago:
            return Spec("DATE", shift=(-(amount or 0), designator), value=None if amount else "PAST_REF",
                        mod=mod)
        if "within" in groups and m.group("within") and not det:
            return Spec("DATE", shift=(amount or 0, designator), value=None if amount else "FUTURE_REF",
                        mod=mod)
        rel = self._rel(m, "last")
        if amount is None and rel is None and det:
            return None
        if rel is not None and amount is None and not det:
            return None
        return Spec("DURATION", value=duration_value(amount, designator), mod=mod)

    def _is_age(self, m: re.Match[str], text: str) -> bool:
        start = m.start("num")
        before = self._words_before(text, start, 3)
        if any(before.endswith(w) for w in self.lex.age_before):
            return True
        if re.search(r"(?:,|\()\s*$", text[max(0, start - 3) : start]) and re.match(
                r"\s*[,.)]", text[m.end() : m.end() + 3]):
            return True  # "Alain Parmentier, 53 ans, employé…"
        head = text[max(0, start - 60) : start].lower().split()
        if len(head) >= 4 and head[-1] in ("à", "et", "to", "and") and head[-2].isdigit():
            head = head[:-2]  # "des enfants de 2 à 8 ans"
        if head and head[-1] in ("de", "of") and len(head) >= 2:
            return head[-2] not in self.lex.duration_nouns
        return False

    def _lone(self, m: re.Match[str], text: str) -> Spec | None:
        word = _words(m.group("lone"))
        if word.startswith("demi-"):
            designator, size = self.units.get(word.split("-", 1)[1], ("Y", 100))
            return Spec("DURATION", value=duration_value(size / 2, designator))
        designator, size = self.units[word]
        return Spec("DURATION", value=duration_value(size, designator))

    def _calendar(self, m: re.Match[str], text: str) -> Spec | None:
        designator, size = self.units[_words(m.group("unit"))]
        groups = m.re.groupindex
        rel = self._rel(m, *(g for g in ("rel", "rel0") if g in groups))
        det = (m.group("det") or "").lower() if "det" in groups and m.group("det") else ""
        mod = self.mods_cal.get(_words(m.group("mod"))) if "mod" in groups and m.group("mod") else None
        if rel is None and (det in self.lex.this or mod is not None or m.group(0).lower().endswith("-ci")):
            rel = 0
        if rel is None:
            return None
        units: dict[tuple[str, float], str] = {
            ("W", 1): "W", ("WE", 1): "WE", ("M", 1): "M", ("Y", 1): "Y", ("M", 3): "Q",
            ("M", 6): "H", ("Y", 100): "C", ("Y", 10): "DE"}
        unit = units.get((designator, size))
        if unit is None or unit == "DE":
            return None
        return Spec("DATE", unit=unit, rel=rel, mod=mod)

    def _season(self, m: re.Match[str], text: str) -> Spec | None:
        rel = self._rel(m, "rel", "rel0")
        return Spec("DATE", season=self.lex.seasons[m.group("season").lower()],
                    year=int(m.group("year")) if m.group("year") else None,
                    rel=rel if rel is not None else 0)

    def _set(self, m: re.Match[str], text: str) -> Spec | None:
        groups = m.re.groupindex
        if "wd" in groups and m.group("wd"):
            return Spec("SET", value=f"XXXX-WXX-{self.weekdays[m.group('wd').lower()] + 1}")
        designator, size = self.units[_words(m.group("unit"))]
        if designator == "WE":
            return Spec("SET", value="XXXX-WXX-WE")
        amount = size * (self._amount(m.group("num")) or 1) if "num" in groups and m.group("num") else size
        return Spec("SET", value=duration_value(amount, designator))

    def _ref(self, m: re.Match[str], text: str) -> Spec | None:
        return Spec("TIME", value=self.lex.refs[_words(m.group("ref"))])


# A verb further away than this governs another clause, not the expression.
_TENSE_REACH = 100
_EVENT_AFTER = re.compile(
    r"\s+(?:blanche|dansante|électorale|théâtre|musicale|spéciale|festive|annuelle|cabaret|"
    r"disco|concert|débat|gala|des\s+musées|du\s+cinéma)\b", re.I)


def _words(raw: str | None) -> str:
    return " ".join((raw or "").lower().split())


def _sentence_start(text: str, at: int) -> bool:
    return not text[:at].strip() or text[:at].rstrip()[-1] in ".!?:\n«\"(—–-"


_SMALLER = {"Y": ("M", 12), "M": ("D", 30), "W": ("D", 7), "D": ("TH", 24), "TH": ("TM", 60),
            "TM": ("TS", 60)}


def duration_value(amount: float | None, designator: str) -> str:
    """ISO 8601 duration: P3D, PT30M, PXY for an unknown number of years."""
    time_part = designator.startswith("T")
    letter = designator[-1]
    if amount is None:
        return f"PTX{letter}" if time_part else f"PX{letter}"
    while amount != int(amount) and designator in _SMALLER:
        designator, factor = _SMALLER[designator]
        amount *= factor
        time_part, letter = designator.startswith("T"), designator[-1]
    text = str(int(amount)) if amount == int(amount) else f"{amount:g}"
    return f"PT{text}{letter}" if time_part else f"P{text}{letter}"


@cache
def grammar(lang: str) -> Grammar | None:
    lex = time_lexicon(lang)
    return Grammar(lex) if lex is not None else None
