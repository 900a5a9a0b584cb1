"""The learned story linker: its features, its training, the shipped weights, and the
leave-one-window-out scores on the dev labels."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from recoupe.config import Config, StoreConfig, StoriesConfig
from recoupe.errors import ConfigError
from recoupe.eval.linker import Pairs, leave_one_window_out, train, training_pairs
from recoupe.eval.stories import Labels
from recoupe.model import Article, Embedding, PublishedDate
from recoupe.nlp.embed import unit
from recoupe.store import open_store
from recoupe.stories.grouping import StoryGrouper
from recoupe.stories.linker import (
    LINK_FEATURES,
    Linker,
    link_features,
    shipped_linker,
    story_linker,
)

from ..conftest import SHARED_DATA, ml_crisis_documents

_RNG = np.random.default_rng(7)
_TOPICS = {name: unit(_RNG.normal(size=512).astype(np.float32)) for name in "abc"}


def _article(aid: str, day: str, topic: str, noise: float = 0.02) -> Article:
    rows = np.vstack([_TOPICS[topic] + _RNG.normal(0, noise, 512) for _ in range(4)])
    rows = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    return Article(id=aid.ljust(20, "0"), raw_text="x", text="x", title=aid, language="fr",
                   external_id=aid, published=PublishedDate(day, "day", "input"),
                   embedding=Embedding(doc=unit(rows.mean(axis=0)), sentences=rows, lead=3))


def test_the_shipped_linker_reads_closer_and_nearer_as_more_likely() -> None:
    linker = shipped_linker()
    assert 0.0 < linker.threshold < 1.0
    base = np.array([0.6, 0.7, 1.0])
    closer, later = base.copy(), base.copy()
    closer[LINK_FEATURES.index("centroid")] = 0.85
    later[LINK_FEATURES.index("day_gap")] = 2.0
    p_base, p_closer, p_later = linker.probability(np.stack([base, closer, later]))
    assert p_closer > p_base > p_later


def test_features_of_an_article_against_the_members_it_is_compared_with() -> None:
    article, same, other = (_article("x", "2024-05-01", "a"), _article("y", "2024-05-02", "a"),
                            _article("z", "2024-05-01", "b"))
    assert article.embedding and same.embedding and other.embedding
    members = [same.embedding, other.embedding]
    (row,) = link_features(article.embedding, members, [0.9, 0.1], [1, 0])
    assert row[LINK_FEATURES.index("match_best")] == pytest.approx(0.9)
    assert row[LINK_FEATURES.index("day_gap")] == 0  # to the nearest member
    # The mean of a same-topic and an other-topic vector sits between them.
    centre = row[LINK_FEATURES.index("centroid")]
    assert float(other.embedding.doc @ article.embedding.doc) < centre < float(
        same.embedding.doc @ article.embedding.doc)
    # Members of two stories: one row each, as if each story were scored alone.
    rows = link_features(article.embedding, members, [0.9, 0.1], [1, 0], stories=[1, 0])
    for k, member in enumerate(members):
        (alone,) = link_features(article.embedding, [member], [[0.9, 0.1][k]], [[1, 0][k]])
        assert rows[1 - k] == pytest.approx(alone)
    assert rows[0][LINK_FEATURES.index("centroid")] == pytest.approx(
        float(other.embedding.doc @ article.embedding.doc) / float(np.linalg.norm(
            other.embedding.doc)), abs=1e-5)


def test_a_linker_round_trips_and_a_stale_one_is_refused(tmp_path: Path) -> None:
    linker = shipped_linker()
    path = tmp_path / "linker.json"
    path.write_text(linker.to_json(), encoding="utf-8")
    again = story_linker(str(path))
    assert again is not None and again.threshold == linker.threshold
    assert np.allclose(again.probability(np.array([0.6, 0.7, 1.0])),
                       linker.probability(np.array([0.6, 0.7, 1.0])), atol=1e-4)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"] = ["match_best", "title_best", "day_gap"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ConfigError, match="train it again"):
        story_linker(str(path))
    assert story_linker("off") is None


def _labels(rows: list[tuple[str, str, str]]) -> Labels:
    return Labels.read([{"doc_id": d, "event": e, "window": w, "kind": "event"}
                        for d, e, w in rows])


def test_training_pairs_are_the_stories_an_article_could_join() -> None:
    articles = [_article("a1", "2024-05-01", "a"), _article("a2", "2024-05-02", "a"),
                _article("b1", "2024-05-02", "b"), _article("a3", "2024-05-09", "a")]
    labels = _labels([("a1", "A", "W"), ("a2", "A", "W"), ("b1", "B", "W"), ("a3", "A", "W")])
    pairs = training_pairs(articles, labels, window=2, matched=16, floor=-1.0)
    # a2 meets story A; b1 meets story A (a2's), not yet itself; a3, a week later, meets
    # nothing: joining A would stretch it past the window.
    assert pairs.same == [1, 0]
    assert pairs.group == ["W", "W"]
    x, y = pairs.arrays()
    assert x.shape == (2, len(LINK_FEATURES)) and y.tolist() == [1, 0]
    assert pairs.without("W").same == [] and pairs.without("V").same == [1, 0]


def test_train_learns_from_separable_pairs_and_sets_its_threshold_held_out() -> None:
    pairs = Pairs()
    rng = np.random.default_rng(3)
    for i in range(300):
        same = int(i % 5 == 0)
        centre = 0.8 if same else 0.45
        pairs.rows.append(np.array([centre - 0.1, centre, 0.0 if same else 1.0])
                          + rng.normal(0, 0.05, 3))
        pairs.same.append(same)
        pairs.group.append("EFGH"[i % 4])
    linker = train(pairs, "synthetic")
    x, y = pairs.arrays()
    joined = linker.probability(x) >= linker.threshold
    assert (joined == (y == 1)).mean() > 0.95
    with pytest.raises(ValueError, match="nothing to learn"):
        only = Pairs()
        only.rows, only.same, only.group = pairs.rows[:3], [0, 0, 0], ["E", "E", "E"]
        train(only, "none")


def test_with_the_linker_off_the_best_match_decides(tmp_path: Path) -> None:
    store = open_store(StoreConfig(path=str(tmp_path / "s.db")))
    try:
        articles = [_article("a1", "2024-05-01", "a", 0.03), _article("a2", "2024-05-01", "a", 0.03),
                    _article("b1", "2024-05-01", "b", 0.03)]
        for a in articles:
            store.save_article(a)
        StoryGrouper(store, StoriesConfig(linker="off")).add(articles)
        groups = {frozenset(s.articles) for s in store.stories()}
        assert groups == {frozenset({articles[0].id, articles[1].id}), frozenset({articles[2].id})}
    finally:
        store.close()


def test_a_missing_linker_file_is_a_config_error(tmp_path: Path) -> None:
    store = open_store(StoreConfig(path=str(tmp_path / "s.db")))
    try:
        with pytest.raises(ConfigError, match=r"\[stories\] linker"):
            StoryGrouper(store, StoriesConfig(linker=str(tmp_path / "absent.json")))
    finally:
        store.close()


def test_each_dev_window_clustered_by_a_linker_that_never_saw_it_beats_every_article_alone(
) -> None:
    docs_path = ml_crisis_documents()
    labels_path = SHARED_DATA / "ml_crisis" / "clusters_dev.jsonl"
    rows = [json.loads(line) for line in labels_path.read_text(encoding="utf-8").splitlines()]
    marks = Labels.read(rows)
    docs = [d for d in (json.loads(line) for line in docs_path.read_text(
        encoding="utf-8").splitlines()) if str(d["doc_id"]) in marks.event]
    scores = leave_one_window_out(docs, marks, Config())
    assert sorted(scores["windows"]) == sorted(scores["thresholds"]) == ["E", "L", "R", "T"]
    # Floors a little under RESULTS.md (0.836 beside 0.793 for every article alone; the
    # embedding-only baseline at its best threshold, chosen on these labels, 0.789).
    assert scores["all"]["bcubed"]["f1"] >= 0.82
    assert scores["events_only"]["bcubed"]["f1"] >= 0.72
    for window, found in scores["windows"].items():
        assert found["all"]["bcubed"]["f1"] > found["all_singletons"]["bcubed"]["f1"], window


def test_a_trained_linker_is_used_by_the_grouping(tmp_path: Path) -> None:
    # A linker that joins nothing: every article stays alone, however close.
    never = Linker(np.zeros(3), np.ones(3), np.zeros(3), -10.0, 0.5, 0.3, "never")
    path = tmp_path / "never.json"
    path.write_text(never.to_json(), encoding="utf-8")
    store = open_store(StoreConfig(path=str(tmp_path / "s.db")))
    try:
        articles = [_article("a1", "2024-05-01", "a"), _article("a2", "2024-05-01", "a")]
        for a in articles:
            store.save_article(a)
        StoryGrouper(store, StoriesConfig(linker=str(path))).add(articles)
        assert len(store.stories()) == 2
    finally:
        store.close()
