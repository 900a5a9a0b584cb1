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
    return float(match_matrix([a], [b])[0, 0])


def match_many(a: Embedding, others: Sequence[Embedding]) -> np.ndarray:
    """``match(a, o)`` for every ``o`` of ``others`` at once."""
    row: np.ndarray = match_matrix([a], others)[0]
    return row


def mean_match(a: Sequence[Embedding], b: Sequence[Embedding]) -> float:
    """Average link between two groups of articles."""
    if not a or not b:
        return 0.0
    return float(match_matrix(a, b).mean())


def match_matrix(a: Sequence[Embedding], b: Sequence[Embedding]) -> np.ndarray:
    """``match`` of every article of ``a`` with every article of ``b`` (|a| x |b|).

    Two matrix products over the groups' sentences stacked once (each side's
    leads against the other side's sentences), then per-article maxima and means
    by segment: a product per pair spent most of the grouping time in numpy's
    per-call overhead and in copying the same sentences again for every pair.
    """
    out = np.zeros((len(a), len(b)), dtype=np.float32)
    if not len(a) or not len(b):
        return out
    docs = np.stack([x.doc for x in a]) @ np.stack([y.doc for y in b]).T
    lead = (_leads_in(a, b) + _leads_in(b, a).T) / 2
    out[:] = _LEAD_WEIGHT * lead + (1 - _LEAD_WEIGHT) * docs
    return out


def match_floor(score: float) -> float:
    """The lowest document cosine with which ``match`` can still reach ``score``."""
    return (score - _LEAD_WEIGHT) / (1 - _LEAD_WEIGHT)


def _leads_in(a: Sequence[Embedding], b: Sequence[Embedding]) -> np.ndarray:
    """|a| x |b|: each ``a``'s lead sentences, each against its closest sentence of each
    ``b``, averaged (0 where either has no sentence)."""
    out = np.zeros((len(a), len(b)), dtype=np.float32)
    leads = [x.sentences[: max(x.lead, 1)] for x in a]
    lead_sizes = np.array([len(x) for x in leads])
    sizes = np.array([len(y.sentences) for y in b])
    rows_of, cols_of = np.flatnonzero(lead_sizes), np.flatnonzero(sizes)
    if not len(rows_of) or not len(cols_of):
        return out
    sims = (np.concatenate([leads[int(i)] for i in rows_of])
            @ np.concatenate([b[int(j)].sentences for j in cols_of]).T)
    col_starts = np.concatenate([[0], np.cumsum(sizes[cols_of])[:-1]])
    best = np.maximum.reduceat(sims, col_starts, axis=1)  # lead sentence x article of b
    row_starts = np.concatenate([[0], np.cumsum(lead_sizes[rows_of])[:-1]])
    means = np.add.reduceat(best, row_starts, axis=0) / lead_sizes[rows_of][:, None]
    out[np.ix_(rows_of, cols_of)] = means
    return out
