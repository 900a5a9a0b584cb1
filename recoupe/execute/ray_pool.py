"""Ray as the executor: the same tasks as the local pool, on the actors of a Ray cluster.

Each actor loads the models once (the executor's ``init``, as a local worker does) and
runs one task at a time; at most ``2 × workers`` tasks are taken from the input at once,
so a long stream never sits in memory. A task over its budget has its actor killed and
replaced (the task comes back ``Failed``); a task whose actor died under it (the node
went away, the process was killed) is run again once on another actor before it counts
as failed. Results come back in input order, as from every executor.

``address`` empty starts a Ray instance of ``workers`` CPUs on this machine for the
run; otherwise recoupe joins the cluster there ("auto", "host:6379", "ray://host:10001").
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from ..config import ExecutorConfig
from ..errors import ConfigError, RecoupeError
from .base import Budget, Executor, Failed, Initializer, register_executor, results

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger(__name__)
_RETRIES = 1  # runs of a task again after its actor died under it


class _Actor:
    """One worker: its models loaded once, then one task at a time."""

    def __init__(self, init: Initializer | None) -> None:
        if init is not None:
            fn, args = init
            fn(*args)

    def run(self, fn: Callable[[Any], Any], item: Any) -> Any:
        return fn(item)

    def ready(self) -> bool:
        """Answers once ``__init__`` is done: the models are loaded."""
        return True


@dataclass(slots=True)
class _Running:
    index: int
    item: Any
    actor: Any
    seconds: float | None
    started: float
    tries: int


class RayExecutor:
    def __init__(self, workers: int = 0, init: Initializer | None = None, address: str = "",
                 object_store_mb: int = 256) -> None:
        try:
            import ray
        except ImportError:  # pragma: no cover - the error says what to install
            raise ConfigError('[executor] type = "ray" needs Ray (pip install "ray==2.60.0")'
                              ) from None
        self._ray = ray
        self._started = False
        if not ray.is_initialized():
            options: dict[str, Any] = {"log_to_driver": False, "include_dashboard": False,
                                       "configure_logging": False}
            if address:  # a cluster's own authentication is the user's to set up
                ray.init(address=address, **options)
            else:
                # Ray turns token authentication on by default; an instance of this process
                # for one run needs none, and each process it starts reads this.
                os.environ.setdefault("RAY_AUTH_MODE", "disabled")
                ray.init(num_cpus=workers or os.cpu_count() or 1,
                         object_store_memory=object_store_mb * 1024 * 1024, **options)
                self._started = True
        cpus = int(ray.cluster_resources().get("CPU", 1))  # type: ignore[no-untyped-call]
        self.workers = workers or cpus
        self._init = init
        self._remote = ray.remote(num_cpus=1, max_restarts=0)(_Actor)
        self._alive: list[Any] = []
        self._loading: dict[Any, Any] = {}  # actor -> its ``ready`` call, until answered
        self._idle: deque[Any] = deque(self._spawn() for _ in range(self.workers))

    def _spawn(self) -> Any:
        actor: Any = self._remote.remote(self._init)
        self._alive.append(actor)
        self._loading[actor] = actor.ready.remote()
        return actor

    def _loaded(self, actor: Any) -> Any:
        """``actor`` once its models are loaded: a task's time budget starts after that, as
        a local worker's does after its initializer."""
        call = self._loading.pop(actor, None)
        if call is not None:
            try:
                self._ray.get(call)
            except self._ray.exceptions.RayError as exc:
                raise RecoupeError(f"a Ray worker could not start: {exc}") from exc
        return actor

    def _replace(self, actor: Any) -> None:
        self._ray.kill(actor, no_restart=True)
        self._alive.remove(actor)
        self._loading.pop(actor, None)
        self._idle.append(self._spawn())

    def attempt(self, fn: Callable[[T], R], items: Iterable[T], budget: Budget | None = None
                ) -> Iterator[R | Failed]:
        ray = self._ray
        source = enumerate(items)
        running: dict[Any, _Running] = {}
        done: dict[int, Any] = {}
        retry: deque[_Running] = deque()
        following = 0
        exhausted = False
        try:
            while True:
                while self._idle and (retry or (not exhausted and len(running) + len(done)
                                                < 2 * self.workers)):
                    if retry:
                        task = retry.popleft()
                    else:
                        try:
                            index, item = next(source)
                        except StopIteration:
                            exhausted = True
                            break
                        task = _Running(index, item, None, budget(item) if budget else None, 0.0, 0)
                    task.actor = self._loaded(self._idle.popleft())
                    task.started = time.monotonic()
                    running[task.actor.run.remote(fn, task.item)] = task
                while following in done:
                    yield done.pop(following)
                    following += 1
                if not running:
                    if exhausted and not retry:
                        return
                    continue
                now = time.monotonic()
                deadlines = [t.started + t.seconds - now for t in running.values()
                             if t.seconds is not None]
                ready, _ = ray.wait(list(running), num_returns=1,
                                    timeout=max(min(deadlines), 0.0) if deadlines else None)
                for ref in ready:
                    task = running.pop(ref)
                    try:
                        done[task.index] = ray.get(ref)
                        self._idle.append(task.actor)
                    except ray.exceptions.RayTaskError as exc:  # the task raised: its failure only
                        cause = exc.cause if exc.cause is not None else exc
                        done[task.index] = Failed(f"{type(cause).__name__}: {cause}")
                        self._idle.append(task.actor)
                    except (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError,
                            ray.exceptions.ObjectLostError) as exc:
                        self._replace(task.actor)
                        if task.tries < _RETRIES:
                            log.warning("a worker died under a task; running it again: %s", exc)
                            task.tries += 1
                            retry.append(task)
                        else:
                            done[task.index] = Failed(f"its worker died: {type(exc).__name__}")
                now = time.monotonic()
                for ref, task in list(running.items()):
                    if task.seconds is not None and now - task.started >= task.seconds:
                        del running[ref]
                        self._replace(task.actor)  # stops the task wherever it is stuck
                        done[task.index] = Failed(
                            f"took longer than {round(task.seconds, 1):g} s")
        finally:
            # Abandoned (the caller stopped reading, or raised): the tasks still running
            # would hold their actors; fresh ones take their place.
            for task in running.values():
                self._replace(task.actor)

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        return results(self.attempt(fn, items))

    def close(self) -> None:
        for actor in self._alive:
            self._ray.kill(actor, no_restart=True)
        self._alive.clear()
        self._loading.clear()
        self._idle.clear()
        if self._started:
            self._ray.shutdown()
            self._started = False

    def stop(self) -> None:
        self.close()

    def __enter__(self) -> RayExecutor:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


@register_executor("ray")
def _ray(config: ExecutorConfig, n_items: int | None, init: Initializer | None) -> Executor:
    return RayExecutor(config.workers, init, config.address, config.object_store_mb)
