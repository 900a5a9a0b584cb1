"""The Executor protocol, chosen by ``[executor] type`` in config."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from ..config import ExecutorConfig
from ..errors import RecoupeError
from ..registry import Registry

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")

Budget = Callable[[Any], float]
"""Seconds one task may take, from its item."""
Initializer = tuple[Callable[..., None], tuple[Any, ...]]
"""What each worker runs once before its first task (loading models, say), and its arguments."""


@dataclass(frozen=True, slots=True)
class Failed:
    """A task that gave no result: it ran over its time, its worker died, or it raised."""

    reason: str


class TaskFailed(RecoupeError):
    """``map`` found a task that gave no result."""


class Executor(Protocol):
    workers: int

    def attempt(self, fn: Callable[[T], R], items: Iterable[T], budget: Budget | None = None
                ) -> Iterator[R | Failed]:
        """``fn`` over ``items``, results in input order; a task that runs over
        ``budget(item)`` seconds is stopped and comes back as ``Failed``, as does one whose
        worker dies or that raises. ``fn`` and the items must be picklable."""
        ...

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """``fn`` over ``items``, results in input order; raises TaskFailed on a failed task."""
        ...

    def close(self) -> None: ...

    def stop(self) -> None:
        """Stop now: running tasks are abandoned and no worker is left behind."""
        ...

    def __enter__(self) -> Executor: ...
    def __exit__(self, *exc: Any) -> None: ...


def results(outcomes: Iterator[R | Failed]) -> Iterator[R]:
    """The results of ``attempt``, raising on the first failed task (``map``'s contract)."""
    for outcome in outcomes:
        if isinstance(outcome, Failed):
            raise TaskFailed(f"a task failed: {outcome.reason}")
        yield outcome


def main_file() -> str | None:
    return getattr(sys.modules.get("__main__"), "__file__", None)


def workers_can_start() -> bool:
    """Whether worker processes can start: they import the main module from its file, as
    multiprocessing does, and a program read from standard input (``python -``) has a
    ``__file__`` that names no file, which leaves them unable to start at all."""
    main = main_file()
    return main is None or os.path.exists(main)


ExecutorFactory = Callable[[ExecutorConfig, int | None, "Initializer | None"], Executor]
_EXECUTORS: Registry[ExecutorFactory] = Registry("executor type")


def register_executor(name: str) -> Callable[[ExecutorFactory], ExecutorFactory]:
    return _EXECUTORS.register(name)


def make_executor(config: ExecutorConfig, n_items: int | None = None,
                  init: Initializer | None = None) -> Executor:
    """The configured executor (``[executor] type``: a registered name)."""
    from . import local as _local  # noqa: F401 - registers "inline" and "local"
    from . import ray_pool as _ray_pool  # noqa: F401 - registers "ray"

    return _EXECUTORS.get(config.type)(config, n_items, init)
