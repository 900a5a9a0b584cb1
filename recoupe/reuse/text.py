"""Words, shingles and URLs as the reuse index compares them.

Copies differ in form more than in words: quotes and apostrophes change,
accents get lost, case shifts in titles. Comparison runs on words folded to
lower case without diacritics, each keeping its character offsets so spans
found on words map back to the text.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# Combining marks are part of a word: "e\u0301te" (decomposed "été") is one.
_WORD = re.compile(f"[\\w{_MARKS}]+")
_MASK = (1 << 63) - 1  # hashes fit SQLite's signed 64-bit INTEGER


@dataclass(slots=True)
class Words:
    """The normalised words of a text and where each one is."""

    norms: list[str]
    starts: list[int]
    ends: list[int]

    def __len__(self) -> int:
        return len(self.norms)

    def char_span(self, first: int, stop: int) -> tuple[int, int]:
        """Characters of words ``first`` to ``stop`` (exclusive)."""
        return self.starts[first], self.ends[stop - 1]


_COMBINING = re.compile(f"[{_MARKS}]")


def _strip(text: str) -> str:
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.lower()))


@lru_cache(maxsize=1 << 16)
def fold(word: str) -> str:
    """Lower case without diacritics ("Élysée" → "elysee")."""
    return word.lower() if word.isascii() else _strip(word)


def norms(text: str) -> list[str]:
    """The normalised words alone, at C speed: what fingerprints need.

    The same words as ``words(text).norms`` except around compatibility
    characters that decompose into several ("½"), which only shifts a
    fingerprint, never an alignment.
    """
    return _WORD.findall(_strip(text))


def words(text: str) -> Words:
    norms_, starts, ends = [], [], []
    for m in _WORD.finditer(text):
        norms_.append(fold(m.group()))
        starts.append(m.start())
        ends.append(m.end())
    return Words(norms_, starts, ends)


def text_hash(norms: list[str]) -> str:
    return hashlib.blake2b(" ".join(norms).encode(), digest_size=16).hexdigest()


def _mix(x: np.ndarray) -> np.ndarray:
    # splitmix64's finaliser: spreads CRC32 values over 64 bits.
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    out: np.ndarray = x ^ (x >> np.uint64(31))
    return out


def word_hashes(norms: list[str]) -> np.ndarray:
    """A stable 64-bit hash per word (CRC32 is in C and the same in every process)."""
    crc = np.fromiter((zlib.crc32(w.encode()) for w in norms), dtype=np.uint64, count=len(norms))
    return _mix(crc)


def kgram_hashes(norms: list[str] | np.ndarray, k: int) -> np.ndarray:
    """A stable hash of every run of ``k`` words, as uint64."""
    h = word_hashes(norms) if isinstance(norms, list) else norms
    n = len(h) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        acc = h[:n].copy()
        for j in range(1, k):
            acc = _mix(acc * np.uint64(0x100000001B3) + h[j : j + n])
    return acc


def winnow(hashes: np.ndarray, window: int) -> list[int]:
    """Winnowing (Schleimer, Wilkerson & Aiken, 2003): the minimum hash of every window.

    Any run of ``window + k - 1`` shared words yields at least one shared
    fingerprint, while only about 2 / (window + 1) of the k-grams are kept.
    As a set of values (positions are not needed), it is the set of the
    sliding-window minima. Written here because the libraries that offer it
    are built for source code and bring their own tokenisers.
    """
    h = np.asarray(hashes, dtype=np.uint64) & np.uint64(_MASK)
    if len(h) <= window:
        return [int(h.min())] if len(h) else []
    n = len(h) - window + 1
    low = h[:n].copy()
    for j in range(1, window):
        np.minimum(low, h[j : j + n], out=low)
    return [int(x) for x in np.unique(low)]


def band_keys(signatures: list[bytes], bands: int) -> list[list[int]]:
    """One key per LSH band of each signature: articles sharing a key are candidates.

    The band number sits in the top bits, so equal values in two bands never
    meet. Computed for a whole batch at once: numpy's cost is per call."""
    if not signatures:
        return []
    sig = np.frombuffer(b"".join(signatures), dtype="<u4").astype(np.uint64)
    rows = sig.reshape(len(signatures), bands, -1)
    with np.errstate(over="ignore"):
        acc = np.zeros((len(signatures), bands), dtype=np.uint64)
        for col in range(rows.shape[2]):
            acc = _mix(acc * np.uint64(0x100000001B3) + rows[:, :, col])
    keys = (acc >> np.uint64(8)) ^ (np.arange(bands, dtype=np.uint64) << np.uint64(56))
    return (keys & np.uint64(_MASK)).tolist()  # type: ignore[no-any-return]


def pack_signature(values: list[int]) -> bytes:
    return struct.pack(f"<{len(values)}I", *values)


