"""Full-text search in the SQLite store: accents folded, kept current, added to older stores."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from recoupe.model import Article
from recoupe.store.sqlite import SQLiteStore

from ..conftest import before_coverage


def _article(i: str, title: str, text: str) -> Article:
    return Article(id=i, raw_text=text, text=text, title=title)


def test_search_folds_accents_and_case_and_ranks_titles_first(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    store.save_article(_article("a1", "Entretien", "L'Élysée a confirmé l'appel de Zélensky."))
    store.save_article(_article("a2", "Zelensky à Paris", "Le président ukrainien est arrivé."))
    store.save_article(_article("a3", "Météo", "Il pleuvra demain sur la Bretagne."))
    assert [i for i, _ in store.search_text("zelensky", 10)] == ["a2", "a1"]  # title weighs more
    assert [i for i, _ in store.search_text("ELYSEE", 10)] == ["a1"]
    assert store.search_text('" OR *', 10) == []  # query syntax never reaches FTS5
    # A re-analysed article replaces its row: nothing stale is found.
    store.save_article(_article("a3", "Météo", "Grand soleil sur la Bretagne."))
    assert store.search_text("pleuvra", 10) == [] and store.search_text("soleil", 10)[0][0] == "a3"
    store.close()


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
