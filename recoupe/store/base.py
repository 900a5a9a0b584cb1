"""The Store protocol: everything the pipeline keeps between runs.

One implementation per backend, chosen by ``[store] type`` in config
(datasketch's storage backends are the model). SQLite is the embedded
default; a PostgreSQL store implements the same protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..config import StoreConfig
from ..errors import ConfigError
from ..model import Article, Fingerprint, Granularity, Rejection, ReusePair, Story


@dataclass(slots=True)
class IndexedFingerprint:
    """An article's fingerprint as the reuse index files it."""

    article_id: str
    fingerprint: Fingerprint
    canonical_url: str | None
    band_keys: list[int]


@dataclass(slots=True)
class StoryState:
    """What grouping needs of a stored story to decide whether an article joins it."""

    story: Story
    centroid: dict[str, float]


class Store(Protocol):
    # -- articles
    def known_ids(self, ids: Iterable[str]) -> set[str]: ...
    def add_input(self, article_id: str, path: str) -> None: ...
    def save_article(self, article: Article) -> None:
        """Insert or replace one article, its inputs and term counts, in one transaction."""
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
    def stories(self) -> list[Story]: ...
    def story_states(self, ids: Sequence[str] | None = None) -> list[StoryState]: ...
    def save_story(self, state: StoryState) -> None: ...

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
    def reuse_pairs(self) -> list[ReusePair]: ...

    # -- runs
    def record_rejections(self, run_id: str, rejections: Sequence[Rejection]) -> None: ...
    def close(self) -> None: ...


StoreFactory = Callable[[StoreConfig], Store]
_BACKENDS: dict[str, StoreFactory] = {}


def register_store(name: str) -> Callable[[StoreFactory], StoreFactory]:
    def decorate(factory: StoreFactory) -> StoreFactory:
        _BACKENDS[name] = factory
        return factory

    return decorate


def open_store(config: StoreConfig) -> Store:
    from . import sqlite as _sqlite  # noqa: F401 - registers the backend

    factory = _BACKENDS.get(config.type)
    if factory is None:
        raise ConfigError(
            f"unknown store type {config.type!r}; available: {', '.join(sorted(_BACKENDS))}"
        )
    return factory(config)
