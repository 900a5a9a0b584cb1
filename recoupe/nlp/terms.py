"""The ``terms`` stage: the bag of content words and entities that stories compare."""

from __future__ import annotations

from collections import Counter
from typing import ClassVar

from ..config import Config
from ..model import Article
from ..pipeline import register_stage

_CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "NUM"})
# Entities name who and where a story is about: they count double.
_ENTITY_WEIGHT = 2


@register_stage("terms")
class TermsStage:
    name: ClassVar[str] = "terms"
    requires: ClassVar[frozenset[str]] = frozenset({"nlp_docs", "mentions"})
    assigns: ClassVar[frozenset[str]] = frozenset({"terms"})

    def __init__(self, config: Config) -> None:
        pass

    def __call__(self, articles: list[Article]) -> list[Article]:
        for article in articles:
            counts: Counter[str] = Counter()
            for doc in article.nlp_docs:
                tagged = doc.has_annotation("POS")
                for tok in doc:
                    if tok.is_stop or tok.is_punct or not tok.is_alpha or len(tok) < 3:
                        continue
                    if tagged and tok.pos_ not in _CONTENT_POS:
                        continue
                    counts[tok.norm_] += 1
            for mention in article.mentions:
                counts[f"{mention.label}:{mention.text.casefold()}"] += _ENTITY_WEIGHT
            article.terms = dict(counts)
        return articles
