"""spaCy pipelines, loaded once per process and shared by the NLP stages."""

from __future__ import annotations

import logging
from functools import cache

import spacy
from spacy.language import Language

from ..config import LanguageConfig
from ..errors import ConfigError

log = logging.getLogger(__name__)

# Components the foundation does not read; leaving them out is free speed.
_EXCLUDE = ("lemmatizer",)


@cache
def _load(name: str) -> Language:
    if name == "xx":
        nlp = spacy.blank("xx")
        nlp.add_pipe("sentencizer")
        return nlp
    try:
        return spacy.load(name, exclude=list(_EXCLUDE))
    except OSError as exc:
        raise ConfigError(
            f"spaCy model {name!r} is not installed; install the project "
            f"(pip install -e .) or change [language] models"
        ) from exc


def pipeline_for(lang: str | None, config: LanguageConfig) -> Language:
    name = config.models.get(lang or "", config.fallback)
    return _load(name)

