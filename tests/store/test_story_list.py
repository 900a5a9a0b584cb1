"""The story list the web pages read: one order per set of filters, rows by key."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from recoupe.store.sqlite import SQLiteStore

from .test_contract import _listed


def _store(path: Path) -> SQLiteStore:
    store = SQLiteStore(path)
    _listed(store)  # the stories of the contract's list tests
    return store


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
