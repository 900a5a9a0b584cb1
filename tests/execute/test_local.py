from __future__ import annotations

import os
import time
from pathlib import Path

import psutil
import pytest

import recoupe
from recoupe.config import Config
from recoupe.execute import Failed, InlineExecutor, LocalExecutor, TaskFailed, make_executor

from ..conftest import SEEDS


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


def _nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def _die(code: int) -> int:
    os._exit(code)


def _pid(_: int) -> int:
    return os.getpid()


def test_a_task_over_its_budget_is_stopped_and_the_rest_goes_on() -> None:
    for executor in (InlineExecutor(), LocalExecutor(2)):
        with executor as ex:
            started = time.monotonic()
            out = list(ex.attempt(_nap, [0.01, 30.0, 0.02], budget=lambda s: 1.0))
            assert time.monotonic() - started < 15
        assert out[0] == 0.01 and out[2] == 0.02
        assert isinstance(out[1], Failed) and out[1].reason == "took longer than 1 s"


def test_a_worker_that_dies_fails_its_task_only() -> None:
    with LocalExecutor(1) as ex:
        out = list(ex.attempt(_die, [3]))
        assert isinstance(out[0], Failed) and "exit code 3" in out[0].reason
        # A fresh worker takes its place.
        assert list(ex.map(_square, [4])) == [16]
        with pytest.raises(TaskFailed, match="exit code 5"):
            list(ex.map(_die, [5]))


def test_stop_leaves_no_worker() -> None:
    ex = LocalExecutor(2)
    pids = set(ex.map(_pid, range(8)))
    assert pids and os.getpid() not in pids
    ex.stop()
    assert not [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"]


def test_an_article_over_its_budget_is_rejected_the_others_kept(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    # 100,000 paragraphs of two letters each: far slower through the stages than any news.
    (folder / "stall.txt").write_text("a b\n" * 100_000, encoding="utf-8")
    for seed in SEEDS.glob("00[03]*.txt"):
        (folder / seed.name).write_bytes(seed.read_bytes())
    for kind, workers in (("inline", 1), ("local", 2)):
        config = Config.from_mapping({
            "executor": {"type": kind, "workers": workers, "min_parallel": 0,
                         "task_seconds": 3.0, "chars_per_second": 1e9},
            "pipeline": {"batch_size": 4}})
        started = time.monotonic()
        report = recoupe.analyze([folder], db=tmp_path / f"{kind}.db", config=config)
        assert time.monotonic() - started < 120
        assert [(Path(r.path).name, r.reason) for r in report.rejected] == [
            ("stall.txt", "analysis stopped: took longer than 3 s")]
        assert sorted(Path(a.path or "").name[:3] for a in report.articles) == ["000", "003"]
