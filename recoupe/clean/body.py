"""Where the article is on a page: the one run of lines from its headline to its last
paragraph, found by a learnt model rather than by rules alone.

A page's text (a scrape, a feed item, a file someone saved) carries the site
around the article: menus, other articles' headlines, "Lire aussi" lists,
cookie and login prompts, comment policies, reader comments. Each line gets
features that need no knowledge of the site (its length, punctuation, the
shape of its neighbourhood, the furniture phrases of every language) and one
that comes from the site's other pages (the line seen on other pages of the
same source). A logistic regression, trained on hand-marked pages
(``recoupe eval clean --train``, weights shipped in ``body_model.json``), gives
each line the log-odds that it belongs to the article; the body is the run of
lines whose log-odds add up to the most (a maximum-sum segment), so one short
line inside the article stays, and one long line of a sidebar does not pull
the sidebar in.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from ..lang import all_resources
from .metadata import read_page_metadata
from .repeated import line_hash
from .rules import boilerplate_reason, has_final_punctuation, word_count

_WORD = re.compile(r"[^\W\d_]+")
_SITE_SUFFIX = re.compile(r"\s[|–—-]\s[^|–—-]{2,40}$")
_LIST_MARK = re.compile(r"^\s*(?:[»>•·*▸►→-]|\d{1,2}[.)])\s")
_DATE_LINE = re.compile(r"\b(?:19|20)\d{2}\b")
_TIME = re.compile(r"\b\d{1,2}[:h]\d{2}\b")
_DIGIT = re.compile(r"\d")
_TOKEN = re.compile(r"\w+")
_HEADLINE_END = (".", "»", '"', "”", ":", ";", ",")

FEATURES = (
    "bias", "log_chars", "log_words", "final_punct", "capitalised_share", "digit_share",
    "rule_boilerplate", "repeated_line", "furniture_phrase",
    "short_neighbours", "long_neighbours", "first_quarter", "last_quarter", "relative_length",
    "site_suffix", "list_mark", "date_or_time", "before_longest", "after_longest",
    "prev_log_chars", "next_log_chars", "quote_marks", "lowercase_start", "holds_next",
    "held_above", "metadata_line", "headline_run",
)
_COL = {name: k for k, name in enumerate(FEATURES)}


@dataclass(slots=True)
class Line:
    index: int  # in the page's lines, 0-based
    text: str
    words: int
    chars: int


def page_lines(text: str) -> list[Line]:
    """The page's non-blank lines, with where they stand in ``text.split("\\n")``."""
    out = []
    for i, raw in enumerate(text.split("\n")):
        line = " ".join(raw.split())
        if line:
            out.append(Line(i, line, word_count(line), len(line)))
    return out


@cache
def _furniture() -> tuple[frozenset[tuple[str, ...]], frozenset[str], int]:
    """Every language's furniture phrases as tuples of words, their first words, and the
    longest's length."""
    phrases = {tuple(_TOKEN.findall(p.casefold())) for r in all_resources() for p in r.furniture}
    phrases.discard(())
    return (frozenset(phrases), frozenset(p[0] for p in phrases),
            max((len(p) for p in phrases), default=0))



def furniture_phrase(text: str) -> bool:
    """Whether ``text`` holds a furniture phrase of any language ("mot de passe", "cookie"),
    as whole words: a set lookup per word run, where one regular expression of them all
    cost a tenth of cleaning."""
    phrases, firsts, longest = _furniture()
    words = _TOKEN.findall(text.casefold())
    return any(tuple(words[i:i + n]) in phrases
               for i, word in enumerate(words) if word in firsts
               for n in range(1, longest + 1))


def headline_shaped(line: Line) -> bool:
    """A line shaped like a headline: a few words, not closed like a sentence."""
    return 2 <= line.words <= 30 and not line.text.endswith(_HEADLINE_END)


def features(lines: Sequence[Line], repeated: frozenset[str] = frozenset()) -> Any:
    """One row of ``FEATURES`` per line (numpy float32)."""
    n = len(lines)
    out = np.zeros((n, len(FEATURES)), dtype=np.float32)
    if not n:
        return out
    longest = max(range(n), key=lambda i: lines[i].chars)
    longest_chars = max(lines[longest].chars, 1)
    short = [ln.words < 8 and not has_final_punctuation(ln.text) for ln in lines]
    # Lines shaped like headlines, and how many of them stand together: an article has one
    # (above its text); a block of teasers to other articles has many in a row.
    shaped = [headline_shaped(ln) for ln in lines]
    run_of = [0] * n
    i = 0
    while i < n:
        j = i
        while j < n and shaped[j]:
            j += 1
        for k in range(i, j):
            run_of[k] = j - i
        i = max(j, i + 1)
    long_ = [ln.words >= 25 for ln in lines]
    col = _COL
    folded = [ln.text.casefold() for ln in lines]
    for i, ln in enumerate(lines):
        row = out[i]
        text = ln.text
        row[col["bias"]] = 1.0
        row[col["log_chars"]] = math.log1p(ln.chars)
        row[col["log_words"]] = math.log1p(ln.words)
        row[col["final_punct"]] = float(has_final_punctuation(text))
        words = _WORD.findall(text)
        if words:
            row[col["capitalised_share"]] = sum(1 for w in words if w[0].isupper()) / len(words)
        row[col["digit_share"]] = len(_DIGIT.findall(text)) / max(ln.chars, 1)
        row[col["rule_boilerplate"]] = float(boilerplate_reason(text) is not None)
        row[col["repeated_line"]] = float(line_hash(text) in repeated)
        row[col["furniture_phrase"]] = float(furniture_phrase(text))
        window = range(max(0, i - 3), min(n, i + 4))
        others = [j for j in window if j != i]
        row[col["short_neighbours"]] = sum(short[j] for j in others) / max(len(others), 1)
        row[col["long_neighbours"]] = sum(long_[j] for j in others) / max(len(others), 1)
        row[col["first_quarter"]] = float(i < n / 4)
        row[col["last_quarter"]] = float(i >= 3 * n / 4)
        row[col["relative_length"]] = ln.chars / longest_chars
        row[col["site_suffix"]] = float(bool(_SITE_SUFFIX.search(text)))
        row[col["list_mark"]] = float(bool(_LIST_MARK.match(text)))
        row[col["date_or_time"]] = float(bool(_DATE_LINE.search(text) or _TIME.search(text))
                                         and ln.words <= 12)
        row[col["before_longest"]] = float(i < longest) * min((longest - i) / 10, 3.0)
        row[col["after_longest"]] = float(i > longest) * min((i - longest) / 10, 3.0)
        row[col["prev_log_chars"]] = math.log1p(lines[i - 1].chars) if i else 0.0
        row[col["next_log_chars"]] = math.log1p(lines[i + 1].chars) if i + 1 < n else 0.0
        row[col["quote_marks"]] = float(any(q in text for q in "«»“”\""))
        row[col["lowercase_start"]] = float(text[0].islower())
        row[col["headline_run"]] = min(run_of[i], 10) / 5
        # "Publié le 17/04/11 à 18h16", "Par Jean Dupont": the article's own, however often
        # the site repeats its shape.
        row[col["metadata_line"]] = float(read_page_metadata(text) is not None)
        # "Monde Libye : X" over "Libye : X": a section label glued to the headline below.
        row[col["holds_next"]] = float(i + 1 < n and len(folded[i + 1]) >= 20
                                       and folded[i + 1][:40] in folded[i]
                                       and folded[i] != folded[i + 1])
        # The headline again, under a copy with the site's name or section: the article's own.
        row[col["held_above"]] = float(ln.chars >= 20 and any(
            folded[i][:40] in folded[j] for j in range(max(0, i - 6), i)))
    return out


START_FEATURES = (
    "bias", "run_start", "before_run", "prev_log_odds", "headline_shape", "log_chars",
    "next_long", "prev_short", "rule_boilerplate", "repeated_line", "log_odds", "first_line",
    "final_punct", "question", "next_log_odds", "held_above", "lowercase_start", "holds_next",
    "capitalised_share", "few_words", "furniture_phrase", "metadata_line", "metadata_between",
)
_REACH = 4  # lines either side of the run's start where its headline may stand


def start_candidates(lines: Sequence[Line], x: Any, log_odds: Any, run: tuple[int, int]
                     ) -> tuple[list[int], Any]:
    """Where the article may begin near the start of ``run`` (its headline, most often),
    and one row of ``START_FEATURES`` per candidate."""
    a, b = run
    col = _COL
    candidates = [c for c in range(max(0, a - _REACH), min(b, a + _REACH) + 1)
                  if c == b or not _site_sentence(lines[c], x[c])]
    out = np.zeros((len(candidates), len(START_FEATURES)), dtype=np.float32)
    meta = x[:, col["metadata_line"]]
    for k, c in enumerate(candidates):
        ln, row = lines[c], x[c]
        # A headline, then its date and byline lines, then the text the run starts with.
        between = float(c < a and all(meta[j] for j in range(c + 1, a)))
        nxt = lines[c + 1] if c + 1 < len(lines) else None
        out[k] = (
            1.0, float(c == a), float(c < a), float(log_odds[c - 1]) if c else -5.0,
            float(headline_shaped(ln)),
            row[col["log_chars"]], float(nxt is not None and nxt.words >= 20),
            float(c == 0 or lines[c - 1].words < 8), row[col["rule_boilerplate"]],
            row[col["repeated_line"]], float(log_odds[c]), float(c == 0),
            row[col["final_punct"]], float(ln.text.endswith("?")),
            float(log_odds[c + 1]) if nxt is not None else 0.0, row[col["held_above"]],
            row[col["lowercase_start"]], row[col["holds_next"]],
            row[col["capitalised_share"]], float(ln.words <= 3), row[col["furniture_phrase"]],
            row[col["metadata_line"]], between,
        )
    return candidates, out


def _site_sentence(line: Line, row: Any) -> bool:
    """A sentence about the site rather than the article ("Ce billet fait partie de notre
    dossier…", "This site uses cookies."): furniture words in a line that is not shaped
    like a headline, so never the article's first or last line."""
    return bool(row[_COL["furniture_phrase"]]) and not headline_shaped(line)


def trimmed(lines: Sequence[Line], x: Any, run: tuple[int, int]) -> tuple[int, int]:
    """``run`` without the sentences about the site at either end."""
    a, b = run
    while a < b and _site_sentence(lines[a], x[a]):
        a += 1
    while b > a and _site_sentence(lines[b], x[b]):
        b -= 1
    return a, b


@dataclass(slots=True)
class BodyModel:
    """Weights of the two logistic regressions: a line's log-odds of being the article's,
    and a candidate start's score; ``shift`` is added to every line's log-odds (more
    keeps more), chosen on the tuning half for recall."""

    weights: Any  # numpy float32, one per FEATURES
    start_weights: Any  # one per START_FEATURES
    shift: float = 0.0
    trained_on: str = ""

    def body(self, lines: Sequence[Line], repeated: frozenset[str] = frozenset()
             ) -> tuple[int, int] | None:
        """(first, last) of the article's lines, inclusive; None when none is."""
        if not lines:
            return None
        x = features(lines, repeated)
        log_odds = x @ self.weights + self.shift
        run = best_run(log_odds)
        if run is None:
            return None
        run = trimmed(lines, x, run)
        candidates, starts = start_candidates(lines, x, log_odds, run)
        return candidates[int(np.argmax(starts @ self.start_weights))], run[1]

    def to_json(self) -> str:
        return json.dumps({
            "features": list(FEATURES), "weights": _rounded(self.weights),
            "start_features": list(START_FEATURES), "start_weights": _rounded(self.start_weights),
            "shift": self.shift, "trained_on": self.trained_on,
        }, indent=1, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> BodyModel:
        data = json.loads(text)
        if list(data["features"]) != list(FEATURES) or list(
                data["start_features"]) != list(START_FEATURES):
            raise ValueError("the model was trained on other features: train it again "
                             "(recoupe eval clean --train)")
        return cls(np.asarray(data["weights"], dtype=np.float32),
                   np.asarray(data["start_weights"], dtype=np.float32),
                   float(data["shift"]), str(data.get("trained_on", "")))


def _rounded(values: Any) -> list[float]:
    return [round(float(v), 5) for v in values]


@cache
def shipped_model() -> BodyModel:
    """The model shipped in the package (``body_model.json``)."""
    return BodyModel.from_json(
        resources.files(__package__).joinpath("body_model.json").read_text(encoding="utf-8"))


def best_run(log_odds: Sequence[float]) -> tuple[int, int] | None:
    """The run of lines (first, last, inclusive) whose log-odds add up to the most; None
    when no line is more likely in than out (Kadane's maximum-sum segment)."""
    best, best_span = 0.0, None
    total, start = 0.0, 0
    for i, value in enumerate(log_odds):
        if total <= 0:
            total, start = float(value), i
        else:
            total += float(value)
        if total > best:
            best, best_span = total, (start, i)
    return best_span
