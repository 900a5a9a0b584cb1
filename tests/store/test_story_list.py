"""The story list the web pages read: one order per set of filters, rows by key."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from recoupe.model import Article, Story
from recoupe.store.base import StoryQuery, StoryState
from recoupe.store.sqlite import SQLiteStore


def _article(i: str, language: str, source: str) -> Article:
    text = f"Texte de l'article {i}."
    return Article(id=i, raw_text=text, text=text, title=i, language=language, source=source)


def _store(path: Path) -> SQLiteStore:
    store = SQLiteStore(path)
    for i, language, source in [("a1", "fr", "lemonde.fr"), ("a2", "es", "elpais.com"),
                                ("a3", "fr", "afp.com"), ("a4", "it", "ansa.it"),
                                ("a5", "fr", "lemonde.fr"), ("a6", "es", "efe.com")]:
        store.save_article(_article(i, language, source))
    store.save_stories([
        StoryState(Story(id="old", articles=["a1", "a2"], headline="Old", date="2021-12-30",
                         storyline="line")),
        StoryState(Story(id="undated", articles=["a3"], headline="No date")),
        StoryState(Story(id="new", articles=["a4", "a5"], headline="New", date="2022-02-02",
                         storyline="line")),
        StoryState(Story(id="same-day", articles=["a6"], headline="Later the same day",
                         date="2022-02-02")),
    ])
    return store


def _ids(store: SQLiteStore, query: StoryQuery) -> list[str]:
    return [row.id for row in store.story_rows(store.story_order(query))]


def test_newest_first_undated_last_and_each_filter(tmp_path: Path) -> None:
    store = _store(tmp_path / "s.db")
    # Same date: the later story first; no date: after every dated one.
    assert _ids(store, StoryQuery()) == ["same-day", "new", "old", "undated"]
    assert _ids(store, StoryQuery(language="fr")) == ["new", "old", "undated"]
    assert _ids(store, StoryQuery(language="es", end="2022-01-31")) == ["old"]
    assert _ids(store, StoryQuery(source="lemonde.fr")) == ["new", "old"]
    assert _ids(store, StoryQuery(storyline="line")) == ["new", "old"]
    assert _ids(store, StoryQuery(start="2022-01-01")) == ["same-day", "new"]
    assert _ids(store, StoryQuery(language="de")) == []
    store.close()


def test_rows_keep_the_order_asked_and_sum_up_their_articles(tmp_path: Path) -> None:
    store = _store(tmp_path / "s.db")
    order = store.story_order(StoryQuery())
    rows = store.story_rows([order[2], order[0], 10_000])  # an unknown key is skipped
    assert [r.id for r in rows] == ["old", "same-day"]
    old = rows[0]
    assert (old.headline, old.date, old.storyline, old.articles) == ("Old", "2021-12-30", "line", 2)
    assert old.languages == ["es", "fr"] and old.sources == ["elpais.com", "lemonde.fr"]
    store.close()


def test_the_list_order_comes_from_an_index_not_a_sort(tmp_path: Path) -> None:
    # Sorting reads every story row, vectors included: on 80k stories a page cost 160 ms.
    store = _store(tmp_path / "s.db")
    store.close()
    conn = sqlite3.connect(tmp_path / "s.db")
    plan = " ".join(r[3] for r in conn.execute(
        "EXPLAIN QUERY PLAN SELECT s.seq FROM stories s "
        "ORDER BY s.date IS NULL, s.date DESC, s.seq DESC"))
    conn.close()
    assert "stories_newest" in plan and "TEMP B-TREE" not in plan


def test_version_moves_when_another_connection_writes(tmp_path: Path) -> None:
    reader = _store(tmp_path / "s.db")
    before = reader.version()
    assert reader.version() == before  # reading changes nothing
    writer = SQLiteStore(tmp_path / "s.db")
    writer.save_article(_article("a7", "fr", "afp.com"))
    writer.close()
    assert reader.version() != before
    reader.close()
