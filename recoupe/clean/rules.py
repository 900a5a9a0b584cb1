"""Line rules: what in a plain-text article is site chrome, not the article.

Each rule looks at one line and names the reason it is boilerplate, or says
nothing. Phrases come from every language's resources (cleaning runs before
language identification).
"""

from __future__ import annotations

import re
from functools import cache

from ..lang import all_resources

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_FINAL_PUNCT = tuple(".!?:;»\"”)")
_CRUMB_SEPARATORS = re.compile(r"\s[›>»/|]\s|\s>\s")
_COPYRIGHT = re.compile(r"^\s*(©|\(c\)\s|copyright\b)", re.IGNORECASE)
# After "Lire aussi" / "Article suivant": end of line, a separator, or a
# capitalised linked title (glued or not); a lowercase word means prose.
_LINK_TAIL = r"(?:\s*$|\s*[:|»>–—-]|\s*(?=(?-i:[A-ZÀ-Ý«\"“])))"
_PUNCT_STRIP = " \t.:;!|·•-–—»«\"'()[]"


def _alternation(phrases: set[str]) -> str:
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    res = all_resources()
    related = _alternation({p for r in res for p in r.related_links})
    prev_next = _alternation({p for r in res for p in r.prev_next if " " in p})
    counters = _alternation({p for r in res for p in r.counter_words})
    crumbs = _alternation({p for r in res for p in r.crumb_heads})
    return {
        # "Lire aussi: …", "Lire aussi Selon …": a link to another article.
        "related": re.compile(rf"^\s*(?:{related}){_LINK_TAIL}", re.I),
        # "Article précédentTwitter …": often glued to the linked title.
        "prev_next": re.compile(rf"^\s*(?:{prev_next}){_LINK_TAIL}", re.I),
        "counter": re.compile(rf"^\s*\d[\d\s.,]*\s*(?:{counters})\s*$", re.I),
        "crumb": re.compile(rf"^\s*(?:{crumbs})\b", re.I),
    }


@cache
def _widget_lines() -> frozenset[str]:
    res = all_resources()
    words = {p for r in res for p in r.widget_lines}
    words |= {p for r in res for p in r.prev_next if " " not in p}
    return frozenset(words)


def boilerplate_reason(line: str) -> str | None:
    """Why ``line`` is boilerplate, or None when it is article text."""
    stripped = line.strip()
    if not stripped:
        return None
    if not _WORD.search(stripped):
        return "no words (counter, stray digits or punctuation)"
    pats = _patterns()
    folded = stripped.casefold().strip(_PUNCT_STRIP)
    if folded in _widget_lines():
        return "share, ad or subscription widget"
    if pats["counter"].match(stripped):
        return "share or comment counter"
    if pats["related"].match(stripped):
        return "link to another article"
    if pats["prev_next"].match(stripped):
        return "previous/next article navigation"
    if _COPYRIGHT.match(stripped):
        return "copyright notice"
    if pats["crumb"].match(stripped) and _looks_like_crumb(stripped):
        return "navigation breadcrumb"
    return None


def _looks_like_crumb(line: str) -> bool:
    # "Accueil > Monde > Europe", or "Accueil Monde Titre tronqué…".
    if _CRUMB_SEPARATORS.search(line) or line.endswith(("...", "…")):
        return True
    return len(line.split()) <= 8 and not line.endswith(_FINAL_PUNCT)


def has_final_punctuation(line: str) -> bool:
    return line.rstrip().endswith(_FINAL_PUNCT)


def word_count(line: str) -> int:
    return len(_WORD.findall(line))
