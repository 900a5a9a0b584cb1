"""How strongly two articles report the same happening, across languages.

A news article says what happened in its title and first sentences. Two
articles on one event each have, somewhere in their opening, a sentence that
says what the other's lead says, in whatever language; two articles on the
same crisis but different events share the vocabulary and not those
sentences. So half the score is sentence-level: each lead sentence is
matched with its closest sentence in the other article, the matches
averaged, both ways; the other half is the cosine of the document vectors,
which steadies it when a lead is short or still carries page chrome. On the
dev clusters the mix scored above either half alone; TF-IDF, shared names
and lead dates added nothing (benchmarks/RESULTS.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..model import Embedding

_LEAD_WEIGHT = 0.5


def match(a: Embedding, b: Embedding) -> float:
    """Symmetric similarity of two articles (cosine scale, -1..1)."""
    return float(match_many(a, [b])[0])


def match_many(a: Embedding, others: Sequence[Embedding]) -> np.ndarray:
    """``match(a, o)`` for every ``o`` of ``others`` at once.

    One matrix product per direction over all the others' sentences stacked:
    an article meets dozens of candidates, and a product per pair spent most
    of the grouping time in numpy's per-call overhead.
    """
    if not others:
        return np.zeros(0, dtype=np.float32)
    docs = np.stack([o.doc for o in others]) @ a.doc
    lead = (_lead_in_each(a, others) + _each_lead_in(others, a)) / 2
    out: np.ndarray = _LEAD_WEIGHT * lead + (1 - _LEAD_WEIGHT) * docs
    return out


def match_floor(score: float) -> float:
    """The lowest document cosine with which ``match`` can still reach ``score``."""
    return (score - _LEAD_WEIGHT) / (1 - _LEAD_WEIGHT)


def _lead(e: Embedding) -> np.ndarray:
    rows: np.ndarray = e.sentences[: max(e.lead, 1)]
    return rows


def _lead_in_each(a: Embedding, others: Sequence[Embedding]) -> np.ndarray:
    """For each other: ``a``'s lead sentences, each against its closest sentence there, averaged."""
    out = np.zeros(len(others), dtype=np.float32)
    lead = _lead(a)
    sizes = np.array([len(o.sentences) for o in others])
    has = np.flatnonzero(sizes)
    if not len(lead) or not len(has):
        return out
    rows = np.concatenate([others[int(i)].sentences for i in has])
    sims = lead @ rows.T  # lead sentences x every other's sentences
    starts = np.concatenate([[0], np.cumsum(sizes[has])[:-1]])
    out[has] = np.maximum.reduceat(sims, starts, axis=1).mean(axis=0)
    return out


def _each_lead_in(others: Sequence[Embedding], a: Embedding) -> np.ndarray:
    """For each other: its lead sentences against their closest sentence in ``a``, averaged."""
    out = np.zeros(len(others), dtype=np.float32)
    leads = [_lead(o) for o in others]
    sizes = np.array([len(x) for x in leads])
    has = np.flatnonzero(sizes)
    if not len(a.sentences) or not len(has):
        return out
    best = (np.concatenate([leads[int(i)] for i in has]) @ a.sentences.T).max(axis=1)
    starts = np.concatenate([[0], np.cumsum(sizes[has])[:-1]])
    out[has] = np.add.reduceat(best, starts) / sizes[has]
    return out


def mean_match(a: list[Embedding], b: list[Embedding]) -> float:
    """Average link between two groups of articles."""
    if not a or not b:
        return 0.0
    return float(np.mean([match_many(x, b) for x in a]))
