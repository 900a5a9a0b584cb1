"""Ingest: paths (files, folders, globs, ``-``) to Articles, or Rejections that say why."""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..config import IngestConfig
from ..errors import InputError, TooLargeInput, UnreadableInput
from ..model import Article, Rejection
from .readers import (
    READERS,
    article_id,
    detect_format,
    folder_source,
    format_by_name,
    single_document,
)

__all__ = ["article_id", "expand_paths", "iter_inputs"]

_GLOB_CHARS = set("*?[")


def expand_paths(paths: Iterable[str]) -> Iterator[str | Rejection]:
    """Files to read, in a stable order; a path that names nothing is a Rejection."""
    for raw in paths:
        if raw == "-":
            yield raw
            continue
        path = Path(raw)
        if path.is_dir():
            yield from _walk(path)
        elif path.exists() or path.is_symlink():
            yield raw
        elif _GLOB_CHARS & set(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            if not matches:
                yield Rejection(raw, "no file matches this pattern")
            for match in matches:
                if Path(match).is_dir():
                    yield from _walk(Path(match))
                else:
                    yield match
        else:
            yield Rejection(raw, "no such file or directory")


def _walk(folder: Path) -> Iterator[str]:
    for root, dirs, files in os.walk(folder, onerror=None):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield os.path.join(root, name)


def iter_inputs(
    paths: Iterable[str], cfg: IngestConfig | None = None
) -> Iterator[Article | Rejection]:
    """Every article found in ``paths``; never raises for a bad input."""
    cfg = cfg or IngestConfig()
    for item in expand_paths(paths):
        if isinstance(item, Rejection):
            yield item
            continue
        try:
            yield from _read_one(item, cfg)
        except InputError as exc:
            yield Rejection(exc.path, exc.reason)


def _read_one(path: str, cfg: IngestConfig) -> Iterator[Article | Rejection]:
    data = _read_bytes(path, cfg)
    fmt = detect_format("" if path == "-" else path, data[:4096])
    if single_document(fmt) and len(data) > cfg.max_bytes:
        raise _too_large(path, len(data), cfg)
    yield from READERS[fmt](data, path, folder_source(path), cfg)


def _read_bytes(path: str, cfg: IngestConfig) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    p = Path(path)
    try:
        if p.is_symlink() and not p.exists():
            raise UnreadableInput(path, "broken symbolic link")
        if not p.is_file():
            raise UnreadableInput(path, "not a regular file")
        size = p.stat().st_size
        # Single-document files over the limit are refused before reading them.
        if size > cfg.max_bytes and single_document(format_by_name(path) or ""):
            raise _too_large(path, size, cfg)
        return p.read_bytes()
    except OSError as exc:
        raise UnreadableInput(path, f"cannot read: {exc.strerror or exc}") from exc


def _too_large(path: str, size: int, cfg: IngestConfig) -> TooLargeInput:
    return TooLargeInput(
        path, f"file of {size / 1e6:.1f} MB is over the limit of "
        f"{cfg.max_bytes / 1e6:.1f} MB for one article (ingest.max_bytes)"
    )
