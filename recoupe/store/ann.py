"""The nearest-neighbour indexes the SQLite store keeps beside its file.

Articles: an HNSW graph (usearch) per day of publication, plus one for
undated articles: a story window spans a few days, so a search reads only
those days' graphs, and a day's graph never grows with the rest of the
archive. Searching each day apart also keeps a busy neighbouring week from
crowding the window's own articles out of the top ``k``. Stories: a graph per
month of their date, for storylines, whose reach is weeks. SQLite holds the truth (``article_vectors``); a graph file is a
cache rebuilt from it whenever its size disagrees, so a crash between the
database commit and the index save loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from usearch.index import Index

UNDATED = "undated"

Loader = Callable[[str], tuple[Any, Any]]  # partition -> (keys uint64[n], vectors float32[n, d])


class PartitionedIndex:
    def __init__(self, directory: Path | None, dim: int, count: Callable[[str], int],
                 load: Loader, *, by: str = "day", prefix: str = "") -> None:
        self.directory = directory
        self.dim = dim
        self.width = 10 if by == "day" else 7  # of the YYYY-MM-DD that names a partition
        self.prefix = prefix
        # Set while graphs in memory differ from the files: found at start, it means the
        # last run stopped before saving, and every file is rebuilt from the database.
        self._marker = None if directory is None else directory / f"{prefix}UNSAVED"
        if self._marker is not None and self._marker.exists():
            for stale in directory.glob(f"{prefix}*.usearch"):  # type: ignore[union-attr]
                if prefix or not stale.name.startswith("stories-"):
                    stale.unlink()
            self._marker.unlink()
        self._count = count
        self._load = load
        self._parts: dict[str, Index] = {}
        self._dirty: set[str] = set()

    def partition(self, day: str | None) -> str:
        return day[: self.width] if day else UNDATED  # "" and None: undated

    def _part(self, name: str) -> Index:
        index = self._parts.get(name)
        if index is not None:
            return index
        expected = self._count(name)
        path = self._path(name)
        if path is not None and path.exists():
            index = Index.restore(str(path))
            if index is not None and len(index) == expected and index.ndim == self.dim:
                self._parts[name] = index
                return index
        index = Index(ndim=self.dim, metric="cos", dtype="f16")
        keys, vectors = self._load(name)
        if len(keys):
            index.add(keys, vectors)
            self._touch(name)
        self._parts[name] = index
        return index

    def _path(self, name: str) -> Path | None:
        return None if self.directory is None else self.directory / f"{self.prefix}{name}.usearch"

    def _touch(self, name: str) -> None:
        if not self._dirty and self._marker is not None:
            self._marker.parent.mkdir(parents=True, exist_ok=True)
            self._marker.touch()
        self._dirty.add(name)

    def add(self, key: int, day: str | None, vector: Any) -> None:
        index = self._part(self.partition(day))
        if key in index:
            index.remove(key)
        index.add(np.uint64(key), np.asarray(vector, dtype=np.float32))
        self._touch(self.partition(day))

    def remove(self, key: int, day: str | None) -> None:
        index = self._part(self.partition(day))
        if key in index:
            index.remove(key)
            self._touch(self.partition(day))

    def search(self, vector: Any, partitions: Iterable[str], k: int) -> list[tuple[int, float]]:
        """The ``k`` nearest keys of each partition, with cosine similarity."""
        out: list[tuple[int, float]] = []
        query = np.asarray(vector, dtype=np.float32)
        for name in partitions:
            index = self._part(name)
            if not len(index):
                continue
            found = index.search(query, min(k, len(index)))
            out.extend((int(key), 1.0 - float(dist))
                       for key, dist in zip(found.keys, found.distances, strict=True))
        return out

    def save(self) -> None:
        if self.directory is None or not self._dirty:
            self._dirty.clear()
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        for name in sorted(self._dirty):
            path = self._path(name)
            assert path is not None
            tmp = path.with_suffix(".tmp")
            self._parts[name].save(str(tmp))
            tmp.replace(path)  # atomic: a reader never sees half a graph
        self._dirty.clear()
        if self._marker is not None:
            self._marker.unlink(missing_ok=True)


def months_between(start: str, end: str) -> list[str]:
    """Months (YYYY-MM) from ``start``'s to ``end``'s, inclusive."""
    y, m = int(start[:4]), int(start[5:7])
    out = []
    while (y, m) <= (int(end[:4]), int(end[5:7])):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def days_between(start: str, end: str) -> list[str]:
    """Days from ``start`` to ``end`` (YYYY-MM-DD), inclusive."""
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]
