from __future__ import annotations

import pytest

import recoupe
from recoupe.config import Config
from recoupe.errors import ConfigError
from recoupe.model import Article, Rejection
from recoupe.pipeline import Pipeline, registered_stages


def test_registry_knows_the_stages() -> None:
    assert {"clean", "language", "sentences", "entities", "terms"} <= set(registered_stages())


def test_unknown_stage() -> None:
    with pytest.raises(ConfigError, match="unknown pipeline stage"):
        Pipeline(["clean", "sumarize"], Config())


def test_missing_requirement_named() -> None:
    with pytest.raises(ConfigError, match="'entities' requires nlp_docs, sentences"):
        Pipeline(["clean", "language", "entities"], Config())


def test_one_bad_article_does_not_sink_the_batch() -> None:
    good = Article(id="a", raw_text="Le président a parlé avec son homologue russe jeudi.", path="a.txt")
    bad = Article(id="b", raw_text="Partager\n0", path="b.txt")
    out = Pipeline(Config().pipeline.stages, Config()).run([good, bad])
    rejected = [o for o in out if isinstance(o, Rejection)]
    kept = [o for o in out if isinstance(o, Article)]
    assert [r.path for r in rejected] == ["b.txt"] and [a.id for a in kept] == ["a"]
    assert kept[0].sentences and kept[0].nlp_docs == []


def test_config_rejects_typos(tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "recoupe.toml"
    f.write_text('[stories]\nthreshhold = 0.3\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key 'threshhold'"):
        Config.load(f)
    f.write_text('[executor]\nworkers = "two"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="workers must be int"):
        Config.load(f)
    f.write_text('[stories]\njoin = 0.35\n[executor]\nworkers = 2\n', encoding="utf-8")
    config = Config.load(f)
    assert config.stories.join == 0.35 and config.executor.workers == 2
    assert Config.from_mapping({"stories": {"join": 1}}).stories.join == 1.0
    with pytest.raises(ConfigError, match="workers must be int"):
        Config.from_mapping({"executor": {"workers": 2.5}})


def test_public_api_is_small() -> None:
    assert set(recoupe.__all__) == {
        "analyze", "Config", "Article", "Entity", "Event", "Figure", "Mention", "Passage",
        "PublishedDate", "Quote", "Rejection", "Report", "Story", "Storyline", "TimeExpression",
        "RecoupeError", "InputError", "ConfigError", "StoreError", "StageError", "__version__",
        "extract_times",
    }
    for name in recoupe.__all__:
        assert hasattr(recoupe, name)
