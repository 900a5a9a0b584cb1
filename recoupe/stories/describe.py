"""What a story shows: headline, date, languages, sources and how many are independent."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ..clean.body import furniture_phrase
from ..clean.rules import boilerplate_reason
from ..model import Article, Embedding, Granularity, ReusePair, Story, own_date

_HEADLINE_CHARS = 160
_WORDS = re.compile(r"[^\W\d_]+")
_SAYS = 3  # words a sentence needs to stand as a headline


def event_day(members: Sequence[Article]) -> str | None:
    """The day of the story's main happening: the one most of its articles' leads report.

    A day after the story's last publication is no happening it reports, and one more
    than ``_EARLIER`` days before its first publication is background (a caption, an
    anniversary), unless several of its articles' leads agree on it. Ties go to the
    earliest day: later ones are follow-ups more often than not.
    """
    counts = Counter(a.event_date for a in members if a.event_date)
    published = sorted(d for a in members if (d := own_day(a)))
    if published:
        first = (date.fromisoformat(published[0]) - timedelta(days=_EARLIER)).isoformat()
        counts = Counter({d: n for d, n in counts.items()
                          if d <= published[-1] and (d >= first or n >= 2)})
    if not counts:
        return None
    return min(counts, key=lambda d: (-counts[d], d))


_EARLIER = 7  # days before its first publication a story's own happening may lie


def own_day(article: Article) -> str | None:
    """The day the article itself says it was published (not one its story lent it)."""
    own = own_date(article.published)
    return own.date if own is not None and own.granularity == "day" else None


def story_date(members: Sequence[Article]) -> tuple[str | None, Granularity | None]:
    """The median publication day its articles give (a story-given date is no evidence).

    Falls back to the commonest month, then year, when no article has a day.
    """
    evidence = [own for a in members if (own := own_date(a.published)) is not None]
    for granularity in ("day", "month", "year"):
        dates = sorted(p.date for p in evidence if p.granularity == granularity and p.date)
        if not dates:
            continue
        if granularity == "day":
            return dates[(len(dates) - 1) // 2], "day"
        return Counter(dates).most_common(1)[0][0], granularity  # type: ignore[return-value]
    return None, None


def main_language(members: Sequence[Article]) -> str | None:
    """The language most of a story's articles are in (ties: the first by code)."""
    counts = Counter(a.language for a in members if a.language)
    if not counts:
        return None
    return min(counts, key=lambda lang: (-counts[lang], lang))


def describe_members(story: Story, members: Sequence[Article], pairs: Sequence[ReusePair]
                     ) -> None:
    """Languages, sources, and how many of the sources are independent (``coverage``)."""
    story.languages = sorted({a.language for a in members if a.language})
    story.sources = sorted({a.source for a in members if a.source})
    story.coverage = coverage(members, pairs)


def coverage(members: Sequence[Article], pairs: Sequence[ReusePair]) -> int:
    """Independent sources among ``members``: the groups that a shared source or a reuse
    link between two members joins (an article with no source is its own)."""
    at = {a.id: i for i, a in enumerate(members)}
    first_of: dict[str, int] = {}
    edges = [(i, first_of.setdefault(a.source, i)) for i, a in enumerate(members) if a.source]
    edges += [(at[p.a], at[p.b]) for p in pairs if p.a in at and p.b in at]
    if not edges:
        return len(members)
    rows, cols = zip(*edges, strict=True)
    graph = coo_matrix((np.ones(len(edges)), (rows, cols)), shape=(len(members), len(members)))
    count, _ = connected_components(graph, directed=False)
    return int(count)


def describe_story(
    story: Story, members: Sequence[Article], embeddings: Mapping[str, Embedding],
    vector: Any, pairs: Sequence[ReusePair] = (),
) -> None:
    """Languages, sources, coverage and headline: the title, in the story's main language,
    of the article closest to the story's vector."""
    describe_members(story, members, pairs)
    lang = main_language(members)

    def closeness(article: Article) -> float:
        emb = embeddings.get(article.id)
        if emb is None or vector is None:
            return -1.0
        return float(emb.doc @ vector)

    ranked = sorted(members, key=lambda a: (a.language != lang, -closeness(a), a.id))
    titled = [a for a in ranked if a.title]
    if titled:
        story.headline = _shorten(titled[0].title or "")
    elif ranked:
        # Untitled: its first sentence that says something ("[", a lone mark, says nothing)
        # and is not the site's ("Ce billet fait partie de notre dossier…").
        said = [s for s in ranked[0].sentence_texts() if len(_WORDS.findall(s)) >= _SAYS
                and not furniture_phrase(s) and boilerplate_reason(s) is None]
        story.headline = _shorten(said[0] if said else ranked[0].text)


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= _HEADLINE_CHARS:
        return text
    cut = text[:_HEADLINE_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
