"""The store contract: what every backend (SQLite, PostgreSQL) answers to the same writes.

Each test runs once per backend (``conftest.backend_config``); what is particular to one
backend (SQLite's migrations from older files, its WAL) is tested beside it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np
import pytest

from recoupe.errors import StoreError
from recoupe.model import (
    Article,
    Embedding,
    Fingerprint,
    Mention,
    PublishedDate,
    Rejection,
    ReusePair,
    Story,
    Storyline,
)
from recoupe.store.base import IndexedFingerprint, Store, StoryQuery, StoryState
from recoupe.stories.crosscheck import entity_id, refresh_entities

Opener = Callable[[], Store]


def _article(i: str, language: str | None = None, source: str | None = None,
             title: str | None = None, text: str | None = None) -> Article:
    text = text or f"Texte de l'article {i}."
    return Article(id=i, raw_text=text, text=text, title=title or i, language=language,
                   source=source)


def _vector_article(i: int, day: str | None, rows: np.ndarray) -> Article:
    doc = rows.mean(axis=0)
    return Article(id=f"v{i:02d}", raw_text="x", text="x",
                   published=PublishedDate(day, "day", "input") if day else PublishedDate(),
                   embedding=Embedding(doc=doc / np.linalg.norm(doc), sentences=rows, lead=1))


# -- articles ---------------------------------------------------------------------------


def test_article_roundtrip_and_term_counts(opened: Opener) -> None:
    store = opened()
    a = Article(id="a1", raw_text="brut\x00 avec un NUL", path="a.txt", source="src",
                text="Texte.", html="<p>Texte.</p>",
                published=PublishedDate("2022-02-03", "day", "content"),
                terms={"biden": 2, "PER:joe biden": 2})
    store.save_article(a)
    (back,) = store.get_articles(["a1"])
    assert back.raw_text == a.raw_text and back.html == a.html and back.text == "Texte."
    assert back.published == a.published
    assert store.document_frequencies(["biden", "macron"]) == {"biden": 1}
    a.terms = {"macron": 1}
    store.save_article(a)  # replacing moves the counts
    assert store.document_frequencies(["biden", "macron"]) == {"biden": 0, "macron": 1}
    assert store.known_ids(["a1", "zz"]) == {"a1"} and store.count_articles() == 1
    assert store.texts(["a1", "zz"]) == {"a1": "Texte."}
    store.set_published("a1", "2022-02", "month", "text")
    assert store.get_articles()[0].published == PublishedDate("2022-02", "month", "text")
    with pytest.raises(StoreError, match="no article"):
        store.set_published("zz", "2022-02", "month", "text")


def test_articles_come_back_in_arrival_order_and_await_grouping(opened: Opener) -> None:
    store = opened()
    for i in ("c", "a", "b"):
        store.save_article(_article(i))
    store.add_input("a", "second/place.txt")
    assert [a.id for a in store.get_articles()] == ["c", "a", "b"]
    assert [a.id for a in store.get_articles(["b", "c"])] == ["c", "b"]
    store.await_grouping(["b", "c"])
    store.await_grouping(["c"])  # twice is once
    assert store.awaiting_grouping() == ["c", "b"]
    store.grouped(["c"])
    assert store.awaiting_grouping() == ["b"]
    store.record_rejections("run-1", [Rejection("bad.txt", "empty input")])


def test_batch_is_one_transaction(opened: Opener) -> None:
    store = opened()
    with pytest.raises(RuntimeError), store.batch():
        store.save_article(_article("a1"))
        store.save_article(_article("a2"))
        raise RuntimeError("stop")
    assert store.count_articles() == 0  # neither landed
    with store.batch():
        store.save_article(_article("a1"))
    assert store.count_articles() == 1


def test_version_moves_when_another_connection_writes(opened: Opener) -> None:
    reader = opened()
    reader.save_article(_article("a1"))
    before = reader.version()
    assert reader.get_articles() and reader.version() == before  # reading changes nothing
    writer = opened()
    writer.save_article(_article("a2"))
    assert reader.version() != before
    assert reader.known_ids(["a2"]) == {"a2"}


def test_exclusive_holds_every_other_writer(opened: Opener) -> None:
    first, second = opened(), opened()
    done: list[float] = []

    def write() -> None:
        second.save_article(_article("late"))
        done.append(time.monotonic())

    with first.exclusive():
        first.save_article(_article("early"))  # re-entrant: its own writes go through
        thread = threading.Thread(target=write)
        thread.start()
        time.sleep(0.5)
        released = time.monotonic()
        assert not done  # the other writer waits
    thread.join(10)
    assert done and done[0] >= released
    assert [a.id for a in first.get_articles()] == ["early", "late"]


# -- boilerplate learnt per source --------------------------------------------------------


def test_lines_repeated_across_a_sources_pages(opened: Opener) -> None:
    store = opened()
    for i in ("p1", "p2", "p3"):
        store.save_article(_article(i, source="site.fr"))
    store.record_lines("site.fr", "p1", ["menu", "own-1"])
    store.record_lines("site.fr", "p2", ["menu", "own-2"])
    store.record_lines("other.fr", "p3", ["menu"])
    assert store.repeated_lines("site.fr", 2) == {"menu"}
    assert store.repeated_lines("site.fr", 3) == frozenset()
    # Cleaned before the line was known as boilerplate: both pages are to clean again.
    assert store.stale_boilerplate(2) == ["p1", "p2"]
    store.mark_lines_applied("p1", ["menu"])
    assert store.stale_boilerplate(2) == ["p2"]


# -- vectors and neighbours ---------------------------------------------------------------


def test_batched_search_finds_what_one_by_one_does(opened: Opener) -> None:
    rng = np.random.default_rng(3)
    store = opened()
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
    back = store.embeddings(["v01", "zz"])
    assert set(back) == {"v01"} and back["v01"].lead == 1
    assert np.allclose(back["v01"].doc, vectors["v01"], atol=1e-6)
    assert np.allclose(back["v01"].sentences, articles[1].embedding.sentences, atol=0.01)
    # The whole archive, for the search box: the nearest first, whatever its day.
    found = store.search_vectors(vectors["v07"], 3, 0)
    assert found[0][0] == "v07" and found[0][1] > 0.99 and len(found) == 3


def test_a_redated_article_moves_to_its_new_day(opened: Opener) -> None:
    store = opened()
    v = np.eye(1, 16, dtype=np.float32)
    a = _vector_article(0, "2022-02-01", v)
    store.save_article(a)
    a.published = PublishedDate("2022-02-05", "day", "content")
    a.embedding = None  # the vectors stay; the day they are filed under moves
    store.save_article(a)
    assert [n.article_id for n in store.nearest(v[0], "2022-02-05", "2022-02-05", 3)] == ["v00"]
    assert store.nearest(v[0], "2022-02-01", "2022-02-01", 3) == []


def test_stories_saved_together_are_found_as_one_by_one(opened: Opener) -> None:
    rng = np.random.default_rng(5)
    store = opened()
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


# -- stories, storylines --------------------------------------------------------------------


def _listed(store: Store) -> None:
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


def _ids(store: Store, query: StoryQuery) -> list[str]:
    return [row.id for row in store.story_rows(store.story_order(query))]


def test_newest_first_undated_last_and_each_filter(opened: Opener) -> None:
    store = opened()
    _listed(store)
    # Same date: the later story first; no date: after every dated one.
    assert _ids(store, StoryQuery()) == ["same-day", "new", "old", "undated"]
    assert _ids(store, StoryQuery(language="fr")) == ["new", "old", "undated"]
    assert _ids(store, StoryQuery(language="es", end="2022-01-31")) == ["old"]
    assert _ids(store, StoryQuery(source="lemonde.fr")) == ["new", "old"]
    assert _ids(store, StoryQuery(storyline="line")) == ["new", "old"]
    assert _ids(store, StoryQuery(start="2022-01-01")) == ["same-day", "new"]
    assert _ids(store, StoryQuery(language="de")) == []


def test_rows_keep_the_order_asked_and_sum_up_their_articles(opened: Opener) -> None:
    store = opened()
    _listed(store)
    order = store.story_order(StoryQuery())
    rows = store.story_rows([order[2], order[0], 10_000])  # an unknown key is skipped
    assert [r.id for r in rows] == ["old", "same-day"]
    old = rows[0]
    assert (old.headline, old.date, old.storyline, old.articles) == ("Old", "2021-12-30", "line", 2)
    assert old.languages == ["es", "fr"] and old.sources == ["elpais.com", "lemonde.fr"]
    assert store.story_of(["a1", "a6", "zz"]) == {"a1": "old", "a6": "same-day"}
    assert store.story_spans(["old"]) == {}  # no vectors filed: no days to span


def test_by_coverage_many_independent_sources_lately_come_first(opened: Opener) -> None:
    store = opened()

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


def test_a_retired_story_is_found_by_its_old_id(opened: Opener) -> None:
    store = opened()
    _listed(store)
    store.retire_story("same-day", "new")
    assert store.resolve_story("same-day") == "new" and store.resolve_story("gone") is None
    assert store.story_of(["a6"]) == {"a6": "new"}
    store.retire_story("new", "old")  # aliases follow the story they point to
    assert store.resolve_story("same-day") == "old"
    (old,) = store.story_states(["old"])
    assert old.story.aliases == ["new", "same-day"]
    assert old.story.articles == ["a1", "a2", "a4", "a5", "a6"]  # in arrival order
    assert [s.id for s in store.stories()] == ["old", "undated"]


def test_storylines_keep_their_stories_in_date_order(opened: Opener) -> None:
    store = opened()
    _listed(store)
    store.save_storyline(Storyline(id="line", title="Ukraine", stories=[]))
    store.save_storyline(Storyline(id="empty", title="Nothing filed", stories=[]))
    (line,) = store.storylines()  # one with no story is not listed
    assert (line.title, line.stories, line.start, line.end) == (
        "Ukraine", ["old", "new"], "2021-12-30", "2022-02-02")
    store.rename_storyline("line", "line-2")
    assert [(s.id, s.title) for s in store.storylines(["line-2", "line"])] == [
        ("line-2", "Ukraine")]
    assert _ids(store, StoryQuery(storyline="line-2")) == ["new", "old"]


# -- entities ---------------------------------------------------------------------------------


def _named(i: str, *names: tuple[str, str, str]) -> Article:
    mentions = [Mention(0, len(t), t, label, 0, key) for t, label, key in names]  # type: ignore[arg-type]
    return Article(id=i, raw_text=i, text=i, mentions=mentions)


def _view(store: Store) -> dict[str, tuple[str, list[str], list[str]]]:
    return {e.id: (e.name, e.aliases, e.articles) for e in store.entities()}


def test_a_surname_joins_its_one_full_name_until_a_second_arrives(opened: Opener) -> None:
    store = opened()
    store.save_article(_named("a1", ("Emmanuel Macron", "PER", "PER:emmanuel macron"),
                              ("Macron", "PER", "PER:macron"), ("Macron", "PER", "PER:macron")))
    store.save_article(_named("a2", ("Macron", "PER", "PER:macron"),
                              ("Joe Biden", "PER", "PER:joe biden")))
    refresh_entities(store)
    macron = entity_id("PER:emmanuel macron")
    assert _view(store)[macron] == ("Emmanuel Macron", ["Macron"], ["a1", "a2"])
    assert entity_id("PER:macron") not in _view(store)
    assert store.canonical_keys()["PER:macron"] == "PER:emmanuel macron"
    assert store.canonical_keys(["PER:macron", "PER:zz"]) == {"PER:macron": "PER:emmanuel macron"}
    assert store.entity_names(["PER:emmanuel macron"]) == {"PER:emmanuel macron": "Emmanuel Macron"}
    assert store.stale_names() == []  # nothing to count again

    store.save_article(_named("a3", ("Brigitte Macron", "PER", "PER:brigitte macron")))
    assert {r.key for r in store.stale_names()} == {
        "PER:brigitte macron", "PER:emmanuel macron", "PER:macron"}
    refresh_entities(store)
    view = _view(store)
    assert view[macron] == ("Emmanuel Macron", [], ["a1"])
    assert view[entity_id("PER:macron")] == ("Macron", [], ["a1", "a2"])
    rows, total = store.entity_page("macron", 0, 10)
    assert total == 3 and rows[0].name == "Macron" and rows[0].articles == 2
    rows, total = store.entity_page(None, 1, 2)
    assert total == 4 and len(rows) == 2

    store.save_article(_named("a3"))  # analysed again, naming no one
    refresh_entities(store)
    assert entity_id("PER:brigitte macron") not in _view(store)


def test_types_and_acronyms_join_when_counted_a_batch_at_a_time(opened: Opener) -> None:
    store = opened()
    store.save_article(_named("a1", ("Bachar al-Assad", "PER", "PER:bashar assad"),
                              ("Assad", "PER", "PER:assad"), ("OSDH", "ORG", "ORG:osdh")))
    refresh_entities(store)
    store.save_article(_named("a2", ("Bachar al-Assad", "PER", "PER:bashar assad")))
    refresh_entities(store)
    store.save_article(_named("a3", ("Bachar al-Assad", "LOC", "LOC:bashar assad"),
                              ("Observatoire syrien des droits de l'homme", "ORG",
                               "ORG:observatoire syrien des droits de l'homme")))
    refresh_entities(store)
    view = _view(store)
    assad = view[entity_id("PER:bashar assad")]
    assert assad[2] == ["a1", "a2", "a3"] and "Assad" in assad[1]
    assert entity_id("LOC:bashar assad") not in view
    osdh = view[entity_id("ORG:observatoire syrien des droits de l'homme")]
    assert osdh[1] == ["OSDH"] and osdh[2] == ["a1", "a3"]


# -- reuse index and search -----------------------------------------------------------------


def test_the_reuse_index_files_and_refiles_fingerprints(opened: Opener) -> None:
    store = opened()
    for i in ("r1", "r2", "r3"):
        store.save_article(_article(i))

    def row(i: str, text_hash: str, bands: list[int], winnow: list[int]) -> IndexedFingerprint:
        return IndexedFingerprint(i, Fingerprint(text_hash, bytes(range(8)), winnow, 42),
                                  f"https://site.fr/{text_hash}", bands)

    big = 2**62 + 7  # 64-bit hashes, negative ones too
    store.save_fingerprints([row("r1", "h1", [1, big], [-5, 9]), row("r2", "h1", [1], [9])])
    assert store.text_members(["h1", "h9"]) == {"h1": ["r1", "r2"]}
    assert store.url_members(["https://site.fr/h1"]) == {"https://site.fr/h1": ["r1", "r2"]}
    assert store.band_members([1, big, 3]) == {1: ["r1", "r2"], big: ["r1"]}
    assert store.winnow_members([-5, 9]) == {-5: ["r1"], 9: ["r1", "r2"]}
    got = store.fingerprints(["r1"])["r1"]
    assert (got.band_keys, got.fingerprint.winnow, got.fingerprint.minhash) == (
        [1, big], [-5, 9], bytes(range(8)))
    store.save_fingerprints([row("r1", "h2", [3], [11])])  # analysed again: filed anew
    assert store.band_members([1, big, 3]) == {1: ["r2"], 3: ["r1"]}
    assert store.winnow_members([-5, 9, 11]) == {9: ["r2"], 11: ["r1"]}

    pair = ReusePair("r1", "r2", "copied-passages", 0.8, "3 passages", [(0, 10, 5, 15, 0.9)])
    store.save_pairs(["r1", "r2"], [pair, ReusePair("r2", "r3", "duplicate", 1.0, "same", [])])
    assert store.reuse_pairs() == [pair, ReusePair("r2", "r3", "duplicate", 1.0, "same", [])]
    assert store.reuse_pairs(["r1", "r2"]) == [pair]
    store.save_pairs(["r3"], [])  # every pair of r3 goes
    assert store.reuse_pairs() == [pair]


def test_search_folds_accents_and_case_and_ranks_titles_first(opened: Opener) -> None:
    store = opened()
    store.save_article(_article("a1", title="Entretien",
                                text="L'Élysée a confirmé l'appel de Zélensky."))
    store.save_article(_article("a2", title="Zelensky à Paris",
                                text="Le président ukrainien est arrivé."))
    store.save_article(_article("a3", title="Météo", text="Il pleuvra demain sur la Bretagne."))
    assert [i for i, _ in store.search_text("zelensky", 10)] == ["a2", "a1"]  # title weighs more
    assert [i for i, _ in store.search_text("ELYSEE", 10)] == ["a1"]
    assert [i for i, _ in store.search_text("président arrivé", 10)] == ["a2"]  # every word
    assert store.search_text('" OR * & !', 10) == []  # query syntax never reaches the engine
    store.save_article(_article("a3", title="Météo", text="Grand soleil sur la Bretagne."))
    assert store.search_text("pleuvra", 10) == [] and store.search_text("soleil", 10)[0][0] == "a3"


def test_a_write_the_database_refuses_is_a_store_error_and_leaves_nothing(
        opened: Opener) -> None:
    store = opened()
    store.save_article(_article("a1"))
    # A story whose member is no stored article: refused (on PostgreSQL only when the
    # batch's statements reach the server, at its end).
    with pytest.raises(StoreError), store.batch():
        store.save_article(_article("a2"))
        store.save_stories([StoryState(Story(id="s1", articles=["a1", "nowhere"]))])
    assert store.known_ids(["a1", "a2"]) == {"a1"} and store.stories() == []
    store.save_article(_article("a3"))  # and the store goes on
    assert store.count_articles() == 2
