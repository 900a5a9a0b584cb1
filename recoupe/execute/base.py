"""The Executor protocol, chosen by ``[executor] type`` in config."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

from ..config import ExecutorConfig
from ..errors import ConfigError

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    workers: int

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """``fn`` over ``items``, results in input order; ``fn`` must be picklable."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Executor: ...
    def __exit__(self, *exc: Any) -> None: ...


def make_executor(config: ExecutorConfig, n_items: int | None = None) -> Executor:
    """The configured executor; in-process when the job is too small to be worth workers."""
    from .local import InlineExecutor, LocalExecutor

    if config.type == "local":
        if config.workers == 1 or (n_items is not None and n_items < config.min_parallel):
            return InlineExecutor()
        return LocalExecutor(config.workers)
    if config.type == "inline":
        return InlineExecutor()
    raise ConfigError(f"unknown executor type {config.type!r}; available: inline, local")
