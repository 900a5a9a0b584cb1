"""Sentences as summaries and timelines pick them: words, vectors, who else carries them.

A sentence is "carried" by another article when that article has the same
sentence or a close paraphrase: most of its content words in one sentence or
two consecutive ones (same language), or a sentence vector very close to it (any language, as
the multilingual encoder puts translations side by side), or a copied
passage the reuse index aligned over it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from ..config import EmbedConfig
from ..model import Article, Citation, Embedding
from ..nlp.embed import embedded_sentences
from ..nlp.models import stop_words

_WORD = re.compile(r"\w+")
# A sentence shorter than this says too little to stand alone in a summary; a longer
# one is mostly a run-on of several sentences the splitter missed, or a list.
MIN_WORDS, MAX_WORDS = 6, 60
# Same-language paraphrase: this share of the sentence's content words in the other
# article's sentence (or two consecutive ones). Any language: this cosine of the
# sentence vectors.
_SHARED_WORDS = 0.7
_SAME_VECTOR = 0.8
# Centrality is measured against at most this many sentences of the pool.
_REFERENCE = 2000
_DENSE_CELLS = 1 << 20


def words(text: str) -> list[str]:
    """Lowercase word tokens (the unit of ROUGE here, and of the overlap tests)."""
    return _WORD.findall(text.lower())


@dataclass(slots=True)
class Unit:
    """One sentence of one article, with what the selection needs to know of it."""

    article: str
    index: int  # the sentence's position in the article
    start: int
    end: int
    text: str
    language: str | None
    days: list[str]  # the days of the happenings it reports
    lead: bool  # among the article's first sentences: what the article is about
    terms: Counter[str] = field(default_factory=Counter)
    vector: Any = None  # unit sentence vector, when the encoder saw the sentence

    @property
    def citation(self) -> Citation:
        return Citation(self.article, self.start, self.end)


_LEAD = 3


def units_of(article: Article, embedding: Embedding | None, config: EmbedConfig) -> list[Unit]:
    """The article's sentences a summary could quote (not too short, not run-ons, with a verb)."""
    rows: dict[int, Any] = {}
    if embedding is not None and len(embedding.sentences):
        first = 1 if article.title else 0
        for row, index in enumerate(embedded_sentences(article, config), start=first):
            if row < len(embedding.sentences):
                rows[index] = embedding.sentences[row]
    stop = stop_words(article.language or "fr")
    verbless = set(article.verbless)
    out = []
    for i, span in enumerate(article.sentences):
        if i in verbless:  # a caption, a heading, a list of links: it tells nothing happened
            continue
        text = " ".join(article.text[span.start : span.end].split())
        tokens = words(text)
        if not MIN_WORDS <= len(tokens) <= MAX_WORDS:
            continue
        days = article.sentence_dates[i] if i < len(article.sentence_dates) else []
        vector = rows.get(i)
        if vector is not None:
            vector = vector / (float(np.linalg.norm(vector)) or 1.0)
        out.append(Unit(
            article=article.id, index=i, start=span.start, end=span.end, text=text,
            language=article.language, days=list(days), lead=i < _LEAD,
            terms=Counter(t for t in tokens if t not in stop and not t.isdigit() and len(t) > 2),
            vector=vector,
        ))
    return out


def carries(a: Unit, b: Unit) -> bool:
    """Whether ``b`` says what ``a`` says: the same sentence or a close paraphrase.

    One way: ``b`` must hold most of ``a``; a longer ``b`` that also says more still
    carries it.
    """
    if a.vector is not None and b.vector is not None and float(a.vector @ b.vector) >= _SAME_VECTOR:
        return True
    if a.language != b.language or not a.terms or not b.terms:
        return False
    return sum((a.terms & b.terms).values()) >= _SHARED_WORDS * sum(a.terms.values())


def _joined(first: Unit, second: Unit) -> Unit:
    """Two consecutive sentences as one: another article may split what ``a`` says in one."""
    return Unit(article=first.article, index=first.index, start=first.start, end=second.end,
                text=f"{first.text} {second.text}", language=first.language,
                days=first.days + second.days, lead=first.lead,
                terms=first.terms + second.terms)


class Pool:
    """A set of sentences compared with each other, as matrices.

    Rows are TF-IDF weights over the pool (lexical cosine) and unit sentence
    vectors (a zero row for a sentence the encoder did not see); the
    similarity of two sentences is the larger of the two cosines. Everything
    runs as block matrix products: a story of a few hundred articles holds
    thousands of sentences, and pairwise Python loops over them cost minutes.
    """

    def __init__(self, units: Sequence[Unit]) -> None:
        self.units = list(units)
        n = len(self.units)
        vocab: dict[str, int] = {}
        cols: list[int] = []
        counts: list[int] = []
        indptr = [0]
        for unit in self.units:
            for term, c in unit.terms.items():
                cols.append(vocab.setdefault(term, len(vocab)))
                counts.append(c)
            indptr.append(len(cols))
        col = np.asarray(cols, np.int64)
        count = np.asarray(counts, np.float32)
        row = np.repeat(np.arange(n), np.diff(indptr))
        df = np.bincount(col, minlength=len(vocab))
        weight = (1 + np.log(count)) * (np.log((1 + n) / (1 + df)) + 1)[col]
        norm = np.sqrt(np.bincount(row, weights=weight * weight, minlength=n))
        weight = (weight / np.where(norm > 0, norm, 1.0)[row]).astype(np.float32)
        shape = (n, max(len(vocab), 1))
        # Small pools (a day of a timeline: most of them) as dense arrays, where scipy's
        # per-call overhead would cost more than the products.
        dense = n * shape[1] <= _DENSE_CELLS

        def matrix(values: Any) -> Any:
            if not dense:
                return sparse.csr_matrix((values, col, indptr), shape=shape)
            m = np.zeros(shape, np.float32)
            m[row, col] = values  # a term appears once per row: no sum needed
            return m

        self._counts = matrix(count)
        self._present = matrix(np.ones_like(count))
        self._tfidf = matrix(weight)
        self._sizes = np.bincount(row, weights=count, minlength=n)
        width = next((len(u.vector) for u in self.units if u.vector is not None), 1)
        self._vectors = np.zeros((n, width), np.float32)
        for r, unit in enumerate(self.units):
            if unit.vector is not None:
                self._vectors[r] = unit.vector
        languages = sorted({u.language or "" for u in self.units})
        code = {lang: k for k, lang in enumerate(languages)}
        self._language = np.array([code[u.language or ""] for u in self.units], np.int32)
        self._article = [u.article for u in self.units]
        # The unit right before each one in the same article, when they are consecutive
        # sentences (-1 otherwise): another article may say in two what ``a`` says in one.
        self._previous = np.full(n, -1, np.int64)
        for r in range(1, n):
            a, b = self.units[r - 1], self.units[r]
            if a.article == b.article and a.index + 1 == b.index:
                self._previous[r] = r - 1

    def similarities(self, rows: Sequence[int], cols: Sequence[int] | None = None) -> Any:
        """Similarity of each of ``rows`` to each of ``cols`` (all units if None)."""
        r = np.asarray(rows, np.int64)
        c = np.arange(len(self.units)) if cols is None else np.asarray(cols, np.int64)
        if not len(r) or not len(c):
            return np.zeros((len(r), len(c)), np.float32)
        lexical = _array(self._tfidf[r] @ self._tfidf[c].T)
        return np.maximum(lexical, self._vectors[r] @ self._vectors[c].T)

    def similarity(self, i: int, j: int) -> float:
        return float(self.similarities([i], [j])[0, 0])

    def centrality(self, members: Sequence[int]) -> dict[int, float]:
        """Each member's mean similarity to the others (the pool's centre of gravity).

        Against at most ``_REFERENCE`` of the others, evenly spread over the pool
        (units come article by article), so that a huge story costs in proportion
        to its size, not its square.
        """
        members = list(members)
        if len(members) < 2:
            return dict.fromkeys(members, 1.0)
        step = max(1, math.ceil(len(members) / _REFERENCE))
        reference = members[::step]
        in_reference = {m: k for k, m in enumerate(reference)}
        out: dict[int, float] = {}
        for block in _blocks(members):
            sims = self.similarities(block, reference)
            for k, i in enumerate(block):
                total, count = float(sims[k].sum()), len(reference)
                if i in in_reference:  # not itself
                    total -= float(sims[k, in_reference[i]])
                    count -= 1
                out[i] = total / max(count, 1)
        return out

    def pick(self, order: Sequence[int], k: int, repeats: float) -> list[int]:
        """Up to ``k`` of ``order``, best first, skipping any as similar as ``repeats`` to one
        already picked (maximal marginal relevance with a hard cut)."""
        picked: list[int] = []
        for i in order:
            if len(picked) >= k:
                break
            if picked and float(self.similarities([i], picked).max()) >= repeats:
                continue
            picked.append(i)
        return picked

    def supporters(self, rows: Sequence[int],
                   copied: Mapping[str, Sequence[tuple[int, int, str, int, int]]] | None = None,
                   ) -> dict[int, dict[str, Citation]]:
        """For each of ``rows``, the other articles of the pool that carry it, with where.

        One passage per article: its first sentence (or two consecutive sentences)
        carrying the unit. ``copied`` maps an article to the passages other articles
        copied of it or it of them: (start, end, other article, other start, other end).
        """
        out: dict[int, dict[str, Citation]] = {}
        has_previous = self._previous >= 0
        for block in _blocks(list(rows)):
            b = np.asarray(block, np.int64)
            same_vector = (self._vectors[b] @ self._vectors.T) >= _SAME_VECTOR
            # Count-weighted share of the unit's words present in each other sentence: an
            # upper bound of the exact overlap (which counts repeats at most as often as
            # the other sentence has them), checked exactly on the few that pass it.
            held = _array(self._counts[b] @ self._present.T)
            both = np.zeros_like(held)
            both[:, has_previous] = held[:, has_previous] + held[:, self._previous[has_previous]]
            for k, i in enumerate(block):
                need = _SHARED_WORDS * self._sizes[i]
                lexical_ok = (self._language == self._language[i]) & (self._sizes[i] > 0)
                single = same_vector[k] | (lexical_ok & (held[k] >= need) & (held[k] > 0))
                joined = lexical_ok & has_previous & (both[k] >= need) & (both[k] > 0)
                out[i] = self._found(i, np.flatnonzero(single | joined), single, joined, copied)
        return out

    def _found(self, i: int, candidates: Any, single: Any, joined: Any,
               copied: Mapping[str, Sequence[tuple[int, int, str, int, int]]] | None,
               ) -> dict[str, Citation]:
        unit = self.units[i]
        found: dict[str, Citation] = {}
        for j in candidates.tolist():
            other = self.units[j]
            if other.article == unit.article or other.article in found:
                continue
            if single[j] and carries(unit, other):
                found[other.article] = other.citation
            elif joined[j] and carries(unit, both := _joined(self.units[self._previous[j]], other)):
                found[other.article] = both.citation
        for start, end, twin, t_start, t_end in (copied or {}).get(unit.article, ()):
            # Most of the sentence inside an aligned passage: the other article has it too.
            inside = min(end, unit.end) - max(start, unit.start)
            if twin != unit.article and twin not in found and inside >= 0.8 * (unit.end - unit.start):
                offset = max(unit.start - start, 0)
                found[twin] = Citation(twin, t_start + offset,
                                       min(t_end, t_start + offset + unit.end - unit.start))
        return found


def cited(unit: Unit, others: Mapping[str, Citation]) -> tuple[list[str], list[Citation]]:
    """A sentence's articles and passages: its own first, then the others' by article id."""
    names = sorted(others)
    return [unit.article, *names], [unit.citation, *(others[a] for a in names)]


def _array(m: Any) -> Any:
    return m.toarray() if sparse.issparse(m) else m


def _blocks(items: list[int], size: int = 256) -> Iterator[list[int]]:
    for k in range(0, len(items), size):
        yield items[k : k + size]
