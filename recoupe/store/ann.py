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

import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from usearch.index import Index

UNDATED = "undated"
_EXACT_BELOW = 256

Loader = Callable[[str], tuple[Any, Any]]  # partition -> (keys uint64[n], vectors float32[n, d])


class PartitionedIndex:
    def __init__(self, directory: Path | None, dim: int, count: Callable[[str], int],
                 load: Loader, *, by: str = "day", prefix: str = "",
                 readonly: bool = False) -> None:
        self.directory = directory
        self.dim = dim
        self.width = 10 if by == "day" else 7  # of the YYYY-MM-DD that names a partition
        self.prefix = prefix
        # A reader (the web server) never writes beside the store: what it has to rebuild
        # stays in its memory, and the next writer saves it.
        self.readonly = readonly
        # Set while graphs in memory differ from the files: found at start, it means the
        # last run stopped before saving, and every file is rebuilt from the database.
        self._marker = None if directory is None else directory / f"{prefix}UNSAVED"
        self._distrust = False  # a reader that found the marker: files are not read
        if self._marker is not None and self._marker.exists():
            if readonly:
                self._distrust = True
            else:
                for stale in directory.glob(f"{prefix}*.usearch"):  # type: ignore[union-attr]
                    if prefix or not stale.name.startswith("stories-"):
                        stale.unlink(missing_ok=True)
                self._marker.unlink(missing_ok=True)
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
        if path is not None and not self._distrust and path.exists():
            index = _restore(path)
            if index is not None and len(index) == expected and index.ndim == self.dim:
                self._parts[name] = index
                return index
        from usearch.index import Index  # see _usearch_note

        index = Index(ndim=self.dim, metric="cos", dtype="f16")
        keys, vectors = self._load(name)
        if len(keys):
            # One thread, in key order: a graph rebuilt after a crash is the same graph on
            # every run, and so are the searches and the stories they give.
            order = np.argsort(keys, kind="stable")
            index.add(keys[order], vectors[order], threads=1)
            self._touch(name)
        self._parts[name] = index
        return index

    def _path(self, name: str) -> Path | None:
        return None if self.directory is None else self.directory / f"{self.prefix}{name}.usearch"

    def _touch(self, name: str) -> None:
        if self.readonly:
            return
        if not self._dirty and self._marker is not None:
            self._marker.parent.mkdir(parents=True, exist_ok=True)
            self._marker.touch()
        self._dirty.add(name)

    def add(self, key: int, day: str | None, vector: Any) -> None:
        self.add_many([key], [day], np.asarray(vector, dtype=np.float32)[None, :])

    def add_many(self, keys: Sequence[int], days: Sequence[str | None], vectors: Any) -> None:
        """``add`` for many keys: one insertion per partition, where key-by-key calls
        spent most of their time in call overhead."""
        vectors = np.asarray(vectors, dtype=np.float32)
        last = {key: row for row, key in enumerate(keys)}  # a key given twice: its last row
        rows: dict[str, list[int]] = {}
        for row, day in enumerate(days):
            if last[keys[row]] == row:
                rows.setdefault(self.partition(day), []).append(row)
        for name, picked in rows.items():
            index = self._part(name)
            for row in picked:
                if keys[row] in index:
                    index.remove(keys[row])
            # One thread: the graph then comes out the same on every run (threads insert
            # in no fixed order), and searches, hence stories and storylines, do too.
            index.add(np.asarray([keys[r] for r in picked], dtype=np.uint64), vectors[picked],
                      threads=1)
            self._touch(name)

    def remove(self, key: int, day: str | None) -> None:
        index = self._part(self.partition(day))
        if key in index:
            index.remove(key)
            self._touch(self.partition(day))

    def search(self, vector: Any, partitions: Iterable[str], k: int) -> list[tuple[int, float]]:
        """The ``k`` nearest keys of each partition, with cosine similarity."""
        keys, sims = self.search_many(np.asarray(vector)[None, :], [list(partitions)], k)[0]
        return list(zip(keys.tolist(), sims.tolist(), strict=True))

    def search_many(self, vectors: Any, partitions: Sequence[Iterable[str]], k: int
                    ) -> list[tuple[Any, Any]]:
        """``search`` for each row of ``vectors`` over its own ``partitions``, as arrays
        (keys uint64, cosine similarities): one batched graph search per partition for all
        the rows that read it (usearch spreads a batch over the cores), where row-by-row
        calls spent most of their time in call overhead.
        """
        queries = np.asarray(vectors, dtype=np.float32)
        keys: list[list[Any]] = [[] for _ in range(len(queries))]
        sims: list[list[Any]] = [[] for _ in range(len(queries))]
        readers: dict[str, list[int]] = {}
        for row, names in enumerate(partitions):
            for name in names:
                readers.setdefault(name, []).append(row)
        for name, rows in readers.items():
            index = self._part(name)
            if not len(index):
                continue
            # A small graph is searched exhaustively: the same neighbours whatever order it
            # was built in (a rebuild after a crash, another process's insertions), for
            # less than a graph walk costs at this size.
            found = index.search(queries[rows], min(k, len(index)),
                                 exact=len(index) <= _EXACT_BELOW)
            # One row comes back as a single match list, several as a batch.
            found_keys, dists = np.atleast_2d(found.keys), np.atleast_2d(found.distances)
            counts = getattr(found, "counts", None)
            if counts is None:
                counts = [len(found_keys[0])]
            for row, row_keys, row_dists, count in zip(rows, found_keys, dists, counts,
                                                       strict=True):
                keys[row].append(row_keys[:count])
                sims[row].append(1.0 - row_dists[:count])
        empty = np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.float32)
        return [(np.concatenate(k_), np.concatenate(s_)) if k_ else empty
                for k_, s_ in zip(keys, sims, strict=True)]

    def save(self) -> None:
        if self.directory is None or self.readonly or not self._dirty:
            self._dirty.clear()
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        for name in sorted(self._dirty):
            path = self._path(name)
            assert path is not None
            # A name no other writer uses: two processes saving one graph never write into
            # each other's file, and the rename is atomic, so a reader never sees half a
            # graph. The last rename wins; a graph that lacks the other's vectors has the
            # wrong size and is rebuilt from the database when next opened.
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
            try:
                self._parts[name].save(str(tmp))
                tmp.replace(path)
            finally:
                tmp.unlink(missing_ok=True)
        self._dirty.clear()
        if self._marker is not None:
            self._marker.unlink(missing_ok=True)


def _restore(path: Path) -> Index | None:
    """The graph saved at ``path``, or None when the file is unreadable or damaged (it is then
    rebuilt from the database)."""
    from usearch.index import Index  # see _usearch_note

    try:
        return Index.restore(str(path))
    except (OSError, RuntimeError, ValueError):
        return None


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


# _usearch_note: usearch is imported when a graph is first needed, not with recoupe: its C++
# runtime, once loaded, breaks Ray's (Ray's regular expressions throw when it starts), and a
# PostgreSQL store or a Ray worker never needs it.
