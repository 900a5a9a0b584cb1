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


def test_by_coverage_many_independent_sources_lately_come_first(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    for i in range(12):
        store.save_article(_article(f"b{i}", "fr", f"site{i}.fr"))

    def story(sid: str, day: str | None, sources: int, languages: list[str]) -> StoryState:
        return StoryState(Story(id=sid, articles=[], headline=sid, date=day, coverage=sources,
                                languages=languages))

    store.save_stories([
        story("today-one", "2022-02-10", 1, ["fr"]),
        story("today-four", "2022-02-10", 4, ["fr"]),
        story("three-days-eight", "2022-02-07", 8, ["fr"]),  # ranks with four today
        story("week-ago-six", "2022-02-03", 6, ["fr", "es", "it"]),
        story("undated-twenty", None, 20, ["fr"]),
        story("yesterday-two-langs", "2022-02-09", 2, ["fr", "es"]),
    ])
    # (sources + 0.5 per extra language) / (1 + age / 3): 4 and 4 (the later first),
    # 7 / (10/3), 2.5 / (4/3), 20 / (1 + 30/3) (undated: 30 days old), 1.
    assert _ids(store, StoryQuery(sort="coverage")) == [
        "today-four", "three-days-eight", "week-ago-six", "yesterday-two-langs",
        "undated-twenty", "today-one"]
    assert _ids(store, StoryQuery(sort="coverage", min_sources=6)) == [
        "three-days-eight", "week-ago-six", "undated-twenty"]
    assert _ids(store, StoryQuery(min_sources=6)) == [
        "three-days-eight", "week-ago-six", "undated-twenty"]  # newest first, undated last
    rows = store.story_rows(store.story_order(StoryQuery(sort="coverage", limit=1)))
    assert rows[0].coverage == 4
    store.close()


def test_a_schema_8_store_gets_its_stories_coverage_from_their_sources(tmp_path: Path) -> None:
    from ..conftest import before_coverage

    store = _store(tmp_path / "s.db")
    store.close()
    conn = sqlite3.connect(tmp_path / "s.db")
    before_coverage(conn)
    conn.execute("PRAGMA user_version = 8")
    conn.commit()
    conn.close()
    store = SQLiteStore(tmp_path / "s.db")
    by_id = {s.id: s.coverage for s in store.stories()}
    assert by_id == {"old": 2, "undated": 1, "new": 2, "same-day": 1}
    store.close()
