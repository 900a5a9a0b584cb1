"""Ingest: paths (files, folders, globs, ``-``) to Articles, or Rejections that say why."""

from __future__ import annotations

import glob
import logging
import os
import sys
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..config import IngestConfig
from ..errors import InputError, MalformedInput, TooLargeInput, UnreadableInput
from ..model import Notice, Rejection
from .readers import (
    READERS,
    Item,
    article_id,
    detect_format,
    folder_source,
    format_by_name,
    read_records,
    single_document,
)

__all__ = ["article_id", "display_path", "expand_paths", "iter_inputs", "iter_items", "iter_records"]

log = logging.getLogger(__name__)
_GLOB_CHARS = set("*?[")
_GZIP = b"\x1f\x8b"


def display_path(path: str) -> str:
    """``path`` as text that can be stored and printed: bytes the file system gave that are
    not UTF-8 (which Python carries as lone surrogates) shown as ``\\xNN``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def expand_paths(paths: Iterable[str]) -> Iterator[str | Rejection]:
    """Files to read, in a stable order; a path that names nothing, or a folder that cannot
    be read, is a Rejection."""
    for raw in paths:
        if raw == "-":
            yield raw
            continue
        try:
            yield from _expand(raw)
        except OSError as exc:  # a path inside a folder we may not look into
            yield Rejection(display_path(raw), f"cannot read: {exc.strerror or exc}")


def _expand(raw: str) -> Iterator[str | Rejection]:
    path = Path(raw)
    if path.is_dir():
        yield from _walk(path)
    elif path.exists() or path.is_symlink():
        yield raw
    elif _GLOB_CHARS & set(raw):
        matches = sorted(glob.glob(raw, recursive=True))
        if not matches:
            yield Rejection(display_path(raw), "no file matches this pattern")
        for match in matches:
            if Path(match).is_dir():
                yield from _walk(Path(match))
            else:
                yield match
    else:
        yield Rejection(display_path(raw), "no such file or directory")


def _walk(folder: Path) -> Iterator[str | Rejection]:
    failed: list[OSError] = []
    for root, dirs, files in os.walk(folder, onerror=failed.append):
        yield from _unreadable(failed)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield os.path.join(root, name)
    yield from _unreadable(failed)


def _unreadable(failed: list[OSError]) -> Iterator[Rejection]:
    """The folders ``os.walk`` could not list: rejected, never skipped in silence."""
    for exc in failed:
        where = display_path(str(exc.filename)) if exc.filename is not None else "?"
        yield Rejection(where, f"cannot read folder: {exc.strerror or exc}")
    failed.clear()


def iter_inputs(
    paths: Iterable[str], cfg: IngestConfig | None = None
) -> Iterator[Item]:
    """Every article found in ``paths`` (and what to say of them); never raises for a bad
    input."""
    cfg = cfg or IngestConfig()
    for item in expand_paths(paths):
        if isinstance(item, Rejection):
            yield item
            continue
        yield from iter_items(item, cfg)


def iter_items(path: str, cfg: IngestConfig, data: bytes | None = None
               ) -> Iterator[Item]:
    """The articles of one file (or of ``data`` named ``path``), or why there are none.

    A file that yields nothing at all (an empty JSON list, a WARC without a page) is a
    Rejection too: every input ends stored or rejected with a reason."""
    where = display_path(path)
    found = 0
    try:
        for item in _read_one(path, where, cfg, data):
            found += not isinstance(item, Notice)
            yield item
    except InputError as exc:
        found += 1
        yield Rejection(exc.path, exc.reason)
    except RecursionError:  # a parser deep in nested input
        found += 1
        yield Rejection(where, "input nested too deeply to read")
    except Exception as exc:  # a reader's bug must not end the run: this input only
        log.warning("reading %s failed", where, exc_info=True)
        found += 1
        yield Rejection(where, f"could not be read ({type(exc).__name__}: {exc})")
    if not found:
        yield Rejection(where, "no article in it")


def iter_records(records: Iterable[Any], name: str, cfg: IngestConfig) -> Iterator[Item]:
    """The articles of input records already parsed (a POST body), each named ``name#N``."""
    yield from read_records(((f"{name}#{n}", record) for n, record in enumerate(records, 1)),
                            name, name, cfg)


def _read_one(path: str, where: str, cfg: IngestConfig, data: bytes | None
              ) -> Iterator[Item]:
    name = "" if path == "-" else where
    if data is None:
        data = _read_bytes(path, where, cfg)
    if data.startswith(_GZIP) and format_by_name(name) != "warc":
        inner = _gunzip(data, where, cfg)
        if not inner.startswith(b"WARC/"):  # a gzipped WARC is read as it is
            data, name = inner, name.removesuffix(".gz").removesuffix(".GZ")
    fmt = detect_format(name, data[:4096])
    if single_document(fmt) and len(data) > cfg.max_bytes:
        raise _too_large(where, len(data), cfg)
    yield from READERS[fmt](data, where, folder_source(where), cfg)


def _gunzip(data: bytes, where: str, cfg: IngestConfig) -> bytes:
    """Gzipped input, decompressed no further than ``max_bytes`` (a small file may unpack
    to gigabytes). Every member of a multi-member file is read."""
    out = bytearray()
    rest = data
    try:
        while rest.startswith(_GZIP):
            unzip = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out += unzip.decompress(rest, cfg.max_bytes + 1 - len(out))
            if len(out) > cfg.max_bytes or unzip.unconsumed_tail:
                raise TooLargeInput(where, f"gzip data unpacks to over {cfg.max_bytes / 1e6:.1f} MB "
                                           "(ingest.max_bytes)")
            if not unzip.eof:
                raise MalformedInput(where, "truncated gzip data")
            rest = unzip.unused_data
    except zlib.error as exc:
        raise MalformedInput(where, f"damaged gzip data: {exc}") from exc
    return bytes(out)


def _read_bytes(path: str, where: str, cfg: IngestConfig) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    p = Path(path)
    try:
        if p.is_symlink() and not p.exists():
            raise UnreadableInput(where, "broken symbolic link")
        if not p.is_file():
            raise UnreadableInput(where, "not a regular file")
        size = p.stat().st_size
        # Single-document files over the limit are refused before reading them.
        if size > cfg.max_bytes and single_document(format_by_name(where) or ""):
            raise _too_large(where, size, cfg)
        return p.read_bytes()
    except OSError as exc:
        raise UnreadableInput(where, f"cannot read: {exc.strerror or exc}") from exc


def _too_large(path: str, size: int, cfg: IngestConfig) -> TooLargeInput:
    return TooLargeInput(
        path, f"file of {size / 1e6:.1f} MB is over the limit of "
        f"{cfg.max_bytes / 1e6:.1f} MB for one article (ingest.max_bytes)"
    )
