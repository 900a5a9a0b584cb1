"""Stories and storylines end to end: seeds, arrival order, aliases, cross-lingual, scores."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import recoupe
from recoupe.config import Config, StoreConfig
from recoupe.eval.stories import clustering_scores, evaluate
from recoupe.model import Article, Embedding, PublishedDate
from recoupe.nlp.embed import unit
from recoupe.store import open_store
from recoupe.stories.storylines import storyline_title

from ..conftest import SEEDS, SHARED_DATA, ml_crisis_documents

FIXTURES = Path(__file__).parent / "fixtures"


def _by_file(report: recoupe.Report) -> set[frozenset[str]]:
    name = {a.id: Path(a.path or "").name[:3] for a in report.articles}
    return {frozenset(name[i] for i in s.articles) for s in report.stories}


def _state(report: recoupe.Report) -> tuple[set[tuple[str, frozenset[str]]], set[tuple[str, ...]]]:
    stories = {(s.id, frozenset(s.articles)) for s in report.stories}
    lines = {(line.id, *line.stories) for line in report.storylines}
    return stories, lines


def test_seeds_make_two_stories_in_one_storyline(seeds: Path, db: Path) -> None:
    report = recoupe.analyze([seeds], db=db)
    assert _by_file(report) == {frozenset({"000", "001", "002"}), frozenset({"003", "004"})}
    dates = {s.date for s in report.stories}
    assert dates == {"2022-02-02", "2021-12-30"}
    assert len(report.storylines) == 1
    line = report.storylines[0]
    assert set(line.stories) == {s.id for s in report.stories}
    assert {s.storyline for s in report.stories} == {line.id}
    # In date order, dated by its stories, titled by the names they share.
    assert (line.start, line.end) == ("2021-12-30", "2022-02-02")
    assert "Biden" in line.title


@pytest.mark.parametrize("order", [(4, 3, 2, 1, 0), (2, 4, 0, 3, 1), (3, 1, 4, 0, 2)])
def test_ids_do_not_depend_on_arrival_order(tmp_path: Path, order: tuple[int, ...]) -> None:
    reference = recoupe.analyze([SEEDS], db=tmp_path / "all.db")
    files = sorted(SEEDS.glob("*.txt"))
    db = tmp_path / "one-by-one.db"
    for i in order:
        single = tmp_path / f"in{i}" / "ukraine-2022"
        single.mkdir(parents=True)
        shutil.copy(files[i], single / files[i].name)
        report = recoupe.analyze([single], db=db)
    assert _state(report) == _state(reference)
    # Running the same input again changes nothing.
    again = recoupe.analyze([SEEDS], db=tmp_path / "all.db")
    assert _state(again) == _state(reference)


def _article(aid: str, day: str, vectors: np.ndarray) -> Article:
    return Article(
        id=aid, raw_text="x", text="x", title=aid, language="fr",
        published=PublishedDate(day, "day", "input"),
        embedding=Embedding(doc=unit(vectors.mean(axis=0)), sentences=vectors, lead=3),
    )


def test_an_older_article_renames_its_story_and_the_old_id_still_resolves(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    topic = rng.normal(size=512).astype(np.float32)
    near = [unit(np.vstack([topic + rng.normal(0, 0.3, 512) for _ in range(4)]).mean(0))
            for _ in range(2)]
    # Two tellings of one happening: sentences close to their article's vector (match 0.79).
    rows = [np.vstack([v + rng.normal(0, 0.03, 512) for _ in range(4)]).astype(np.float32)
            for v in near]
    rows = [r / np.linalg.norm(r, axis=1, keepdims=True) for r in rows]
    store = open_store(StoreConfig(path=str(tmp_path / "s.db")))
    try:
        later = _article("bbbbbbbbbbbbbbbbbbbb", "2024-03-02", rows[0])
        store.save_article(later)
        grouper = recoupe.stories.StoryGrouper(store, Config().stories)
        grouper.add([later])
        first_id = store.stories()[0].id
        earlier = _article("aaaaaaaaaaaaaaaaaaaa", "2024-03-01", rows[1])
        store.save_article(earlier)
        grouper.add([earlier])
        (story,) = store.stories()
        assert set(story.articles) == {later.id, earlier.id}
        assert story.id == "s" + earlier.id[:15] != first_id
        assert story.aliases == [first_id]
        assert store.resolve_story(first_id) == story.id
        assert store.resolve_story("snothing") is None
        # Given again, an article stays where it is, counted once.
        grouper.add([earlier])
        assert [sorted(s.articles) for s in store.stories()] == [sorted(story.articles)]
    finally:
        store.close()


def test_nearest_index_is_persisted_and_rebuilt_when_stale(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    path = tmp_path / "s.db"
    store = open_store(StoreConfig(path=str(path)))
    vectors = []
    for i in range(30):
        rows = rng.normal(size=(4, 512)).astype(np.float32)
        rows /= np.linalg.norm(rows, axis=1, keepdims=True)
        article = _article(f"{i:020d}", f"2024-05-{1 + i % 3:02d}", rows)
        vectors.append(article.embedding.doc)  # type: ignore[union-attr]
        store.save_article(article)
    store.close()
    files = sorted(p.name for p in (tmp_path / "s.db.ann").iterdir())
    assert files == ["2024-05-01.usearch", "2024-05-02.usearch", "2024-05-03.usearch"]
    # A graph file older than the database (a crash before the save) is rebuilt.
    (tmp_path / "s.db.ann" / "2024-05-02.usearch").unlink()
    store = open_store(StoreConfig(path=str(path)))
    try:
        for i in (0, 1, 2, 17):
            day = f"2024-05-{1 + i % 3:02d}"
            found = store.nearest(vectors[i], day, day, 3)
            assert found[0].article_id == f"{i:020d}" and found[0].similarity > 0.99
            assert all(n.first_day == day for n in found)
        # Outside the window nothing is found; the window spans days.
        assert store.nearest(vectors[0], "2024-06-01", "2024-06-03", 3) == []
        assert len(store.nearest(vectors[0], "2024-05-01", "2024-05-03", 2)) == 6
    finally:
        store.close()


@pytest.mark.parametrize("text", ["fr", "es", "it"])
def test_time_lexicons_date_the_lead(text: str) -> None:
    leads = {
        "fr": "L'armée a destitué mercredi 3 juillet le président Morsi, hier soir.",
        "es": "El Ejército destituyó el miércoles 3 de julio de 2013 al presidente Morsi, ayer.",
        "it": "L'esercito ha destituito mercoledì 3 luglio il presidente Morsi, ieri sera.",
    }
    values = {t.value for t in recoupe.extract_times(leads[text], "2013-07-04", text)}
    assert "2013-07-03" in values
    assert values <= {"2013-07-03", "2013-07-03TEV"}


def test_cross_lingual_articles_join_one_story(tmp_path: Path) -> None:
    report = recoupe.analyze([FIXTURES / "crosslingual.jsonl"], db=tmp_path / "x.db")
    by_ext = {a.id: a.external_id for a in report.articles}
    groups = {frozenset(by_ext[i] for i in s.articles) for s in report.stories}
    assert frozenset({"call-fr", "call-es", "call-it"}) in groups
    assert frozenset({"flood-it"}) in groups
    call = next(s for s in report.stories if len(s.articles) == 3)
    assert call.languages == ["es", "fr", "it"]


def test_clustering_scores_by_hand() -> None:
    gold = {"a": "x", "b": "x", "c": "y", "d": "z"}
    scores = clustering_scores({"a": "1", "b": "1", "c": "1", "d": "2"}, gold)
    # B-cubed precision: a, b, c see 2/3, 2/3, 1/3; d sees 1. Recall: all 1.
    assert scores["bcubed"]["precision"] == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4, abs=1e-4)
    assert scores["bcubed"]["recall"] == 1.0
    # Pairs: (a,b) right, (a,c) and (b,c) wrong.
    assert scores["pairwise"]["precision"] == pytest.approx(1 / 3, abs=1e-4)
    assert scores["pairwise"]["recall"] == 1.0
    assert scores["stories"] == 2 and scores["singleton_share"] == 0.5
    alone = clustering_scores({k: k for k in gold}, gold)
    assert alone["pairwise"]["f1"] == 0.0 and alone["bcubed"]["precision"] == 1.0


def test_storyline_title_names_what_headlines_share() -> None:
    title = storyline_title([
        "Joe Biden et Vladimir Poutine se parlent au téléphone",
        "Les Européens inquiets : Biden appelle Emmanuel Macron",
        "Ukraine : Poutine masse des troupes, Biden menace",
    ])
    assert title.split(" · ")[:2] == ["Joe Biden", "Vladimir Poutine"]
    assert storyline_title(["sans nom propre ici"]) == "sans nom propre ici"


def test_dev_clusters_beat_the_singleton_baseline() -> None:
    docs_path = ml_crisis_documents()
    labels_path = SHARED_DATA / "ml_crisis" / "clusters_dev.jsonl"
    docs = [json.loads(line) for line in docs_path.read_text(encoding="utf-8").splitlines()]
    labels = [json.loads(line) for line in labels_path.read_text(encoding="utf-8").splitlines()]
    scores = evaluate(docs, labels, baseline=True)
    ours = scores["recoupe"]["all"]
    alone = scores["baselines"]["all_singletons"]["all"]
    assert scores["documents"] == len(labels)
    # Floors a little under what RESULTS.md records: a regression fails here.
    # Over the singletons, by less than the spread article ids alone give (the pass breaks
    # ties by id: ids from the records' own instead of their texts moved F1 by 0.014).
    assert ours["bcubed"]["f1"] > alone["bcubed"]["f1"]
    assert ours["pairwise"]["f1"] >= 0.25
    assert scores["cross_lingual"]["joined_across_languages"] >= 8
    # One story in 200 may sit in a storyline of the other topic (Egypt and Libya, weeks apart).
    assert scores["storylines"]["topic_purity"] >= 0.99


def test_eval_clustering_names_a_bad_labels_file(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from recoupe.cli import app

    docs = tmp_path / "docs.jsonl"
    docs.write_text('{"doc_id": "a", "text": "Un texte."}\n', encoding="utf-8")
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"doc_id": "a", "event": "E1"}\n{"doc_id": "b"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "clustering", str(docs), "--labels", str(labels)])
    assert result.exit_code == 2
    assert f"{labels}: records need doc_id and event (line 2 does not)" in result.output


def test_a_story_is_dated_by_its_leads_near_its_publication() -> None:
    from recoupe.model import Article, PublishedDate
    from recoupe.stories.describe import event_day

    def member(i: str, published: str, event: str | None) -> Article:
        a = Article(id=i, raw_text="", published=PublishedDate(published, "day", "metadata"))
        a.event_date = event
        return a

    # A photo caption's old date in one lead is background; the happening is the 3rd.
    assert event_day([member("a", "2017-04-07", "2017-03-28"),
                      member("b", "2017-04-07", "2017-04-04")]) == "2017-04-04"
    # Never after the last publication.
    assert event_day([member("a", "2017-04-07", "2017-04-09")]) is None
    # Earlier than a week before, when several leads agree on it.
    assert event_day([member("a", "2011-02-11", "2011-01-25"),
                      member("b", "2011-02-12", "2011-01-25"),
                      member("c", "2011-02-12", "2011-02-11")]) == "2011-01-25"


def test_coverage_counts_a_source_and_its_copies_once() -> None:
    from recoupe.model import ReusePair
    from recoupe.stories.describe import coverage

    def member(i: str, source: str | None) -> Article:
        return Article(id=i, raw_text="", source=source)

    members = [member("a", "lemonde.fr"), member("b", "lemonde.fr"), member("c", "elpais.com"),
               member("d", None), member("e", None), member("f", "ansa.it")]
    assert coverage(members, []) == 5  # a and b: one outlet; d and e: unknown, each its own
    copied = [ReusePair("c", "e", "copied-passages", 0.9, "aligned text", []),
              ReusePair("f", "z", "duplicate", 1.0, "same text", [])]  # z: not a member
    assert coverage(members, copied) == 4
    assert coverage([], []) == 0


def test_a_story_told_in_several_languages_is_headed_in_its_main_one() -> None:
    from recoupe.model import Story
    from recoupe.stories.describe import describe_story

    def member(i: str, language: str, title: str) -> Article:
        return Article(id=i, raw_text="", language=language, title=title, source=f"{i}.example")

    story = Story(id="s", articles=["a", "b", "c"])
    members = [member("a", "it", "Gheddafi minaccia l'Occidente"),
               member("b", "es", "Gadafi amenaza a Occidente"),
               member("c", "es", "Los bombardeos destrozan un edificio del palacio")]
    describe_story(story, members, {}, None)
    assert story.headline == "Gadafi amenaza a Occidente"
    assert story.languages == ["es", "it"] and story.coverage == 3


def test_eval_clustering_refuses_a_document_labelled_in_two_files(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from recoupe.cli import app

    docs = tmp_path / "docs.jsonl"
    docs.write_text('{"doc_id": "a", "text": "Un texte."}\n', encoding="utf-8")
    first, second = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    first.write_text('{"doc_id": "a", "event": "E1"}\n', encoding="utf-8")
    second.write_text('{"doc_id": "b", "event": "F1"}\n{"doc_id": "a", "event": "F2"}\n',
                      encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "clustering", str(docs), "--labels", str(first),
                                      "--labels", str(second)])
    assert result.exit_code == 2
    assert f"{second}: doc_id a is labelled in {first} already" in result.output
