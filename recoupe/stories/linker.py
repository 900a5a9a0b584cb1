"""Join or new: a learned decision over many similarities of an article and a story.

No single similarity separates the articles of one happening from those of
the next day's happening in the same crisis (benchmarks/RESULTS.md): the
best, the document cosine, ranks a same-event story first far more often
than it clears one fixed threshold. So the decision weighs several at once,
with time, by logistic regression trained on labelled pairs (``recoupe eval
clustering --train``); the weights ship in ``linker_model.json``.
``threshold`` maximises F1 over pairs scored by models that did not see them;
as most pairs the pass meets are of different happenings, that already keeps
B-cubed precision near 0.95 (F0.5 joined too little to beat every article alone).

The features are computed the same way when training and when grouping
(``link_features``), from what the online pass already holds: the vectors of
the story's members nearest the article and their days.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from ..model import Embedding
from ..registry import learned_model

LINK_FEATURES = (
    "match_best",  # the best sentence-level match with a member (similarity.match)
    "centroid",  # the cosine with the mean vector of the compared members
    "day_gap",  # days to the nearest member (0 when overlapping or unknown)
)
# Tried and left out, scored leave-one-window-out on the dev labels (benchmarks/RESULTS.md):
# the mean match, the best document cosine, the best title cosine and the story's size
# (its log: big wrong stories then drew more articles); shared rarity-weighted names,
# TF-IDF within a language, shared figures and quotes, and the agreement of the event days
# added nothing the vectors did not already give.
# Further than this many days counts as this many: the window bounds the pass anyway.
_MAX_GAP = 7


def link_features(article: Embedding, members: Sequence[Embedding], matches: Sequence[float] | np.ndarray,
                  gaps: Sequence[int], stories: Sequence[int] | None = None) -> np.ndarray:
    """The features of ``article`` against each story, from the members it is compared with.

    ``matches`` and ``gaps``: ``similarity.match`` and the days between the
    article and each member; ``stories``: each member's story, numbered from 0
    (all one story when None). One row per story, in that numbering: the pass
    scores every candidate story of an article in one go.
    """
    n = len(members)
    story = np.zeros(n, np.int64) if stories is None else np.asarray(stories, np.int64)
    count = int(story.max()) + 1
    docs = np.stack([m.doc for m in members]).astype(np.float64)
    # The cosine with each story's mean vector, from the members' cosines and Gram matrix:
    # |sum of a story's vectors|^2 is the sum of its block of the Gram matrix.
    member_of = np.zeros((count, n))
    member_of[story, np.arange(n)] = 1.0
    sums = member_of @ (docs @ np.asarray(article.doc, np.float64))
    norms = np.sqrt(np.maximum(np.einsum("si,ij,sj->s", member_of, docs @ docs.T, member_of),
                               1e-12))
    best = np.full(count, -np.inf)
    np.maximum.at(best, story, np.asarray(matches, np.float64))
    nearest = np.full(count, float(_MAX_GAP))
    np.minimum.at(nearest, story, np.asarray(gaps, np.float64))
    return np.column_stack([best, sums / norms, nearest])


@dataclass(slots=True)
class Linker:
    """Logistic regression over ``LINK_FEATURES``, standardised inside."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    threshold: float  # join when the probability reaches this
    doc_floor: float  # members whose document cosine is below this are not compared
    trained_on: str = ""

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(same happening) for each row of ``features`` (n x len(LINK_FEATURES))."""
        z = ((np.atleast_2d(features) - self.mean) / self.scale) @ self.weights + self.bias
        out: np.ndarray = 1.0 / (1.0 + np.exp(-z))
        return out

    def to_json(self) -> str:
        return json.dumps({
            "features": list(LINK_FEATURES), "mean": _rounded(self.mean),
            "scale": _rounded(self.scale), "weights": _rounded(self.weights),
            "bias": round(self.bias, 5), "threshold": round(self.threshold, 4),
            "doc_floor": round(self.doc_floor, 4), "trained_on": self.trained_on,
        }, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Linker:
        data = json.loads(text)
        if list(data["features"]) != list(LINK_FEATURES):
            raise ValueError("the linker was trained on other features: train it again "
                             "(recoupe eval clustering --train)")
        return cls(np.asarray(data["mean"], dtype=np.float64),
                   np.asarray(data["scale"], dtype=np.float64),
                   np.asarray(data["weights"], dtype=np.float64), float(data["bias"]),
                   float(data["threshold"]), float(data["doc_floor"]),
                   str(data.get("trained_on", "")))


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 6) for v in values]


@cache
def shipped_linker() -> Linker:
    """The linker shipped in the package (``linker_model.json``)."""
    return Linker.from_json(
        resources.files(__package__).joinpath("linker_model.json").read_text(encoding="utf-8"))


def story_linker(setting: str) -> Linker | None:
    """The configured linker: the shipped one, one trained to a file, or none (the
    fixed ``join`` threshold on the best match)."""
    return learned_model(setting, "[stories] linker", shipped_linker, Linker.from_json)
