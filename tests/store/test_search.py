"""Full-text search in the SQLite store: accents folded, kept current, added to older stores."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from recoupe.model import Article
from recoupe.store.sqlite import SQLiteStore

from ..conftest import before_coverage


def _article(i: str, title: str, text: str) -> Article:
    return Article(id=i, raw_text=text, text=text, title=title)



def test_an_older_store_gets_its_search_rows_on_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = SQLiteStore(path)
    store.save_article(_article("a1", "Genève", "Les négociations de Genève ont repris."))
    store.close()
    conn = sqlite3.connect(path)  # back to schema 4, before search
    conn.execute("DROP TABLE article_search")
    conn.execute("DROP TABLE ungrouped")  # v7
    before_coverage(conn)  # v9
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()
    store = SQLiteStore(path)
    assert [i for i, _ in store.search_text("negociations geneve", 10)] == ["a1"]
    store.close()
