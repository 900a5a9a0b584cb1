"""Executors on this machine: in-process, or a pool of worker processes."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from types import FrameType
from typing import Any, TypeVar

from pebble import ProcessExpired, ProcessPool

from ..config import ExecutorConfig
from .base import (
    Budget,
    Executor,
    Failed,
    Initializer,
    main_file,
    register_executor,
    results,
    workers_can_start,
)

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger(__name__)
_STOP_SECONDS = 30


class InlineExecutor:
    """In this process. A task's budget is kept with a timer signal, which can stop Python
    code but not a long call into a C library: the process pool stops those too."""

    workers = 1

    def attempt(self, fn: Callable[[T], R], items: Iterable[T], budget: Budget | None = None
                ) -> Iterator[R | Failed]:
        for item in items:
            seconds = budget(item) if budget is not None else None
            try:
                with _deadline(seconds):
                    result = fn(item)
            except _Overtime:
                yield Failed(_overtime(seconds))
                continue
            except Exception as exc:  # a task's bug must not sink the others
                log.warning("task failed", exc_info=True)
                yield Failed(f"{type(exc).__name__}: {exc}")
                continue
            yield result

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        return results(self.attempt(fn, items))

    def close(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def __enter__(self) -> InlineExecutor:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class _Overtime(BaseException):
    """Raised by the timer in the middle of a task. A BaseException, so that no
    ``except Exception`` inside the task takes it for the task's own error."""


@contextlib.contextmanager
def _deadline(seconds: float | None) -> Iterator[None]:
    usable = (seconds is not None and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return
    assert seconds is not None

    def overtime(signum: int, frame: FrameType | None) -> None:
        raise _Overtime

    previous = signal.signal(signal.SIGALRM, overtime)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class LocalExecutor:
    """A pool of worker processes (pebble); each loads its models once, at its start.

    A task over its budget has its worker killed, wherever it is stuck (a C library
    included), and a fresh worker takes its place; so does a worker that dies. At most
    ``2 × workers`` tasks are in flight, so a stream of a million articles never sits
    in memory at once. Workers die with the process that started them, even one killed
    with SIGKILL.
    """

    def __init__(self, workers: int = 0, init: Initializer | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        # forkserver: workers start from a clean interpreter, not a copy of a
        # parent holding SQLite connections and thread pools.
        ctx = multiprocessing.get_context("forkserver")
        # Imported once into the fork server, so that a worker starts with this module
        # already loaded and sets its parent-death signal at once: killed in the second
        # it took to import recoupe, a worker outlived its parent.
        ctx.set_forkserver_preload([__name__])
        self._pool = ProcessPool(max_workers=self.workers, initializer=_start_worker,
                                 initargs=(init,), context=ctx)

    def attempt(self, fn: Callable[[T], R], items: Iterable[T], budget: Budget | None = None
                ) -> Iterator[R | Failed]:
        pending: deque[tuple[Future[R], float | None]] = deque()
        for item in items:
            seconds = budget(item) if budget is not None else None
            pending.append((self._pool.schedule(fn, args=(item,), timeout=seconds), seconds))
            if len(pending) >= 2 * self.workers:
                future, timeout = pending.popleft()
                yield _outcome(future, timeout)
        while pending:
            future, timeout = pending.popleft()
            yield _outcome(future, timeout)

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        return results(self.attempt(fn, items))

    def close(self) -> None:
        self._pool.close()  # type: ignore[no-untyped-call]
        self._pool.join()

    def stop(self) -> None:
        self._pool.stop()  # type: ignore[no-untyped-call]
        try:
            # Bounded: a pool whose workers never started must not hang its caller.
            self._pool.join(timeout=_STOP_SECONDS)
        except TimeoutError:
            log.warning("worker pool did not stop within %s s", _STOP_SECONDS)

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: Any) -> None:
        if exc and exc[0] is not None:
            self.stop()
        else:
            self.close()


def _outcome(future: Future[Any], seconds: float | None) -> Any:
    """The task's result, or why there is none (a Failed)."""
    try:
        return future.result()
    except TimeoutError:
        return Failed(_overtime(seconds))
    except ProcessExpired as exc:
        code = exc.exitcode
        how = (f"signal {signal.Signals(-code).name}" if code < 0 and -code in
               signal.valid_signals() else f"exit code {code}")
        return Failed(f"stopped its worker process ({how})")
    except Exception as exc:  # raised in the worker: that task's failure only
        return Failed(f"{type(exc).__name__}: {exc}")


def _overtime(seconds: float | None) -> str:
    return f"took longer than {round(seconds or 0, 1):g} s"


_PR_SET_PDEATHSIG = 1


def _start_worker(init: Initializer | None) -> None:
    """Run once in each worker, before its first task."""
    # Ctrl-C reaches every process of the terminal's group: the parent decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Die with the parent (the forkserver, which ends with the main process), even when
    # it is killed with SIGKILL and can clean nothing up. Linux only; elsewhere the pool's
    # own shutdown ends the workers.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if init is not None:
        fn, args = init
        fn(*args)


@register_executor("inline")
def _inline(config: ExecutorConfig, n_items: int | None, init: Initializer | None) -> Executor:
    return InlineExecutor()


@register_executor("local")
def _local(config: ExecutorConfig, n_items: int | None, init: Initializer | None) -> Executor:
    """Worker processes; in-process when the job is too small to be worth them (``init`` is
    the workers' set-up: in this process the models load on first use)."""
    if config.workers == 1 or (n_items is not None and n_items < config.min_parallel):
        return InlineExecutor()
    if not workers_can_start():
        log.warning("worker processes cannot import this program's main module (%s): "
                    "analysing in this process", main_file())
        return InlineExecutor()
    return LocalExecutor(config.workers, init)
