from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

import recoupe
from recoupe.errors import StoreError
from recoupe.model import Article, Embedding, PublishedDate
from recoupe.store import SQLiteStore
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
    with pytest.raises(sqlite3.IntegrityError):
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
