"""The Ray executor against real Ray, on one node and on two. Run by test_ray.py inside a
network namespace that has only loopback (what Ray may use here); not collected on its own."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # every Ray process started here reads it

import ray  # before recoupe: see recoupe/store/ann.py

import recoupe
from recoupe.config import Config
from recoupe.execute import Failed, TaskFailed, make_executor
from recoupe.execute.ray_pool import RayExecutor
from recoupe.model import to_dict

from ..conftest import SEEDS

_STORE_MB = 128


def _square(x: int) -> int:
    if x == 5:
        raise ValueError("five")
    return x * x


def _nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def _die_once(marker: str) -> int:
    # The first run kills its own worker (as a node lost would); the retry finds the marker.
    if not os.path.exists(marker):
        Path(marker).write_text("died", encoding="utf-8")
        os._exit(1)
    return os.getpid()


def _node(_: int) -> str:
    time.sleep(0.5)
    return str(ray.get_runtime_context().get_node_id())


@pytest.fixture
def local_ray() -> RayExecutor:
    executor = RayExecutor(2, None, object_store_mb=_STORE_MB)
    yield executor
    executor.close()
    assert not ray.is_initialized()  # the Ray it started goes with it


def test_results_in_order_failures_and_budgets(local_ray: RayExecutor) -> None:
    out = list(local_ray.attempt(_square, range(12)))
    assert out[:5] == [0, 1, 4, 9, 16] and out[6:] == [x * x for x in range(6, 12)]
    assert isinstance(out[5], Failed) and "ValueError: five" in out[5].reason
    with pytest.raises(TaskFailed):
        list(local_ray.map(_square, range(12)))
    started = time.monotonic()
    naps = list(local_ray.attempt(_nap, [0.01, 60.0, 0.02, 0.03], budget=lambda s: 3.0))
    assert naps[0] == 0.01 and naps[2:] == [0.02, 0.03]
    assert isinstance(naps[1], Failed) and "longer than 3 s" in naps[1].reason
    assert time.monotonic() - started < 30  # stopped, not waited for
    # The actor stopped for it was replaced: the pool still has its two workers.
    assert list(local_ray.map(_nap, [0.01] * 4)) == [0.01] * 4


def test_a_task_whose_worker_died_runs_again_on_another(local_ray: RayExecutor,
                                                        tmp_path: Path) -> None:
    marker = str(tmp_path / "died")
    (pid,) = local_ray.map(_die_once, [marker])
    assert os.path.exists(marker) and pid != os.getpid()


def test_two_nodes_share_the_work() -> None:
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={
        "num_cpus": 1, "object_store_memory": _STORE_MB * 1024 * 1024})
    cluster.add_node(num_cpus=1, object_store_memory=_STORE_MB * 1024 * 1024)
    cluster.wait_for_nodes()
    try:
        config = Config.from_mapping({"executor": {"type": "ray",
                                                   "address": cluster.address}})
        with make_executor(config.executor) as executor:
            assert executor.workers == 2  # one per CPU of the cluster
            nodes = set(executor.map(_node, range(8)))
        assert len(nodes) == 2
    finally:
        ray.shutdown()
        cluster.shutdown()


def test_the_same_report_as_the_local_executor(tmp_path: Path) -> None:
    local = recoupe.analyze([SEEDS], db=tmp_path / "local.db")
    config = Config.from_mapping({"executor": {"type": "ray", "workers": 2,
                                               "object_store_mb": _STORE_MB},
                                  "pipeline": {"batch_size": 2}})
    on_ray = recoupe.analyze([SEEDS], db=tmp_path / "ray.db", config=config)
    a, b = to_dict(local), to_dict(on_ray)
    a["run"].pop("seconds")
    b["run"].pop("seconds")
    assert a == b
    assert not ray.is_initialized()


def test_postgres_and_ray_give_what_sqlite_and_local_give(tmp_path: Path) -> None:
    from ..servers import start_postgres
    from ..store.test_postgres import _sample

    paths = _sample(tmp_path, 40)  # the seeds and 40 ML-Crisis articles when the data is here
    server = start_postgres()
    try:
        local = Config.from_mapping({"executor": {"workers": 2, "min_parallel": 0}})
        local.store.point_at(str(tmp_path / "local.db"))
        cluster = Config.from_mapping({"executor": {"type": "ray", "workers": 2,
                                                    "object_store_mb": _STORE_MB}})
        cluster.store.point_at(server.database())
        a, b = to_dict(recoupe.analyze(paths, config=local)), to_dict(
            recoupe.analyze(paths, config=cluster))
    finally:
        server.stop()
    a["run"].pop("seconds")
    b["run"].pop("seconds")
    assert a["stories"] and a["entities"]
    assert a == b
