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

import numpy as np

from ..model import Embedding

_LEAD_WEIGHT = 0.5


def match(a: Embedding, b: Embedding) -> float:
    """Symmetric similarity of two articles (cosine scale, -1..1)."""
    lead = (_lead_in(a, b) + _lead_in(b, a)) / 2
    return _LEAD_WEIGHT * lead + (1 - _LEAD_WEIGHT) * float(a.doc @ b.doc)


def match_floor(score: float) -> float:
    """The lowest document cosine with which ``match`` can still reach ``score``."""
    return (score - _LEAD_WEIGHT) / (1 - _LEAD_WEIGHT)


def _lead_in(a: Embedding, b: Embedding) -> float:
    lead = a.sentences[: max(a.lead, 1)]
    if not len(lead) or not len(b.sentences):
        return 0.0
    return float((lead @ b.sentences.T).max(axis=1).mean())


def mean_match(a: list[Embedding], b: list[Embedding]) -> float:
    """Average link between two groups of articles."""
    if not a or not b:
        return 0.0
    return float(np.mean([match(x, y) for x in a for y in b]))
