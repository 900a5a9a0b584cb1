"""Shared helpers for the benchmarks: data location, timing, peak memory of a process tree."""

from __future__ import annotations

import json
import platform
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import psutil

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DOCUMENTS = DATA / "ml_crisis" / "documents.jsonl"


def documents(lang: str | None = None) -> list[dict[str, Any]]:
    if not DOCUMENTS.exists():
        sys.exit(f"skipped: evaluation data absent ({DOCUMENTS})")
    with DOCUMENTS.open(encoding="utf-8") as f:
        docs = [json.loads(line) for line in f]
    return [d for d in docs if lang is None or d["lang"] == lang]


class PeakRSS:
    """Peak resident memory of this process and all its children, sampled."""

    def __init__(self, every: float = 0.1) -> None:
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                with suppress(psutil.Error):
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            self._stop.wait(self.every)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def timer() -> Iterator[Callable[[], float]]:
    start = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], q: float) -> float:
    """The value at rank ``q`` (0..1) of the sorted values, no interpolation."""
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))]


def machine() -> str:
    return (f"{platform.node()} · {psutil.cpu_count()} cores · "
            f"{psutil.virtual_memory().total / 2**30:.0f} GiB · Python {platform.python_version()}")
