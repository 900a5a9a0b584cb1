from __future__ import annotations

from pathlib import Path

import recoupe
from recoupe.config import Config
from recoupe.execute import InlineExecutor, LocalExecutor, make_executor


def _square(x: int) -> int:
    return x * x


def test_local_executor_keeps_order() -> None:
    with LocalExecutor(2) as ex:
        assert list(ex.map(_square, range(50))) == [x * x for x in range(50)]


def test_small_jobs_run_inline() -> None:
    config = Config().executor
    assert isinstance(make_executor(config, 3), InlineExecutor)
    ex = make_executor(config, 10_000)
    assert isinstance(ex, LocalExecutor)
    ex.close()


def test_workers_give_the_same_report(seeds: Path, tmp_path: Path) -> None:
    inline = recoupe.analyze([seeds], db=tmp_path / "a.db")
    config = Config.from_mapping({"executor": {"workers": 2, "min_parallel": 0},
                                  "pipeline": {"batch_size": 2}})
    pooled = recoupe.analyze([seeds], db=tmp_path / "b.db", config=config)
    assert inline.to_dict()["articles"] == pooled.to_dict()["articles"]
    assert [s.articles for s in inline.stories] == [s.articles for s in pooled.stories]
