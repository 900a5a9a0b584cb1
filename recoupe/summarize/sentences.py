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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

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
    """The article's sentences a summary could quote (not too short, not run-ons)."""
    rows: dict[int, Any] = {}
    if embedding is not None and len(embedding.sentences):
        first = 1 if article.title else 0
        for row, index in enumerate(embedded_sentences(article, config), start=first):
            if row < len(embedding.sentences):
                rows[index] = embedding.sentences[row]
    stop = stop_words(article.language or "fr")
    out = []
    for i, span in enumerate(article.sentences):
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


class Pool:
    """A set of sentences compared with each other: TF-IDF weights over the pool."""

    def __init__(self, units: Sequence[Unit]) -> None:
        self.units = list(units)
        df: Counter[str] = Counter()
        for unit in self.units:
            df.update(unit.terms.keys())
        n = len(self.units) or 1
        self.idf = {t: math.log((1 + n) / (1 + c)) + 1 for t, c in df.items()}
        self._weights = [self._weigh(u.terms) for u in self.units]

    def _weigh(self, terms: Mapping[str, int]) -> dict[str, float]:
        w = {t: (1 + math.log(c)) * self.idf.get(t, 1.0) for t, c in terms.items()}
        norm = math.sqrt(sum(v * v for v in w.values())) or 1.0
        return {t: v / norm for t, v in w.items()}

    def similarity(self, i: int, j: int) -> float:
        """Lexical cosine, or the vectors' when both have one and they say more."""
        a, b = self._weights[i], self._weights[j]
        if len(b) < len(a):
            a, b = b, a
        lexical = sum(v * b.get(t, 0.0) for t, v in a.items())
        ua, ub = self.units[i], self.units[j]
        if ua.vector is not None and ub.vector is not None:
            return max(lexical, float(ua.vector @ ub.vector))
        return lexical

    def centrality(self, members: Sequence[int]) -> dict[int, float]:
        """Each member's mean similarity to the others (the pool's centre of gravity)."""
        if len(members) < 2:
            return dict.fromkeys(members, 1.0)
        out = {}
        for i in members:
            out[i] = sum(self.similarity(i, j) for j in members if j != i) / (len(members) - 1)
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


def supporters(unit: Unit, others: Iterable[Unit],
               copied: Mapping[str, Sequence[tuple[int, int, str, int, int]]] | None = None,
               ) -> dict[str, Citation]:
    """The other articles that carry ``unit``, each with where (one passage per article).

    ``copied`` maps an article to the passages other articles copied of it or it of
    them: (start, end, other article, other start, other end).
    """
    found: dict[str, Citation] = {}
    previous: Unit | None = None
    for other in others:
        if other.article == unit.article or other.article in found:
            previous = other
            continue
        if carries(unit, other):
            found[other.article] = other.citation
        elif (previous is not None and previous.article == other.article
              and previous.index + 1 == other.index
              and carries(unit, both := _joined(previous, other))):
            found[other.article] = both.citation
        previous = other
    for start, end, twin, t_start, t_end in (copied or {}).get(unit.article, ()):
        # Most of the sentence inside an aligned passage: the other article has it too.
        inside = min(end, unit.end) - max(start, unit.start)
        if twin != unit.article and twin not in found and inside >= 0.8 * (unit.end - unit.start):
            offset = max(unit.start - start, 0)
            found[twin] = Citation(twin, t_start + offset,
                                   min(t_end, t_start + offset + unit.end - unit.start))
    return found
