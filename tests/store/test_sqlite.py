from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

import recoupe
from recoupe.errors import StoreError
from recoupe.model import Article, Embedding, PublishedDate, Story
from recoupe.store import SQLiteStore, StoryState
from recoupe.store.sqlite import migrations


def test_schema_is_versioned_and_wal(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    assert store.schema_version == migrations()[-1][0] >= 1
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()
    again = SQLiteStore(tmp_path / "s.db")  # reopening migrates nothing
    assert again.schema_version == migrations()[-1][0]
    again.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(StoreError, match="newer than this recoupe"):
        SQLiteStore(path)


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("ceci n'est pas une base\n" * 200, encoding="utf-8")
    with pytest.raises(StoreError, match="is it a recoupe store"):
        SQLiteStore(path)


def test_article_roundtrip_and_term_counts(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    a = Article(id="a1", raw_text="brut", path="a.txt", source="src", text="Texte.",
                published=PublishedDate("2022-02-03", "day", "content"),
                terms={"biden": 2, "PER:joe biden": 2})
    store.save_article(a)
    (back,) = store.get_articles(["a1"])
    assert back.raw_text == "brut" and back.text == "Texte." and back.published == a.published
    assert store.document_frequencies(["biden", "macron"]) == {"biden": 1}
    a.terms = {"macron": 1}
    store.save_article(a)  # replacing moves the counts
    assert store.document_frequencies(["biden", "macron"]) == {"biden": 0, "macron": 1}
    assert store.known_ids(["a1", "zz"]) == {"a1"}
    store.close()


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    a = Article(id="a1", raw_text="brut", text="Texte.")
    store.conn.execute("CREATE TRIGGER boom BEFORE INSERT ON article_inputs BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    a.path = "a.txt"
    with pytest.raises(StoreError, match="disk full"):  # SQLite's error, wrapped
        store.save_article(a)
    assert store.count_articles() == 0
    store.close()


def test_cli_store_error_exit_code(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from recoupe.cli import app

    bad = tmp_path / "notes.db"
    bad.write_text("pas une base\n" * 200, encoding="utf-8")
    result = CliRunner().invoke(app, ["analyze", str(tmp_path), "--db", str(bad), "-q"])
    assert result.exit_code == 3
    assert recoupe.StoreError.exit_code == 3


def _vector_article(i: int, day: str | None, rows: np.ndarray) -> Article:
    doc = rows.mean(axis=0)
    return Article(id=f"v{i:02d}", raw_text="x", text="x",
                   published=PublishedDate(day, "day", "input") if day else PublishedDate(),
                   embedding=Embedding(doc=doc / np.linalg.norm(doc), sentences=rows, lead=1))


def test_batched_search_finds_what_one_by_one_does(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    store = SQLiteStore(tmp_path / "s.db")
    days = ["2022-02-01", "2022-02-02", "2022-02-03", "2022-02-07", None]
    articles = []
    for i in range(40):
        rows = rng.normal(size=(3, 16)).astype(np.float32)
        rows /= np.linalg.norm(rows, axis=1, keepdims=True)
        articles.append(_vector_article(i, days[i % len(days)], rows))
        store.save_article(articles[-1])
    windows = [("2022-02-01", "2022-02-03"), ("2022-02-06", "2022-02-08"), (None, None)]
    queries = [a.embedding.doc for a in articles[:3] if a.embedding is not None]
    batched = store.nearest_many(queries, windows, 5)
    single = [store.nearest(q, s, e, 5) for q, (s, e) in zip(queries, windows, strict=True)]
    assert [[n.article_id for n in b] for b in batched] == [[n.article_id for n in s]
                                                            for s in single]
    # Against exact cosines: the 5 nearest of each day asked for, and of the undated.
    vectors = {a.id: a.embedding.doc for a in articles if a.embedding is not None}
    day_of = {a.id: a.published.date for a in articles}
    for query, (start, end), found in zip(queries, windows[:2], batched, strict=False):
        expected: set[str] = set()
        for day in {day_of[i] for i in day_of if day_of[i] is None
                    or (start is not None and end is not None and start <= day_of[i] <= end)}:
            ids = sorted((i for i in day_of if day_of[i] == day),
                         key=lambda i: -float(vectors[i] @ query))
            expected.update(ids[:5])
        assert {n.article_id for n in found} == expected
    # The window holds: only the days asked for, and the undated.
    assert {n.first_day for n in batched[1]} <= {"2022-02-07", None}
    assert batched[0][0].article_id == "v00" and batched[0][0].similarity > 0.99
    limited = store.nearest_many(queries, windows, 5, limit=3)
    assert [[n.article_id for n in x] for x in limited] == [[n.article_id for n in b[:3]]
                                                            for b in batched]
    store.close()


def test_stories_saved_together_are_found_as_one_by_one(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    store = SQLiteStore(tmp_path / "s.db")
    store.save_article(_vector_article(0, "2022-02-01", np.eye(1, 16, dtype=np.float32)))
    days = ["2022-01-20", "2022-02-02", "2022-02-25", "2022-03-03", None]
    states = []
    for i in range(30):
        v = rng.normal(size=16).astype(np.float32)
        states.append(StoryState(Story(id=f"s{i:02d}", articles=[], date=days[i % 5]),
                                 v / np.linalg.norm(v)))
    store.save_stories(states)
    # A story moved to another month leaves its old month's index.
    states[0].story.date = "2022-03-10"
    store.save_stories([states[0]])
    windows = [("2022-01-15", "2022-02-10"), ("2022-02-20", "2022-03-31")]
    queries = [states[0].vector, states[1].vector]
    batched = store.nearest_stories_many(queries, windows, 8)
    single = [store.nearest_stories(q, s, e, 8) for q, (s, e) in zip(queries, windows, strict=True)]
    assert batched == single
    assert ("s00", "2022-03-10") in {r[:2] for r in batched[1]}  # filed under its new month
    assert all(day is None or "2022-01-15" <= day <= "2022-02-10" for _, day, _ in batched[0])
    assert "s00" not in {story_id for story_id, _, _ in batched[0]}
    # Exact cosines: every story of the second window's months, nearest first.
    inside = [s for s in states if s.story.date is None or s.story.date >= "2022-02-20"]
    expected = sorted(inside, key=lambda s: -float(s.vector @ queries[1]))[:8]
    assert [r[0] for r in batched[1]][:3] == [s.story.id for s in expected][:3]
    store.set_storyline("s01", "l01")
    (back,) = store.story_states(["s01"])
    assert back.story.storyline == "l01" and back.story.date == "2022-02-02"
    store.close()


def test_batch_is_one_transaction(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    with pytest.raises(RuntimeError), store.batch():
        store.save_article(Article(id="a1", raw_text="brut", text="Texte."))
        store.save_article(Article(id="a2", raw_text="brut", text="Texte."))
        raise RuntimeError("stop")
    assert store.count_articles() == 0  # neither landed
    with store.batch():
        store.save_article(Article(id="a1", raw_text="brut", text="Texte."))
    assert store.count_articles() == 1
    store.close()
