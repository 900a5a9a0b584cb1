"""The Store protocol: everything the pipeline keeps between runs.

One implementation per backend, chosen by ``[store] type`` in config
(datasketch's storage backends are the model). SQLite is the embedded
default; a PostgreSQL store implements the same protocol.
"""

from __future__ import annotations

import functools
import json
from array import array
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from importlib import resources
from typing import Any, Protocol, get_args

from ..config import StoreConfig
from ..errors import StoreError
from ..model import (  # date_span: also for the store's callers, as before
    Article,
    Embedding,
    Entity,
    EntityType,
    Fingerprint,
    Granularity,
    PublishedDate,
    Rejection,
    ReusePair,
    Story,
    Storyline,
    date_span,
    own_date,
)
from ..nlp.canonical import surname_group
from ..registry import Registry

_TYPES = get_args(EntityType)


@dataclass(slots=True)
class IndexedFingerprint:
    """An article's fingerprint as the reuse index files it."""

    article_id: str
    fingerprint: Fingerprint
    canonical_url: str | None
    band_keys: list[int]


@dataclass(slots=True)
class StoryState:
    """A stored story with its vector (the normalised mean of its articles', numpy)."""

    story: Story
    vector: Any = None


@dataclass(slots=True)
class Neighbour:
    article_id: str
    first_day: str | None  # the days its publication date spans; None when undated
    last_day: str | None
    similarity: float  # cosine of the document vectors


def own_span(published: PublishedDate) -> tuple[str, str] | None:
    """The days an article's own publication date covers (``model.own_date``)."""
    own = own_date(published)
    return date_span(own.date, own.granularity) if own is not None else None


def canonical_of(entity: Entity, canonical: dict[str, str]) -> str:
    """The key an entity is stored under: the one of its keys that is its own canonical."""
    return next(k for k in entity.keys if canonical.get(k) == k)


@dataclass(frozen=True, slots=True)
class NameRow:
    """How often one article names one mention key with one written name."""

    article_id: str
    key: str
    name: str
    n: int


# The "coverage" order of story lists, coverage_rank: (independent sources + LANGUAGE_WEIGHT
# for each language past the first) / (1 + age / HALF_LIFE_DAYS), the age in days from the
# newest story of the store (UNDATED_AGE for an undated story). A story eight independent
# sources told three days ago ranks with one four told today: a front page shows what is
# widely covered now, not only what came last.
LANGUAGE_WEIGHT = 0.5
HALF_LIFE_DAYS = 3.0
UNDATED_AGE = 30.0
STORY_ORDERS = ("newest", "coverage")


@dataclass(slots=True, frozen=True)
class StoryQuery:
    """Which stories a list shows: filters (all optional), an order and a page.

    ``sort``: "newest" first, or "coverage" (``coverage_rank``: the stories most
    independent sources tell, in most languages, lately).
    """

    start: str | None = None  # YYYY-MM-DD, inclusive, on the story's date
    end: str | None = None
    language: str | None = None  # an article of the story is in it
    source: str | None = None
    entity: str | None = None  # an entity id an article of the story names
    storyline: str | None = None
    min_sources: int = 0  # independent sources at least (Story.coverage)
    sort: str = "newest"
    offset: int = 0
    limit: int = 20


@dataclass(slots=True)
class StoryRow:
    """A story as a list shows it."""

    id: str
    headline: str
    date: str | None
    storyline: str | None
    articles: int
    languages: list[str]
    sources: list[str]
    coverage: int = 0  # independent sources


@dataclass(slots=True)
class EntityRow:
    """An entity as a list shows it."""

    id: str
    name: str
    type: str
    articles: int  # how many articles name it


def wrap_errors(cls: type, errors: type[BaseException] | tuple[type[BaseException], ...]) -> None:
    """Make every public method of the store class ``cls`` raise its driver's ``errors`` as
    StoreError (the CLI's exit code 3), naming the store. ``batch`` and ``exclusive`` are
    context managers: the methods called inside them are wrapped."""

    def wrapped(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return method(*args, **kwargs)
            except errors as exc:
                raise StoreError(f"store {getattr(args[0], 'path', '?')}: {exc}") from exc

        return call

    for name, method in list(vars(cls).items()):
        if not name.startswith("_") and callable(method) and name not in ("batch", "exclusive"):
            setattr(cls, name, wrapped(method))


def shipped_migrations(folder: str) -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration in the package's ``folder``, in order."""
    out = []
    for entry in resources.files(__package__).joinpath(folder).iterdir():
        if entry.name.endswith(".sql"):
            out.append((int(entry.name.split("_", 1)[0]), entry.name,
                        entry.read_text(encoding="utf-8")))
    return sorted(out)


def story_filter(query: StoryQuery, mark: str) -> tuple[str, list[Any]]:
    """The WHERE clause (on ``stories s``) of ``query``'s filters and its arguments, with
    ``mark`` as the driver's placeholder: the same SQL on every backend."""
    where: list[str] = ["1 = 1"]
    args: list[Any] = []
    for test, value in (("s.date >= ?", query.start), ("s.date <= ?", query.end),
                        ("s.storyline = ?", query.storyline),
                        ("s.coverage >= ?", query.min_sources if query.min_sources > 1 else None)):
        if value:
            where.append(test)
            args.append(value)
    # Each filter's set of stories is computed once (IN), not probed story by story.
    for column, value in (("language", query.language), ("source", query.source)):
        if value:
            where.append("s.id IN (SELECT sa.story_id FROM story_articles sa JOIN articles a "
                         f"ON a.id = sa.article_id WHERE a.{column} = ?)")
            args.append(value)
    if query.entity:
        where.append(
            "s.id IN (SELECT sa.story_id FROM entities e JOIN name_keys nk "
            "ON nk.canonical = e.key JOIN article_names an ON an.key = nk.key "
            "JOIN story_articles sa ON sa.article_id = an.article_id WHERE e.id = ?)")
        args.append(query.entity)
    return " AND ".join(where).replace("?", mark), args


def keys_to_recount(stale: Iterable[str], existing: Callable[[list[str], list[str]], set[str]]
                    ) -> set[str]:
    """Every key an entity of a ``stale`` key may hold: the same words under another type
    ("Bachar al-Assad" tagged LOC once) and the keys of its group (a surname, initials), and
    theirs in turn, so that an entity is always counted from all its keys. ``existing(keys,
    groups)``: the stored keys among ``keys`` and those in ``groups``."""
    keys: set[str] = set()
    new = set(stale)
    while new:
        keys |= new
        others = sorted({f"{t}:{k.partition(':')[2]}" for k in new for t in _TYPES} - keys)
        groups = sorted({g for k in new if (g := surname_group(k))})
        new = existing(others, groups) - keys
    return keys


def assemble_entities(rows: Iterable[tuple[Any, ...]], named: Iterable[tuple[str, str, str]]
                      ) -> list[Entity]:
    """Entities from their rows (seq, id, key, type, name, aliases JSON, former ids JSON) and
    the (canonical key, key, article id) of every name, in arrival order: the most named
    first."""
    by_key = {key: Entity(id=i, name=name, type=t, aliases=json.loads(aliases),
                          former_ids=json.loads(former))
              for _seq, i, key, t, name, aliases, former in rows}
    for canonical, key, article_id in named:
        entity = by_key[canonical]
        if key not in entity.keys:
            entity.keys.append(key)
        if not entity.articles or entity.articles[-1] != article_id:  # rows come by seq
            entity.articles.append(article_id)
    out = list(by_key.values())
    for e in out:
        e.keys.sort()
    out.sort(key=lambda e: (-len(e.articles), e.name, e.id))
    return out


def assemble_storylines(lines: Iterable[tuple[str, str]],
                        members: Iterable[tuple[str, str, str | None]]) -> list[Storyline]:
    """Storylines from their (id, title) and their stories' (id, storyline, date) in date
    order; one with no story is left out."""
    found = {i: Storyline(id=i, title=t, stories=[]) for i, t in lines}
    for story_id, line, day in members:
        storyline = found.get(line)
        if storyline is None:
            continue
        storyline.stories.append(story_id)
        if day:
            storyline.start = min(storyline.start or day, day)
            storyline.end = max(storyline.end or day, day)
    return sorted((s for s in found.values() if s.stories), key=lambda s: s.id)


class Store(Protocol):
    def batch(self) -> AbstractContextManager[None]:
        """One transaction for every write inside it: all of them land, or none."""
        ...

    def exclusive(self) -> AbstractContextManager[None]:
        """Hold the store's writer lock: no other writer (process or connection) writes until
        it is released. Grouping runs inside it, so each article gets exactly one story."""
        ...

    # -- articles
    def known_ids(self, ids: Iterable[str]) -> set[str]: ...
    def add_input(self, article_id: str, path: str) -> None: ...
    def await_grouping(self, article_ids: Iterable[str]) -> None:
        """Mark stored articles as awaiting grouping (inside the ``batch`` that stores them,
        so no article is ever stored without the mark)."""
        ...
    def awaiting_grouping(self) -> list[str]:
        """Ids of the articles stored but not yet grouped, in arrival order."""
        ...
    def grouped(self, article_ids: Iterable[str]) -> None:
        """Clear the mark (inside the ``batch`` that files them in their stories)."""
        ...
    def save_article(self, article: Article) -> None:
        """Insert or replace one article, its inputs, term counts and vectors, in one transaction.

        An article without ``embedding`` keeps the vectors stored for it.
        """
        ...
    def get_articles(self, ids: Iterable[str] | None = None) -> list[Article]:
        """The given articles (all when None), with raw text, in arrival order."""
        ...
    def count_articles(self) -> int: ...
    def set_published(self, article_id: str, date: str, granularity: Granularity, basis: str) -> None: ...

    # -- boilerplate learnt per source
    def record_lines(self, source: str, article_id: str, hashes: Iterable[str]) -> None: ...
    def repeated_lines(self, source: str, min_articles: int) -> frozenset[str]: ...
    def mark_lines_applied(self, article_id: str, hashes: Iterable[str]) -> None: ...
    def stale_boilerplate(self, min_articles: int) -> list[str]:
        """Ids of articles holding a line learnt as boilerplate after they were cleaned."""
        ...

    # -- grouping
    def document_frequencies(self, terms: Iterable[str]) -> dict[str, int]: ...
    def embeddings(self, ids: Iterable[str]) -> dict[str, Embedding]: ...
    def nearest(self, vector: Any, start: str | None, end: str | None, k: int) -> list[Neighbour]:
        """The ``k`` articles nearest ``vector`` among those filed on each day from ``start``
        to ``end`` (inclusive) and among the undated; with no days, the undated and the
        last week filed. Nearest first.

        Sub-linear: an approximate index, never a scan of the store.
        """
        ...
    def nearest_many(self, vectors: Sequence[Any], windows: Sequence[tuple[str | None, str | None]],
                     k: int, limit: int | None = None) -> list[list[Neighbour]]:
        """``nearest`` for many vectors, each with its (start, end) window, in one call;
        at most ``limit`` per vector (all partitions together) when given."""
        ...
    def nearest_stories(self, vector: Any, start: str, end: str, k: int
                        ) -> list[tuple[str, str | None, float]]:
        """(story id, date, cosine) of the ``k`` stories nearest ``vector`` per month from
        ``start`` to ``end``, dated within them or undated; nearest first."""
        ...
    def nearest_stories_many(self, vectors: Sequence[Any], windows: Sequence[tuple[str, str]],
                             k: int) -> list[list[tuple[str, str | None, float]]]:
        """``nearest_stories`` for each vector and its own (start, end) window, in one search."""
        ...
    def story_of(self, article_ids: Iterable[str]) -> dict[str, str]: ...
    def story_spans(self, story_ids: Iterable[str]
                    ) -> dict[str, tuple[tuple[str, str] | None, tuple[str, str] | None]]:
        """Per story: the first and last day of its day-dated articles, and the days every
        month- or year-dated one covers (the latest start, the earliest end)."""
        ...
    def stories(self) -> list[Story]: ...
    def story_states(self, ids: Sequence[str] | None = None) -> list[StoryState]: ...
    def save_stories(self, states: Sequence[StoryState]) -> None:
        """Write ``states`` (rows, members, vectors in the story index), all or none."""
        ...
    def set_storyline(self, story_id: str, storyline: str | None) -> None:
        """File a saved story under ``storyline``, changing nothing else of it."""
        ...
    def retire_story(self, old_id: str, new_id: str) -> None:
        """Drop story ``old_id`` (its articles now belong to ``new_id``); its id becomes an alias."""
        ...
    def resolve_story(self, story_id: str) -> str | None:
        """The current id of a story known by ``story_id`` now or before."""
        ...
    def storylines(self, ids: Sequence[str] | None = None) -> list[Storyline]: ...
    def save_storyline(self, storyline: Storyline) -> None: ...
    def rename_storyline(self, old_id: str, new_id: str) -> None: ...
    def stale_names(self) -> list[NameRow]:
        """The rows of every key an article stored since the last ``save_entities`` names (or
        named), and of every key in the same surname group: all an entity count may change by."""
        ...
    def save_entities(self, entities: Sequence[Entity], canonical: dict[str, str]) -> None:
        """Keep ``entities``, recount under ``canonical`` (key -> canonical key) the keys it
        holds, and drop the entities whose key no longer is canonical."""
        ...
    def entities(self, ids: Sequence[str] | None = None) -> list[Entity]:
        """Entities with every article naming them, the most named first."""
        ...
    def canonical_keys(self, keys: Iterable[str] | None = None) -> dict[str, str]:
        """Mention key -> canonical key, of every key (None) or of ``keys``."""
        ...
    def flush(self) -> None:
        """Write what is kept in memory (index pages) to disk."""
        ...

    # -- reuse index
    def save_fingerprints(self, rows: Sequence[IndexedFingerprint]) -> None:
        """Insert or replace fingerprints, band keys and winnowed hashes, in one transaction."""
        ...
    def fingerprints(self, ids: Iterable[str]) -> dict[str, IndexedFingerprint]: ...
    def text_members(self, hashes: Iterable[str]) -> dict[str, list[str]]:
        """The articles whose normalised text has each hash."""
        ...
    def url_members(self, urls: Iterable[str]) -> dict[str, list[str]]:
        """The articles at each canonical URL."""
        ...
    def band_members(self, keys: Iterable[int]) -> dict[int, list[str]]:
        """The articles filed under each LSH band key (keys with none are absent)."""
        ...
    def winnow_members(self, hashes: Iterable[int]) -> dict[int, list[str]]:
        """The articles holding each winnowed hash (hashes with none are absent)."""
        ...
    def texts(self, ids: Iterable[str]) -> dict[str, str]:
        """Clean texts of the given articles."""
        ...
    def save_pairs(self, article_ids: Sequence[str], pairs: Sequence[ReusePair]) -> None:
        """Replace every pair involving ``article_ids`` by ``pairs``, in one transaction."""
        ...
    def reuse_pairs(self, ids: Iterable[str] | None = None) -> list[ReusePair]:
        """Every pair (None), or the pairs between two of ``ids``."""
        ...

    # -- reading, for the web API
    def story_order(self, query: StoryQuery) -> array[int]:
        """The keys of every story ``query``'s filters select, newest first (its page
        ignored): compact enough to keep, so that paging is slicing."""
        ...

    def story_rows(self, keys: Sequence[int]) -> list[StoryRow]:
        """The list rows of the stories with these keys, in their order."""
        ...

    def version(self) -> int:
        """A number that changes when another connection (or process) commits a write."""
        ...

    def search_text(self, text: str, limit: int) -> list[tuple[str, float]]:
        """(article id, score) of full-text matches of ``text``, best first; accents folded."""
        ...
    def search_vectors(self, vector: Any, limit: int, days: int) -> list[tuple[str, float]]:
        """(article id, cosine) of the articles nearest ``vector`` among those of the
        store's latest ``days`` days (0: all) and the undated."""
        ...
    def entity_page(self, text: str | None, offset: int, limit: int
                    ) -> tuple[list[EntityRow], int]:
        """One page of the entities whose name or an alias holds ``text`` (case and accents
        folded; all when None), the most named first, and how many there are."""
        ...
    def entity_names(self, keys: Iterable[str]) -> dict[str, str]:
        """The entity name of each canonical key that has an entity."""
        ...

    # -- runs
    def record_rejections(self, run_id: str, rejections: Sequence[Rejection]) -> None: ...
    def close(self) -> None: ...


StoreFactory = Callable[[StoreConfig, bool], Store]
_BACKENDS: Registry[StoreFactory] = Registry("store type")


def register_store(name: str) -> Callable[[StoreFactory], StoreFactory]:
    return _BACKENDS.register(name)


def open_store(config: StoreConfig, *, readonly: bool = False) -> Store:
    """The configured store. ``readonly``: for a reader (the web server), which then writes
    nothing beside the database (its vector graphs are rebuilt in memory if need be)."""
    from . import postgres as _postgres  # noqa: F401 - registers the backends
    from . import sqlite as _sqlite  # noqa: F401

    return _BACKENDS.get(config.type)(config, readonly)


def stored_articles(config: StoreConfig) -> tuple[list[Article], dict[str, Embedding]]:
    """Every article of the configured store, and their vectors (for the evaluations, which
    analyse labelled documents on a fresh store and read them back)."""
    store = open_store(config)
    try:
        articles = store.get_articles()
        return articles, store.embeddings(a.id for a in articles)
    finally:
        store.close()
