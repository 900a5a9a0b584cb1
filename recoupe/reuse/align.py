"""Aligned passages between two texts (or within one): seed, chain, extend.

Seeds are runs of ``k`` words found in both texts. Seeds close to each
other in both texts chain into one passage, so a swapped word, a changed
word or a dropped clause breaks the run of seeds without breaking the
passage; moved sentences give separate passages. A chain is kept when it
is long enough and dense enough in both texts.

Written here rather than taken from a library: difflib and the diff
libraries find one ordered alignment, which misses moved sentences, and the
plagiarism detectors work on source code or whole documents.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass


@dataclass(slots=True, frozen=True)
class AlignParams:
    k: int = 3  # words per seed
    gap: int = 8  # most words between two seeds of one passage, in each text
    min_words: int = 12  # shortest passage reported
    min_density: float = 0.5  # share of a passage's words covered by seeds, in each text
    max_occurrences: int = 8  # a k-gram this frequent in one text seeds nothing (too common)


@dataclass(slots=True)
class Match:
    """Words ``a_start:a_stop`` of one text aligned with ``b_start:b_stop`` of the other."""

    a_start: int
    a_stop: int
    b_start: int
    b_stop: int
    similarity: float  # mean share of each side's words covered by the alignment

    @property
    def words(self) -> int:
        return min(self.a_stop - self.a_start, self.b_stop - self.b_start)


@dataclass(slots=True)
class _Chain:
    seeds: list[tuple[int, int]]

    @property
    def last(self) -> tuple[int, int]:
        return self.seeds[-1]


def _grams(norms: list[str], k: int) -> list[tuple[str, ...]]:
    return [tuple(norms[i : i + k]) for i in range(len(norms) - k + 1)]


def _seeds(a: list[str], b: list[str], p: AlignParams, same: bool) -> list[tuple[int, int]]:
    where: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for j, gram in enumerate(_grams(b, p.k)):
        where[gram].append(j)
    seeds = []
    for i, gram in enumerate(_grams(a, p.k)):
        hits = where.get(gram)
        if not hits or len(hits) > p.max_occurrences:
            continue
        for j in hits:
            # Within one text, only a later repeat that does not overlap the seed.
            if not same or j >= i + p.k:
                seeds.append((i, j))
    return seeds


def _chains(seeds: list[tuple[int, int]], gap: int) -> list[_Chain]:
    done: list[_Chain] = []
    active: list[_Chain] = []
    for i, j in seeds:  # sorted by i, then j
        still: list[_Chain] = []
        for chain in active:
            (done if chain.last[0] < i - gap else still).append(chain)
        active = still
        best, best_cost = None, None
        for chain in active:
            li, lj = chain.last
            if li < i <= li + gap and lj < j <= lj + gap:
                cost = (i - li) + (j - lj)
                if best_cost is None or cost < best_cost:
                    best, best_cost = chain, cost
        if best is None:
            active.append(_Chain([(i, j)]))
        else:
            best.seeds.append((i, j))
    return done + active


def _density(starts: list[int], k: int, first: int, stop: int) -> float:
    """Share of words ``first:stop`` under a seed or under the exact extension at either end."""
    seeded = [(s, s + k) for s in starts]
    extended = [(first, starts[0]), (starts[-1] + k, stop)]
    return union_length(seeded + extended) / (stop - first)


def align(a: list[str], b: list[str], params: AlignParams | None = None) -> list[Match]:
    """Passages of ``a`` found in ``b``; pass the same list twice for self-repetition."""
    p = params or AlignParams()
    same = a is b
    seeds = _seeds(a, b, p, same)
    out: list[Match] = []
    for chain in _chains(seeds, p.gap):
        a0, b0 = chain.seeds[0]
        a1, b1 = chain.seeds[-1][0] + p.k, chain.seeds[-1][1] + p.k
        # Extend over exact words the k-gram seeds could not reach.
        while a0 > 0 and b0 > 0 and a[a0 - 1] == b[b0 - 1] and (not same or b0 - 1 >= a1):
            a0, b0 = a0 - 1, b0 - 1
        while a1 < len(a) and b1 < len(b) and a[a1] == b[b1] and (not same or b0 >= a1 + 1):
            a1, b1 = a1 + 1, b1 + 1
        if same and b0 < a1:
            continue  # a repeat overlapping its first occurrence is a run like "a a a"
        a_len, b_len = a1 - a0, b1 - b0
        if min(a_len, b_len) < p.min_words:
            continue
        cover_a = _density([s[0] for s in chain.seeds], p.k, a0, a1)
        cover_b = _density(sorted(s[1] for s in chain.seeds), p.k, b0, b1)
        if min(cover_a, cover_b) < p.min_density:
            continue
        out.append(Match(a0, a1, b0, b1, round(min(1.0, (cover_a + cover_b) / 2), 3)))
    out.sort(key=lambda m: m.a_start)
    return _drop_nested(out)


def _drop_nested(matches: list[Match]) -> list[Match]:
    """A passage inside a longer one on both sides is a sub-alignment of it."""
    kept: list[Match] = []
    for m in sorted(matches, key=lambda m: -m.words):
        if any(
            k.a_start <= m.a_start and m.a_stop <= k.a_stop
            and k.b_start <= m.b_start and m.b_stop <= k.b_stop
            for k in kept
        ):
            continue
        kept.append(m)
    return sorted(kept, key=lambda m: m.a_start)


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans joined, in order."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def union_length(spans: list[tuple[int, int]]) -> int:
    return sum(e - s for s, e in merge_spans(spans))


def coverage(spans: list[tuple[int, int]], length: int) -> float:
    """Share of ``length`` units covered by the union of ``spans``."""
    return min(1.0, union_length(spans) / length) if length > 0 else 0.0
