"""Stories: one online pass over the new articles, then consolidation.

Each new article, in publication order, looks up its nearest stored
articles (the store's approximate index, filed by day, so the cost does not
grow with the archive) within ``window_days`` of its own day. Among the
stories those neighbours belong to, it joins the one holding the member it
matches best (``similarity.match``: its lead against their sentences, across
languages), when that match reaches ``join`` and the story still spans no
more than the window; otherwise it opens a story. Then consolidation: two
stories the pass kept apart merge when their articles match at ``merge`` on
average, so an event whose first articles arrived in an unlucky order still
ends as one story.

A story's id comes from its earliest-published article (ties: the smallest
article id), so the same articles give the same ids whatever the order
they arrive in. When a story's earliest article changes (an older article
arrives later, or two stories merge), the old id stays as an alias that the
store resolves to the story it became.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

from ..clean.metadata import resolve_dateline_year
from ..config import StoriesConfig
from ..model import Article, Embedding, PublishedDate, Story, own_date
from ..nlp.embed import unit
from ..nlp.time.stage import retime
from ..store import Store, StoryState
from ..store.base import Neighbour, own_span
from .describe import describe_story, event_day, story_date
from .linker import Linker, link_features, story_linker
from .similarity import match_floor, match_many, mean_match
from .storylines import StorylineLinker

log = logging.getLogger(__name__)

_MERGE_SAMPLE = 24  # articles per story compared when deciding a merge: bounds the cost


def story_id_for(article: Article) -> str:
    return f"s{article.id[:15]}"


Span = tuple[str, str]  # first and last day (YYYY-MM-DD)


def gap_days(a: Span | None, b: Span | None) -> int:
    """Days between two spans of days (0 when they overlap or one is unknown)."""
    if a is None or b is None:
        return 0
    if a[1] < b[0]:
        return (date.fromisoformat(b[0]) - date.fromisoformat(a[1])).days
    if b[1] < a[0]:
        return (date.fromisoformat(a[0]) - date.fromisoformat(b[1])).days
    return 0


def when(article: Article) -> Span | None:
    """The days an article's own publication date covers: a day, or a whole month or year."""
    return own_span(article.published)


class StoryGrouper:
    def __init__(self, store: Store, config: StoriesConfig) -> None:
        self.store = store
        self.config = config
        self.linker = story_linker(config.linker)

    def add(self, articles: Sequence[Article]) -> list[str]:
        """Assign ``articles`` (already stored) to stories; return the touched story ids."""
        if not articles:
            return []
        run = _Run(self.store, self.config, self.linker)
        # An article given again is moved, never counted twice.
        run.owner.update(self.store.story_of(a.id for a in articles))
        dated = [a for a in articles if when(a) is not None]
        run.search(dated)
        for article in sorted(dated, key=_publication_order):
            run.place(article, again=article.id in run.owner)
        # Articles with no date of their own go last, placed against every story the run
        # knows; the stored ones near today's articles are placed again with them, so
        # they end where a single run over everything would put them.
        floating = {a.id: a for a in articles if when(a) is None}
        for stored in self.store.get_articles(run.floaters - set(floating)):
            stored.embedding = run.vectors.get(stored.id)
            floating[stored.id] = stored
        for article in sorted(floating.values(), key=lambda a: a.id):
            run.place(article, again=article.id in run.owner)
        run.consolidate()
        with self.store.batch():  # one commit for the batch's stories, not one per story
            states = self._finish(run)
            StorylineLinker(self.store, self.config).link(states)
        return [s.story.id for s in states]

    def _finish(self, run: _Run) -> list[StoryState]:
        """Date, name, describe and save every story the run touched."""
        done = []
        renamed: dict[str, str] = {}  # id in the run -> final id
        touched = run.touched()
        pairs = self.store.reuse_pairs(a for s in touched for a in s.story.articles)
        for state in touched:
            members = self.store.get_articles(state.story.articles)
            self._date(state.story, members)
            key = state.story.id
            state.story.id = _anchor_id(members) or key
            renamed[key] = state.story.id
            embeddings = run.embeddings_of(state.story.articles)
            docs = [e.doc for e in embeddings.values()]
            state.vector = unit(np.mean(docs, axis=0)) if docs else None
            describe_story(state.story, members, embeddings, state.vector, pairs)
            done.append(state)
        self.store.save_stories(done)
        # Ids no story bears any more become aliases: of the story that took its articles,
        # or, for a story emptied by moves, of where its last article went.
        final = {a: s.story.id for s in done for a in s.story.articles}
        in_use = set(renamed.values())
        gone = {old: new for key, new in renamed.items()
                for old in run.retired.get(key, set()) | {key}}
        gone.update({old: final[a] for old, a in run.emptied.items() if a in final})
        for old, new in sorted(gone.items()):
            if old not in in_use and self.store.resolve_story(old) == old:
                self.store.retire_story(old, new)
        return done

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
        for article in members:
            self._refine(article, day)

    def _refine(self, article: Article, day: str | None) -> None:
        """A month-dated article in a story whose day falls in that month is dated that day
        (``refined``: seed 004, "date 2021-12", tells of the call of 30 December); one whose
        story no longer agrees goes back to its month."""
        own, pub = own_date(article.published), article.published
        if own is None or own.granularity != "month" or not own.date:
            return
        if day is not None and day[:7] == own.date[:7]:
            if pub.date != day or pub.basis != "refined":
                self._set(article, PublishedDate(day, "day", "refined"))
        elif pub.basis == "refined":
            self._set(article, PublishedDate(own.date, "month", "metadata"))

    def _set(self, article: Article, published: PublishedDate) -> None:
        assert published.date is not None and published.granularity is not None
        article.published = published
        # Relative dates ("mercredi", "la semaine dernière") now have an anchor.
        retime(article)
        self.store.save_article(article)


class _Run:
    """The state of one grouping pass: stories touched, who belongs where, vectors read."""

    def __init__(self, store: Store, config: StoriesConfig, linker: Linker | None) -> None:
        self.store = store
        self.config = config
        self.linker = linker
        # An article joins a story whose score reaches ``join_at``: the linker's
        # probability, or with no linker the best match. A neighbour whose document
        # cosine is below ``floor`` cannot get there, so its sentences are never read.
        self.join_at = linker.threshold if linker else config.join
        self.floor = linker.doc_floor if linker else match_floor(config.join)
        self.states: dict[str, StoryState] = {}
        self.owner: dict[str, str] = {}  # article id -> story id, as far as this run knows
        # Stored articles with no date of their own seen near this run's articles.
        self.floaters: set[str] = set()
        # Stories left empty when their only articles moved: old id -> an article that left.
        self.emptied: dict[str, str] = {}
        # The days a story's day-dated articles span, and the days all its month- or
        # year-dated ones cover (the latest first day, the earliest last day).
        self.spans: dict[str, Span | None] = {}
        self.bounds: dict[str, Span | None] = {}
        self.vectors: dict[str, Embedding] = {}
        self.changed: set[str] = set()
        # Stories an article could have joined besides its own: the merge candidates.
        self.rivals: dict[str, set[str]] = {}
        self.retired: dict[str, set[str]] = {}  # surviving story id -> ids merged into it
        # Each dated article's neighbours, searched for the whole batch at once: the
        # batch is stored before the pass, so they include its own earlier articles.
        self.found: dict[str, list[Neighbour]] = {}

    # -- the pass

    def search(self, articles: Sequence[Article]) -> None:
        """Look up the neighbours of every article with a vector, in one batched search."""
        chosen = [a for a in articles if a.embedding is not None]
        if not chosen:
            return
        found = self.store.nearest_many(
            [a.embedding.doc for a in chosen if a.embedding is not None],
            [self._window(when(a)) for a in chosen], self.config.neighbours,
            # Only the ``matched`` nearest that may join are compared (``_candidates``);
            # four times as many leaves room for those that may not.
            limit=4 * self.config.matched)
        self.found.update((a.id, f) for a, f in zip(chosen, found, strict=True))
        self._look_up(found)

    def _look_up(self, found: Sequence[Sequence[Neighbour]]) -> None:
        """Whose story each neighbour that may join is in, and those stories: read once for
        all of ``found``, as the store changes no owner during the pass."""
        near = {n.article_id for f in found for n in f if n.similarity >= self.floor}
        self.owner.update(self.store.story_of(sorted(near - set(self.owner))))
        self._load_stories({self.owner[i] for i in near if i in self.owner})

    def place(self, article: Article, again: bool = False) -> None:
        """Put ``article`` in the story it matches best, or a new one; ``again``: it had one."""
        if again:
            self._take_out(article.id)
        span = when(article)
        emb = article.embedding
        if emb is not None:
            self.vectors[article.id] = emb
        scores = self._candidates(article, emb, span) if emb is not None else {}
        best = max(scores, key=lambda s: (scores[s], s), default=None)
        if best is not None and scores[best] >= self.join_at:
            state = self.states[best]
        else:
            key = story_id_for(article)
            if key in self.states:  # its old story, still holding others: a key for the run
                key = f"{key}~{article.id}"
            state = StoryState(Story(id=key, articles=[]))
            self.states[key] = state
            self.spans[key] = None
            self.bounds[key] = None
        story_id = state.story.id
        state.story.articles.append(article.id)
        self.owner[article.id] = story_id
        self.changed.add(story_id)
        if span is not None and span[0] == span[1]:
            self.spans[story_id] = _widen(self.spans.get(story_id), span[0])
        elif span is not None:
            self.bounds[story_id] = _narrow(self.bounds.get(story_id), span)
        # Stories it could have joined as well: the pass's order kept them apart.
        self.rivals.setdefault(story_id, set()).update(
            s for s, score in scores.items() if s != story_id and score >= self.join_at)

    def _candidates(self, article: Article, emb: Embedding, span: Span | None
                    ) -> dict[str, float]:
        """Stories within reach of ``article``, each with its score (``join_at``)."""
        found = self.found.pop(article.id, None)
        if found is None:
            start, end = self._window(span)
            found = self.store.nearest(emb.doc, start, end, self.config.neighbours)
            self._look_up([found])
        floor = self.floor
        # Undated neighbours are placed again after the pass, with today's articles.
        self.floaters.update(n.article_id for n in found if n.similarity >= floor
                             and n.article_id != article.id and not (n.first_day and n.last_day))
        window, wanted = self.config.window_days, self.config.matched
        fits: dict[str, bool] = {}
        eligible: list[str] = []
        gap_of: dict[str, int] = {}
        # ``found`` is nearest first and only the ``matched`` nearest eligible members are
        # compared, so it is read a slice at a time until they are there.
        for at in range(0, len(found), 2 * wanted):
            others = []
            for n in found[at:at + 2 * wanted]:
                if n.article_id == article.id or n.similarity < floor:
                    continue
                theirs = (n.first_day, n.last_day) if n.first_day and n.last_day else None
                if (gap := gap_days(_near(article, span, theirs), theirs)) <= window:
                    others.append(n.article_id)
                    gap_of[n.article_id] = gap
            members = [o for o in others if o in self.owner]  # owners: ``_look_up``
            self._load_vectors(members)
            for member in members:
                story_id = self.owner[member]
                if story_id not in fits:
                    story_days = self.spans.get(story_id) or self.bounds.get(story_id)
                    fits[story_id] = self._fits(story_id, _near(article, span, story_days))
                if member in self.vectors and fits[story_id]:
                    eligible.append(member)
            if len(eligible) >= wanted:
                del eligible[wanted:]
                break
        matches = match_many(emb, [self.vectors[m] for m in eligible])
        if self.linker is None:
            scores: dict[str, float] = {}
            for member, score in zip(eligible, matches, strict=True):
                story_id = self.owner[member]
                if score > scores.get(story_id, -1.0):
                    scores[story_id] = float(score)
            return scores
        if not eligible:
            return {}
        number: dict[str, int] = {}
        stories = [number.setdefault(self.owner[m], len(number)) for m in eligible]
        rows = link_features(emb, [self.vectors[m] for m in eligible], matches,
                             [gap_of[m] for m in eligible], stories)
        return dict(zip(number, map(float, self.linker.probability(rows)), strict=True))

    def _take_out(self, article_id: str) -> None:
        story_id = self.owner.pop(article_id, None)
        if story_id is None:
            return
        self._load_stories({story_id})
        state = self.states.get(story_id)
        if state is None:
            return
        state.story.articles = [a for a in state.story.articles if a != article_id]
        self.changed.add(story_id)
        if not state.story.articles:
            del self.states[story_id]
            self.changed.discard(story_id)
            self.emptied[story_id] = article_id

    def _window(self, span: Span | None) -> tuple[str | None, str | None]:
        if span is None:
            return None, None
        w = timedelta(days=self.config.window_days)
        return ((date.fromisoformat(span[0]) - w).isoformat(),
                (date.fromisoformat(span[1]) + w).isoformat())

    def _fits(self, story_id: str, span: Span | None) -> bool:
        """Whether the story, with an article of ``span``, still spans no more than the window.

        A month-dated article only has to overlap the window: it cannot narrow it.
        """
        if span is None:
            return True
        w = timedelta(days=self.config.window_days)
        bounds = self.bounds.get(story_id)
        if bounds is not None and (
            date.fromisoformat(span[0]) > date.fromisoformat(bounds[1]) + w
            or date.fromisoformat(span[1]) < date.fromisoformat(bounds[0]) - w
        ):
            return False  # too far from one of its month-dated articles
        days = self.spans.get(story_id)
        if days is None:
            return True
        if span[0] != span[1]:
            return gap_days(span, days) <= self.config.window_days
        first, last = min(days[0], span[0]), max(days[1], span[0])
        return (date.fromisoformat(last) - date.fromisoformat(first)).days <= (
            self.config.window_days
        )

    def _load_vectors(self, ids: list[str]) -> None:
        missing = [i for i in ids if i not in self.vectors]
        if missing:
            self.vectors.update(self.store.embeddings(missing))

    def _load_stories(self, story_ids: set[str]) -> None:
        missing = sorted(s for s in story_ids if s not in self.states)
        if not missing:
            return
        for state in self.store.story_states(missing):
            self.states[state.story.id] = state
        spans = self.store.story_spans(missing)
        for story_id in missing:
            self.spans[story_id], self.bounds[story_id] = spans.get(story_id, (None, None))

    # -- consolidation

    def consolidate(self) -> None:
        """Merge the stories the pass kept apart whose articles match well on average."""
        for story_id in sorted(self.changed):
            if story_id not in self.states:
                continue  # merged away already
            for rival in sorted(self.rivals.get(story_id, set())):
                if rival not in self.states or rival == story_id:
                    continue
                if self._mergeable(story_id, rival):
                    self._merge(story_id, rival)

    def _mergeable(self, a: str, b: str) -> bool:
        span_a, span_b = self.spans.get(a), self.spans.get(b)
        if span_a is None or span_b is None:
            return False  # a story with no dated article is placed again each run instead
        first, last = min(span_a[0], span_b[0]), max(span_a[1], span_b[1])
        if (date.fromisoformat(last) - date.fromisoformat(first)).days > self.config.window_days:
            return False
        if not (self._fits(a, (first, first)) and self._fits(a, (last, last))
                and self._fits(b, (first, first)) and self._fits(b, (last, last))):
            return False
        members_a = self.states[a].story.articles[-_MERGE_SAMPLE:]
        members_b = self.states[b].story.articles[-_MERGE_SAMPLE:]
        self._load_vectors(members_a + members_b)
        vec_a = [self.vectors[m] for m in members_a if m in self.vectors]
        vec_b = [self.vectors[m] for m in members_b if m in self.vectors]
        return mean_match(vec_a, vec_b) >= self.config.merge

    def _merge(self, keep: str, gone: str) -> None:
        kept, lost = self.states[keep], self.states.pop(gone)
        kept.story.articles.extend(a for a in lost.story.articles if a not in kept.story.articles)
        for article_id in lost.story.articles:
            self.owner[article_id] = keep
        span_lost = self.spans.pop(gone, None)
        if span_lost:
            self.spans[keep] = _widen(_widen(self.spans.get(keep), span_lost[0]), span_lost[1])
        bounds_lost = self.bounds.pop(gone, None)
        if bounds_lost:
            self.bounds[keep] = _narrow(self.bounds.get(keep), bounds_lost)
        self.rivals[keep] = (self.rivals.get(keep, set()) | self.rivals.pop(gone, set())) - {
            keep, gone}
        self.retired.setdefault(keep, set()).update({gone} | self.retired.pop(gone, set()))
        self.changed.discard(gone)
        self.changed.add(keep)

    # -- results

    def touched(self) -> list[StoryState]:
        return [self.states[s] for s in sorted(self.changed)]

    def embeddings_of(self, ids: list[str]) -> dict[str, Embedding]:
        self._load_vectors(ids)
        return {i: self.vectors[i] for i in ids if i in self.vectors}


def _near(article: Article, span: Span | None, other: Span | None) -> Span | None:
    """The article's span; for an undated one with a dateline ("PARIS, 3 fév."), the day
    its month and day give in the year closest to ``other``: a wrong day is no match
    whatever the year.
    """
    month_day = article.metadata.get("dateline_date")
    if span is not None or other is None or not month_day:
        return span
    day = resolve_dateline_year(month_day, other[0])
    return (day, day) if day else None


def _narrow(bounds: Span | None, span: Span) -> Span:
    """The days every one of several spans' articles may be near: the latest start, earliest end."""
    if bounds is None:
        return span
    return max(bounds[0], span[0]), min(bounds[1], span[1])


def _widen(span: tuple[str, str] | None, day: str | None) -> tuple[str, str] | None:
    if day is None:
        return span
    if span is None:
        return day, day
    return min(span[0], day), max(span[1], day)


def _anchor_id(members: Sequence[Article]) -> str | None:
    """The id the earliest-published article gives (its own date, not one from the story)."""
    if not members:
        return None

    def key(a: Article) -> tuple[int, str, str]:
        own = own_date(a.published)
        return (0, own.date, a.id) if own is not None and own.date else (1, "", a.id)

    return story_id_for(min(members, key=key))


def _publication_order(article: Article) -> tuple[str, str]:
    # The id breaks ties, so the same articles are always placed in the same order.
    return article.published.date or "9999-99-99", article.id
