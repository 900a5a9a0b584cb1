"""Entities kept in the store: counted again only where new articles change them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from recoupe.model import Article, Mention
from recoupe.store import SQLiteStore
from recoupe.stories.crosscheck import entity_id, refresh_entities

from ..conftest import before_coverage


def _article(i: str, *names: tuple[str, str]) -> Article:
    mentions = [Mention(0, len(text), text, "PER", 0, key) for text, key in names]
    return Article(id=i, raw_text=i, text=i, mentions=mentions)


def _view(store: SQLiteStore) -> dict[str, tuple[str, list[str], list[str]]]:
    return {e.id: (e.name, e.aliases, e.articles) for e in store.entities()}



def test_entities_are_the_same_whatever_the_order(tmp_path: Path) -> None:
    articles = [
        _article("a1", ("Kirby", "PER:kirby")),
        _article("a2", ("John Kirby", "PER:john kirby")),
        _article("a3", ("Kirby", "PER:kirby"), ("Jen Psaki", "PER:jen psaki")),
    ]
    views = []
    for order in ([0, 1, 2], [2, 0, 1], [1, 2, 0]):
        store = SQLiteStore(tmp_path / f"{order}.db")
        for i in order:  # one run per article
            store.save_article(articles[i])
            refresh_entities(store)
        views.append({k: (n, al, sorted(ar)) for k, (n, al, ar) in _view(store).items()})
        store.close()
    assert views[0] == views[1] == views[2]
    assert views[0][entity_id("PER:john kirby")] == ("John Kirby", ["Kirby"], ["a1", "a2", "a3"])


def test_an_older_store_gets_its_names_on_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = SQLiteStore(path)
    store.save_article(_article("a1", ("Joe Biden", "PER:joe biden")))
    store.close()
    # Back to schema 3, as a store written before entities were kept.
    conn = sqlite3.connect(path)
    for table in ("entities", "name_keys", "article_names", "article_search",
                  "ungrouped"):  # v4 and later
        conn.execute(f"DROP TABLE {table}")
    before_coverage(conn)  # v9
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    store = SQLiteStore(path)
    refresh_entities(store)
    assert _view(store)[entity_id("PER:joe biden")] == ("Joe Biden", [], ["a1"])
    store.close()



def test_a_schema_7_store_gets_its_name_groups_on_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "v7.db"
    store = SQLiteStore(path)
    osdh = Article(id="a1", raw_text="a1", text="a1", mentions=[
        Mention(0, 4, "OSDH", "ORG", 0, "ORG:osdh"),
        Mention(5, 45, "Observatoire syrien des droits de l'homme", "ORG", 0,
                "ORG:observatoire syrien des droits de l'homme")])
    store.save_article(osdh)
    store.close()
    # As schema 7 kept them: a group for persons' keys only, the entities counted apart.
    conn = sqlite3.connect(path)
    conn.execute("UPDATE name_keys SET surname = NULL, stale = 0, canonical = key")
    before_coverage(conn)  # v9
    conn.execute("PRAGMA user_version = 7")
    conn.commit()
    conn.close()
    store = SQLiteStore(path)
    assert {r.key for r in store.stale_names()} == {
        "ORG:osdh", "ORG:observatoire syrien des droits de l'homme"}
    refresh_entities(store)
    [entity] = store.entities()
    assert entity.aliases == ["OSDH"] and len(entity.keys) == 2
    # A later article naming the acronym alone finds the expansion through the group.
    store.save_article(Article(id="a2", raw_text="a2", text="a2", mentions=[
        Mention(0, 4, "OSDH", "ORG", 0, "ORG:osdh")]))
    refresh_entities(store)
    [entity] = store.entities()
    assert entity.articles == ["a1", "a2"] and entity.aliases == ["OSDH"]
    store.close()
