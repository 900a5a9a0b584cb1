"""The store as the web application reads it.

Lists come straight from the store (one page of SQL each). A story page
needs its summary, reuse links, figures and quotes, which the report computes
for the whole store at once: here they are computed for that story alone, on
first request, and kept (an LRU) until the store changes. Each server thread
has its own store connection (an SQLite connection is not shared across
threads); writes go through one lock.
"""

from __future__ import annotations

import json
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..analyze import Analyzer, fill_stories
from ..config import Config
from ..model import Article, Entity, QuoteMention, Rejection, Storyline, TimelineEntry
from ..nlp.embed import embedder
from ..report.view import StoryView, story_view
from ..store import Store, open_store
from ..store.base import EntityRow, StoryQuery, StoryRow
from ..summarize.attach import copied_passages, storyline_timeline

_FUSION = 60  # reciprocal rank fusion's usual constant: ranks past the first few weigh alike
_STORYLINE_ARTICLES = 400  # a storyline's timeline reads at most its latest this many
_SEARCH_ENTITIES = 10


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


class Library:
    def __init__(self, config: Config) -> None:
        self.config = config
        self._local = threading.local()
        self._stores: list[Store] = []
        self._lock = threading.Lock()  # the cache and the store list
        self._write = threading.Lock()
        self._cache: OrderedDict[str, StoryView] = OrderedDict()
        self._lines: dict[str, tuple[Storyline, list[TimelineEntry]]] = {}
        self._generation = 0  # bumped by each write

    # -- plumbing

    @property
    def store(self) -> Store:
        """This thread's store; opened again after a write, whose vectors its index lacks."""
        held = getattr(self._local, "held", None)
        if held is not None and held[0] == self._generation:
            return held[1]  # type: ignore[no-any-return]
        if held is not None:
            with self._lock:
                self._stores.remove(held[1])
            held[1].close()
        store = open_store(self.config.store)
        self._local.held = (self._generation, store)
        with self._lock:
            self._stores.append(store)
        return store

    def close(self) -> None:
        with self._lock:
            for store in self._stores:
                store.close()
            self._stores.clear()
            self._cache.clear()
            self._lines.clear()

    def _forget(self) -> None:
        with self._lock:
            self._cache.clear()
            self._lines.clear()
            self._generation += 1

    # -- lists

    def stories(self, query: StoryQuery) -> tuple[list[StoryRow], int]:
        return self.store.story_page(query)

    def storylines(self) -> list[Storyline]:
        return self.store.storylines()

    def entities(self, text: str | None, offset: int, limit: int) -> tuple[list[EntityRow], int]:
        return self.store.entity_page(text, offset, limit)

    # -- one thing

    def story(self, story_id: str) -> StoryView:
        store = self.store
        current = store.resolve_story(story_id)
        if current is None:
            raise NotFound(f"no story {story_id}")
        with self._lock:
            if current in self._cache:
                self._cache.move_to_end(current)
                return self._cache[current]
        detail = self._story(store, current)
        with self._lock:
            self._cache[current] = detail
            while len(self._cache) > self.config.serve.stories_cached:
                self._cache.popitem(last=False)
        return detail

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

    def entity(self, entity_id: str) -> EntityDetail:
        store = self.store
        found = store.entities([entity_id])
        if not found:
            raise NotFound(f"no entity {entity_id}")
        entity = found[0]
        stories, _ = store.story_page(StoryQuery(entity=entity_id, limit=50))
        keys = set(entity.keys)
        quotes: list[tuple[QuoteMention, Article]] = []
        for article in store.get_articles(entity.articles[-100:]):  # the latest
            quotes += [(q, article) for q in article.quotes if q.speaker_key in keys]
        return EntityDetail(entity, stories, quotes[-50:])

    def storyline(self, line_id: str) -> tuple[Storyline, list[TimelineEntry]]:
        with self._lock:
            if line_id in self._lines:
                return self._lines[line_id]
        store = self.store
        found = store.storylines([line_id])
        if not found:
            raise NotFound(f"no storyline {line_id}")
        line = found[0]
        states = store.story_states(line.stories)
        ids = [i for s in states for i in s.story.articles][-_STORYLINE_ARTICLES:]
        articles = store.get_articles(ids)
        copied = copied_passages(store.reuse_pairs(ids), articles)
        timeline = storyline_timeline(articles, store.embeddings(ids), copied, self.config.embed)
        with self._lock:
            self._lines[line_id] = (line, timeline)
        return line, timeline

    # -- search

    def search(self, text: str, limit: int = 20) -> tuple[list[SearchHit], list[EntityRow]]:
        """Articles: full-text (accents folded) and meaning (sentence vectors) matches, fused
        by rank. Entities: the most named whose name holds ``text``."""
        store = self.store
        ranked: dict[str, float] = {}
        by: dict[str, list[str]] = {}
        vector = embedder(self.config.embed.model, self.config.embed.threads).encode([text])[0]
        lists = {"text": store.search_text(text, limit * 2),
                 "meaning": store.search_vectors(vector, limit * 2)}
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

    def ingest(self, records: Sequence[dict[str, Any]]) -> tuple[list[str], list[Rejection]]:
        """Analyse input records (the contract's JSON form) into the store.

        A bad record is rejected with its reason, named ``request#N`` (N from 1);
        the others go in.
        """
        with self._write, tempfile.TemporaryDirectory(prefix="recoupe-post-") as tmp:
            path = Path(tmp) / "posted.jsonl"
            path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records),
                            encoding="utf-8")
            store = open_store(self.config.store)
            try:
                analyzer = Analyzer(self.config, store)
                _, rejected = analyzer.run([str(path)])
                added = sorted(analyzer.seen)
                for r in rejected:
                    r.path = r.path.replace(str(path), "request")
            finally:
                store.close()
        self._forget()
        return added, rejected
