"""Timelines: the important dates of a set of articles, each told by cited sentences.

Dates come from what the articles report, not from when they were
published: every sentence's resolved dates (``nlp/time``: "mercredi", "le
10 janvier", "3 juillet 2013"), plus, for a lead sentence that names no
date, the day of the article's main happening. A date matters as much as
the number of articles that report something on it; an article counts once
per date however often it repeats the date. For each date, the sentences
are chosen among those reporting it: the most central one first (closest to
what the other sentences of that date say), then the next most central that
does not repeat it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..config import EmbedConfig
from ..model import Article, Citation, Embedding, TimelineEntry
from .sentences import Pool, Unit, cited, units_of

# A lead sentence that names no date reports the article's main happening, but less
# surely than one that names it: its vote for that day counts this much.
_IMPLICIT_WEIGHT = 0.5
# A sentence this close to one already chosen for the date only repeats it.
_REPEATS = 0.5


@dataclass(slots=True)
class TimelineGroup:
    """A date of a timeline with all its sentences: what ``recoupe timeline`` prints."""

    date: str
    sentences: list[str]
    articles: list[str]  # every article cited by one of the sentences
    passages: list[Citation]


def group_by_date(entries: Sequence[TimelineEntry]) -> list[TimelineGroup]:
    out: dict[str, TimelineGroup] = {}
    for e in entries:
        group = out.setdefault(e.date, TimelineGroup(e.date, [], [], []))
        group.sentences.append(e.text)
        group.articles.extend(a for a in e.articles if a not in group.articles)
        group.passages.extend(e.passages)
    return [out[d] for d in sorted(out)]


@dataclass(slots=True)
class TimelineOptions:
    dates: int = 10
    per_date: int = 1
    start: str | None = None  # YYYY-MM-DD, inclusive
    end: str | None = None


def build_timeline(
    articles: Sequence[Article], options: TimelineOptions,
    embeddings: Mapping[str, Embedding] | None = None,
    embed_config: EmbedConfig | None = None,
    copied: Mapping[str, Sequence[tuple[int, int, str, int, int]]] | None = None,
    units: Mapping[str, list[Unit]] | None = None,
) -> list[TimelineEntry]:
    """The ``options.dates`` most reported dates, in date order, with cited sentences.

    ``units`` may hold the articles' sentences already cut (``units_of``).
    """
    embed_config = embed_config or EmbedConfig()
    embeddings = embeddings or {}
    by_day: dict[str, list[tuple[Unit, bool]]] = defaultdict(list)
    votes: dict[str, dict[str, float]] = defaultdict(dict)  # day -> article -> weight
    for article in articles:
        said = (units[article.id] if units is not None and article.id in units
                else units_of(article, embeddings.get(article.id), embed_config))
        implicit = article.event_date or (
            article.published.date if article.published.granularity == "day" else None)
        for unit in said:
            for day in unit.days:
                if _inside(day, options):
                    by_day[day].append((unit, True))
                    votes[day][unit.article] = 1.0
            if not unit.days and unit.lead and implicit and _inside(implicit, options):
                by_day[implicit].append((unit, False))
                have = votes[implicit].get(unit.article, 0.0)
                votes[implicit][unit.article] = max(have, _IMPLICIT_WEIGHT)
    score = {day: sum(v.values()) for day, v in votes.items()}
    ranked = sorted(score, key=lambda d: (-score[d], d))
    chosen = sorted(ranked[: options.dates])
    out: list[TimelineEntry] = []
    for day in chosen:
        out.extend(_tell(day, by_day[day], options.per_date, copied))
    return out


def _inside(day: str, options: TimelineOptions) -> bool:
    return (options.start is None or day >= options.start) and (
        options.end is None or day <= options.end)


def _tell(day: str, found: list[tuple[Unit, bool]], k: int,
          copied: Mapping[str, Sequence[tuple[int, int, str, int, int]]] | None,
          ) -> list[TimelineEntry]:
    """The ``k`` sentences that best tell what happened on ``day``, each cited."""
    units = [u for u, _ in found]
    named = [explicit for _, explicit in found]
    pool = Pool(units)
    everyone = list(range(len(units)))
    central = pool.centrality(everyone)
    # A sentence naming the date says what happened that day more surely, all the more
    # when it names no other.
    def worth(i: int) -> float:
        return central[i] + (0.1 if named[i] else 0.0) + (0.05 if units[i].days == [day] else 0.0)

    order = sorted(everyone, key=lambda i: (-worth(i), units[i].article, units[i].index))
    picked = pool.pick(order, k, _REPEATS)
    support = pool.supporters(picked, copied)
    out = []
    for i in picked:
        articles, passages = cited(units[i], support[i])
        out.append(TimelineEntry(date=day, text=units[i].text, articles=articles,
                                 passages=passages))
    return out
