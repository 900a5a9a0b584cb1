from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import recoupe
from recoupe.errors import StoreError
from recoupe.model import Article
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
