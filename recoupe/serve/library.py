"""The store as the web application reads it.

A story list keeps the order of the stories its filters select, so that any
page is a slice. A story page needs its summary, reuse links, figures and
quotes, which the report computes for the whole store at once: here they are
computed for that story alone, on first request. All of it is kept (LRUs)
until the store changes, whoever writes to it. Each server thread has its own
store connection (an SQLite connection is not shared across threads); writes
go through one lock.
"""

from __future__ import annotations

import functools
import logging
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Concatenate, ParamSpec, TypeVar

from ..analyze import Analyzer, fill_stories, warm_worker
from ..config import Config
from ..errors import StoreError
from ..execute import Executor, InlineExecutor, LocalExecutor
from ..ingest import iter_records
from ..model import Article, Entity, Notice, QuoteMention, Rejection, Storyline, TimelineEntry
from ..nlp.embed import embedder
from ..report.view import StoryView, story_view
from ..store import Store, open_store
from ..store.base import EntityRow, StoryQuery, StoryRow
from ..summarize.attach import copied_passages, storyline_timeline

T = TypeVar("T")
P = ParamSpec("P")
log = logging.getLogger(__name__)

_FUSION = 60  # reciprocal rank fusion's usual constant: ranks past the first few weigh alike
_STORYLINE_ARTICLES = 400  # a storyline's timeline reads at most its latest this many
_SEARCH_ENTITIES = 10
_ORDERS = 64  # story lists kept in order, one per set of filters (8 bytes a story)


@dataclass(slots=True)
class SearchHit:
    article: Article
    story: str | None
    score: float
    by: list[str]  # "text", "meaning"


@dataclass(slots=True)
class EntityDetail:
    entity: Entity
    stories: list[StoryRow]
    quotes: list[tuple[QuoteMention, Article]]


class NotFound(LookupError):
    pass


@dataclass(slots=True)
class Ingested:
    """What a write did: articles stored now, those the store already held, and rejections."""

    stored: list[str]
    already_stored: list[str]
    rejected: list[Rejection]
    notices: list[Notice]


def _reopens(method: Callable[Concatenate[Library, P], T]) -> Callable[Concatenate[Library, P], T]:
    """A store error drops this thread's connection, so the next request opens a fresh one
    instead of failing on a broken one for good."""

    def wrapped(self: Library, /, *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(self, *args, **kwargs)
        except StoreError:
            self._drop()
            raise

    functools.update_wrapper(wrapped, method)
    return wrapped


class Library:
    def __init__(self, config: Config) -> None:
        self.config = config
        self._local = threading.local()
        self._stores: list[Store] = []
        self._lock = threading.Lock()  # the cache and the store list
        self._write = threading.Lock()
        self._cache: OrderedDict[str, StoryView] = OrderedDict()
        self._lines: OrderedDict[str, tuple[Storyline, list[TimelineEntry]]] = OrderedDict()
        self._orders: OrderedDict[StoryQuery, array[int]] = OrderedDict()  # page unset
        self._derived: OrderedDict[Hashable, Any] = OrderedDict()
        self._generation = 0  # bumped by each write
        self._executor: Executor | None = None  # for writes, started on the first one

    # -- plumbing

    @property
    def store(self) -> Store:
        """This thread's store (read-only), opened again after any write (its vector index
        lacks the new vectors). A write by another process (``recoupe analyze``, another
        server worker) shows in the connection's version, and drops what this process has
        cached. A connection that fails is dropped, never kept."""
        held = getattr(self._local, "held", None)
        if held is not None:
            generation, store, version = held
            try:
                current: int | None = store.version()
            except StoreError:
                current = None
            if generation == self._generation and current == version:
                return store  # type: ignore[no-any-return]
            if generation == self._generation and current is not None:
                self._forget()
            self._drop()
        store = open_store(self.config.store, readonly=True)
        try:
            self._local.held = (self._generation, store, store.version())
        except BaseException:
            store.close()
            raise
        with self._lock:
            self._stores.append(store)
        return store

    def _drop(self) -> None:
        """Close this thread's store and forget it, whatever state it is in."""
        held = getattr(self._local, "held", None)
        self._local.held = None
        if held is None:
            return
        store = held[1]
        with self._lock:
            if store in self._stores:
                self._stores.remove(store)
        try:
            store.close()
        except Exception:  # already broken: nothing more to save from it
            log.warning("closing a failed store connection", exc_info=True)

    def _session(self) -> tuple[Store, int]:
        """This thread's store and the generation it was checked in: what is computed from
        it is kept only if no write came in between."""
        store = self.store
        return store, self._local.held[0]

    @property
    def generation(self) -> int:
        """Bumped by every write seen; pass it to ``memo`` from before the reads."""
        return self._generation

    def close(self) -> None:
        with self._lock:
            for store in self._stores:
                try:
                    store.close()
                except Exception:
                    log.warning("closing a store connection", exc_info=True)
            self._stores.clear()
            self._clear()
        with self._write:
            if self._executor is not None:
                self._executor.close()
                self._executor = None

    def _forget(self) -> None:
        with self._lock:
            self._clear()
            self._generation += 1

    def _clear(self) -> None:
        for cache in (self._cache, self._lines, self._orders, self._derived):
            cache.clear()

    def _cached(self, cache: OrderedDict[Any, Any], key: Hashable, compute: Callable[[], T],
                generation: int, size: int) -> T:
        """``cache[key]``, else ``compute()``, kept there (an LRU of ``size``) unless the
        store changed since ``generation`` (the value may then be stale)."""
        with self._lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            if generation == self._generation:
                cache[key] = value
                while len(cache) > size:
                    cache.popitem(last=False)
        return value

    # -- lists

    @_reopens
    def stories(self, query: StoryQuery) -> tuple[list[StoryRow], int]:
        """A page of stories and how many the filters select.

        The order of every story the filters select is kept (a compact array of keys)
        until the store changes: a page is then a slice, whatever its offset, and the
        total is its length. Computing it costs one index walk unfiltered, more with a
        filter; paging through a list pays that once.
        """
        store, generation = self._session()
        order = self._cached(self._orders, replace(query, offset=0, limit=0),
                             lambda: store.story_order(query), generation, _ORDERS)
        return store.story_rows(order[query.offset:query.offset + query.limit]), len(order)

    @_reopens
    def storylines(self) -> list[Storyline]:
        return self.store.storylines()

    @_reopens
    def entities(self, text: str | None, offset: int, limit: int) -> tuple[list[EntityRow], int]:
        return self.store.entity_page(text, offset, limit)

    # -- one thing

    @_reopens
    def story(self, story_id: str) -> StoryView:
        store, generation = self._session()
        current = store.resolve_story(story_id)
        if current is None:
            raise NotFound(f"no story {story_id}")
        return self._cached(self._cache, current, lambda: self._story(store, current),
                            generation, self.config.serve.stories_cached)

    def memo(self, key: Hashable, compute: Callable[[], T], generation: int) -> T:
        """``compute()``, kept (an LRU) until the store changes: for what the app derives
        from what it read, such as a rendered page. ``generation``: the library's from
        before those reads (a write since, and the value is not kept)."""
        return self._cached(self._derived, key, compute, generation,
                            self.config.serve.stories_cached)

    def _story(self, store: Store, story_id: str) -> StoryView:
        states = store.story_states([story_id])
        if not states:
            raise NotFound(f"no story {story_id}")
        story = states[0].story
        members = store.get_articles(story.articles)
        for a in members:
            a.raw_text, a.html = "", None
        by_id = {a.id: a for a in members}
        pairs = store.reuse_pairs(by_id)
        keys = {m.key for a in members for m in a.mentions if m.key}
        keys |= {q.speaker_key for a in members for q in a.quotes if q.speaker_key}
        canon = store.canonical_keys(keys)
        names = store.entity_names(set(canon.values()))
        fill_stories([story], [], by_id, pairs, store.embeddings(by_id), canon, names, self.config)
        return story_view(story, members, by_id)

    @_reopens
    def article(self, article_id: str) -> tuple[Article, StoryView | None]:
        """The article, and its story's view (which holds it already) when it has one."""
        store = self.store
        story_id = store.story_of([article_id]).get(article_id)
        if story_id:
            detail = self.story(story_id)
            return next(a for a in detail.articles if a.id == article_id), detail
        found = store.get_articles([article_id])
        if not found:
            raise NotFound(f"no article {article_id}")
        return found[0], None

    @_reopens
    def entity(self, entity_id: str) -> EntityDetail:
        store = self.store
        found = store.entities([entity_id])
        if not found:
            raise NotFound(f"no entity {entity_id}")
        entity = found[0]
        stories, _ = self.stories(StoryQuery(entity=entity_id, limit=50))
        keys = set(entity.keys)
        quotes: list[tuple[QuoteMention, Article]] = []
        for article in store.get_articles(entity.articles[-100:]):  # the latest
            quotes += [(q, article) for q in article.quotes if q.speaker_key in keys]
        return EntityDetail(entity, stories, quotes[-50:])

    @_reopens
    def storyline(self, line_id: str) -> tuple[Storyline, list[TimelineEntry]]:
        store, generation = self._session()
        return self._cached(self._lines, line_id, lambda: self._storyline(store, line_id),
                            generation, self.config.serve.stories_cached)

    def _storyline(self, store: Store, line_id: str) -> tuple[Storyline, list[TimelineEntry]]:
        found = store.storylines([line_id])
        if not found:
            raise NotFound(f"no storyline {line_id}")
        line = found[0]
        states = store.story_states(line.stories)
        ids = [i for s in states for i in s.story.articles][-_STORYLINE_ARTICLES:]
        articles = store.get_articles(ids)
        copied = copied_passages(store.reuse_pairs(ids), articles)
        timeline = storyline_timeline(articles, store.embeddings(ids), copied, self.config.embed)
        return line, timeline

    # -- search

    @_reopens
    def search(self, text: str, limit: int = 20) -> tuple[list[SearchHit], list[EntityRow]]:
        """Articles: full-text (accents folded) and meaning (sentence vectors) matches, fused
        by rank. Entities: the most named whose name holds ``text``. The meaning search
        reads every day's vector graph (once per connection), or with ``[serve]
        search_days`` only the latest days'."""
        store = self.store
        ranked: dict[str, float] = {}
        by: dict[str, list[str]] = {}
        vector = embedder(self.config.embed.model, self.config.embed.threads).encode([text])[0]
        lists = {"text": store.search_text(text, limit * 2),
                 "meaning": store.search_vectors(vector, limit * 2, self.config.serve.search_days)}
        for name, hits in lists.items():
            for rank, (article_id, _) in enumerate(hits):
                ranked[article_id] = ranked.get(article_id, 0.0) + 1.0 / (_FUSION + rank + 1)
                by.setdefault(article_id, []).append(name)
        best = sorted(ranked, key=lambda i: (-ranked[i], i))[:limit]
        articles = {a.id: a for a in store.get_articles(best)}
        stories = store.story_of(best)
        found = [SearchHit(articles[i], stories.get(i), ranked[i], by[i]) for i in best if i in articles]
        return found, store.entity_page(text, 0, _SEARCH_ENTITIES)[0]

    # -- writing

    def ingest(self, records: Sequence[Any]) -> Ingested:
        """Analyse input records (the contract's JSON form) into the store.

        A bad record is rejected with its reason, named ``request#N`` (N from 1);
        the others go in. The records are analysed by a worker process the library
        keeps, so a record that hangs or crashes it costs that record only.
        """
        with self._write:
            store = open_store(self.config.store)
            try:
                analyzer = Analyzer(self.config, store, executor=self._writer())
                _, rejected = analyzer.run_items(
                    iter_records(records, "request", self.config.ingest))
            finally:
                store.close()
        self._forget()
        return Ingested(analyzer.added, sorted(set(analyzer.known)), rejected, analyzer.notices)

    def _writer(self) -> Executor:
        if self._executor is None:
            if self.config.executor.type == "inline":
                self._executor = InlineExecutor()
            else:
                self._executor = LocalExecutor(1, init=(warm_worker, (self.config,)))
        return self._executor
