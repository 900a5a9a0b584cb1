"""The ``fingerprint`` stage: per-article work of the reuse index, done in the workers.

Everything here depends on one article only: its normalised words, their
hash, the MinHash signature (near-duplicate candidates), the winnowed
k-gram hashes (copied-passage candidates) and the passages it repeats of
itself. Comparing articles happens in ``index.py``, against the store.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from rensa import RMinHash

from ..config import Config, ReuseConfig
from ..model import Article, Fingerprint, Passage
from ..pipeline import register_stage
from .align import AlignParams, align
from .text import Words, kgram_hashes, pack_signature, text_hash, winnow, word_hashes, words

_SEED = 20211230  # MinHash permutations: fixed, or stored signatures stop comparing


def align_params(config: ReuseConfig) -> AlignParams:
    return AlignParams(
        k=config.seed_words, gap=config.gap_words, min_words=config.min_passage_words,
        min_density=config.min_density,
    )


def fingerprint(tokens: list[str], config: ReuseConfig) -> Fingerprint:
    """From normalised words (``text.norms`` or ``text.words(...).norms``)."""
    hashes = word_hashes(tokens)
    shingles = kgram_hashes(hashes, config.shingle_words)
    if not len(shingles):  # shorter than one shingle: the words themselves
        shingles = hashes if len(hashes) else np.zeros(1, dtype=np.uint64)
    offsets = np.array([0, len(shingles)], dtype=np.uint64)
    matrix = RMinHash.digest_matrix_from_flat_token_hashes(shingles, offsets, config.num_perm, _SEED)
    return Fingerprint(
        text_hash=text_hash(tokens),
        minhash=pack_signature(matrix.to_rows()[0]),
        winnow=winnow(kgram_hashes(hashes, config.winnow_words), config.winnow_window),
        tokens=len(tokens),
    )


def self_repeats(w: Words, params: AlignParams) -> list[tuple[Passage, Passage]]:
    """Passages the text says twice: (first occurrence, repeat), as character spans."""
    out = []
    for m in align(w.norms, w.norms, params):
        out.append((Passage(*w.char_span(m.a_start, m.a_stop)),
                    Passage(*w.char_span(m.b_start, m.b_stop))))
    return out


@register_stage("fingerprint")
class FingerprintStage:
    name: ClassVar[str] = "fingerprint"
    requires: ClassVar[frozenset[str]] = frozenset({"text"})
    assigns: ClassVar[frozenset[str]] = frozenset({"fingerprint", "repeats", "repeats_itself"})

    def __init__(self, config: Config) -> None:
        self.config = config.reuse
        self.params = align_params(config.reuse)

    def __call__(self, articles: list[Article]) -> list[Article]:
        for article in articles:
            # One tokenisation serves both: the offsets are needed for the repeats.
            w = words(article.text)
            article.fingerprint = fingerprint(w.norms, self.config)
            article.repeats = self_repeats(w, self.params)
            article.repeats_itself = bool(article.repeats)
        return articles
