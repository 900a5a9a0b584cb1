"""A first story grouping: one online pass, TF-IDF centroids, a threshold, a time window.

Each new article, in publication order, joins the story whose centroid is
closest in TF-IDF cosine (content words and entities, entities counted
double) if that is at least ``threshold`` and the dates are within
``window_days``; otherwise it opens a story. A story's id comes from its
first article, so ids are stable across re-runs and across later additions.
"""

from __future__ import annotations

import calendar
import math
from collections import Counter
from collections.abc import Sequence
from datetime import date

from ..clean.metadata import resolve_dateline_year
from ..config import StoriesConfig
from ..model import Article, PublishedDate, Story
from ..nlp.time.stage import retime
from ..store import Store, StoryState
from .describe import describe_story, event_day, story_date

_CENTROID_TERMS = 300  # kept per story: enough to compare, bounded to store


def story_id_for(article: Article) -> str:
    return f"s{article.id[:15]}"


def date_range(d: str | None, granularity: str | None) -> tuple[date, date] | None:
    if not d:
        return None
    start = date.fromisoformat(d)
    if granularity == "month":
        last = calendar.monthrange(start.year, start.month)[1]
        return start, start.replace(day=last)
    if granularity == "year":
        return start, start.replace(month=12, day=31)
    return start, start


def gap_days(a: tuple[date, date] | None, b: tuple[date, date] | None) -> int:
    """Days between two date ranges (0 when they overlap or one is unknown)."""
    if a is None or b is None:
        return 0
    if a[1] < b[0]:
        return (b[0] - a[1]).days
    if b[1] < a[0]:
        return (a[0] - b[1]).days
    return 0


class StoryGrouper:
    def __init__(self, store: Store, config: StoriesConfig) -> None:
        self.store = store
        self.config = config

    def add(self, articles: Sequence[Article]) -> list[str]:
        """Assign ``articles`` (already stored) to stories; return the touched story ids."""
        if not articles:
            return []
        states = {s.story.id: s for s in self.store.story_states()}
        n_docs = self.store.count_articles()
        terms = {t for a in articles for t in a.terms}
        df = self.store.document_frequencies(terms)
        touched: dict[str, StoryState] = {}
        for article in sorted(articles, key=_publication_order):
            vec = _tfidf(article.terms, df, n_docs)
            when = date_range(article.published.date, article.published.granularity)
            best, best_sim = None, 0.0
            for state in states.values():
                story_when = date_range(state.story.date, state.story.date_granularity)
                if gap_days(when, story_when) > self.config.window_days:
                    continue
                sim = _cosine(vec, state.centroid)
                if sim > best_sim:
                    best, best_sim = state, sim
            if best is None or best_sim < self.config.threshold:
                best = StoryState(Story(id=story_id_for(article), articles=[]), {})
                states[best.story.id] = best
            best.story.articles.append(article.id)
            best.centroid = _add(best.centroid, vec)
            if best.story.date is None and article.published.date:
                best.story.date = article.published.date
                best.story.date_granularity = article.published.granularity
            touched[best.story.id] = best
        for state in touched.values():
            members = self.store.get_articles(state.story.articles)
            self._date(state.story, members)
            describe_story(state.story, members, state.centroid)
            self.store.save_story(state)
        return list(touched)

    def _date(self, story: Story, members: list[Article]) -> None:
        """Date the undated articles from their story's publication days, then the story itself.

        An article's publication date comes from the days the others were
        published; the story's own date is the day of its main happening.
        """
        published, granularity = story_date(members)
        if published is not None:
            for article in members:
                month_day = article.metadata.get("dateline_date")
                if article.published.date is not None or not month_day:
                    continue
                # A dateline gives day and month; the story gives the year.
                if (day := resolve_dateline_year(month_day, published)) is not None:
                    self._set(article, PublishedDate(day, "day", "dateline"))
            published, granularity = story_date(members)
        if published is not None and granularity is not None:
            for article in members:
                pub = article.published
                if (pub.date is None or pub.basis == "story") and pub.date != published:
                    self._set(article, PublishedDate(published, granularity, "story"))
        day = event_day(members)
        story.date, story.date_granularity = (day, "day") if day else (published, granularity)

    def _set(self, article: Article, published: PublishedDate) -> None:
        assert published.date is not None and published.granularity is not None
        article.published = published
        # Relative dates ("mercredi", "la semaine dernière") now have an anchor.
        retime(article)
        self.store.save_article(article)


def _publication_order(article: Article) -> str:
    # Dated articles first, in date order; undated ones after, in arrival order.
    return article.published.date or "9999-99-99"


def _tfidf(terms: dict[str, int], df: dict[str, int], n_docs: int) -> dict[str, float]:
    vec = {
        t: (1.0 + math.log(c)) * (math.log((n_docs + 1) / (df.get(t, 0) + 1)) + 1.0)
        for t, c in terms.items()
    }
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {t: v / norm for t, v in vec.items()}


def _cosine(vec: dict[str, float], centroid: dict[str, float]) -> float:
    if not vec or not centroid:
        return 0.0
    norm = math.sqrt(sum(v * v for v in centroid.values())) or 1.0
    small, large = (vec, centroid) if len(vec) < len(centroid) else (centroid, vec)
    return sum(v * large.get(t, 0.0) for t, v in small.items()) / norm


def _add(centroid: dict[str, float], vec: dict[str, float]) -> dict[str, float]:
    total = Counter(centroid)
    total.update(vec)
    return dict(total.most_common(_CENTROID_TERMS))
