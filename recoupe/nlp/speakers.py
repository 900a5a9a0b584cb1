"""Who speaks a quote, read from the dependency parse of its sentence.

The parser is the costliest part of a spaCy pipeline, so it runs only on the
sentences that hold a quotation mark (and only when the attribution by the
words around the quote found nobody). The speaker is:

- the subject of the verb that governs the quote (the quote's clause, climbing
  through its heads to the first verb that has a subject): ``X a déclaré : «…»``,
  ``«…», dijo X``, ``X ha detto che «…»``; a passive's agent (``par X``);
- else the noun after "selon / según / secondo / according to" in the sentence.

The phrase given is the name the article's entities give inside the subject's
words, else the subject's words without their relative clauses. A pronoun
subject is left to the caller, which knows who was speaking before.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ..config import LanguageConfig
from ..lang import WhoLexicon
from .canonical import fold
from .models import has_parser, parse, pipeline_for

_SUBJECTS = ("nsubj", "nsubj:pass", "csubj")
_AGENTS = ("obl:agent", "agent")
_DROP = ("acl", "acl:relcl", "advcl", "punct", "appos", "parataxis", "conj", "cc")
_MAX_WORDS = 10


def parser_for(lang: str | None, config: LanguageConfig) -> Any | None:
    """The language's pipeline, when it holds a parser (loaded disabled: ``models.parse``
    runs it on the sentences asked for), else None."""
    if not config.models.get(lang or ""):
        return None
    nlp = pipeline_for(lang, config)
    return nlp if has_parser(nlp) else None


@lru_cache(maxsize=64)
def _parsed(nlp: Any, sentence: str) -> Any:
    # The quotes of one sentence ask for the same parse, one after the other.
    return parse(nlp, sentence)


def syntax_speaker(nlp: Any, sentence: str, quote: tuple[int, int], lex: WhoLexicon,
                   reporting: Callable[[str], bool]) -> tuple[int, int, bool] | None:
    """(start, end, is_pronoun) of the speaker's words in ``sentence`` for the quote at
    ``quote`` (offsets in ``sentence``), or None when the parse names nobody."""
    doc = _parsed(nlp, sentence)
    a, b = quote
    inside = [t for t in doc if a <= t.idx < b]
    if not inside:
        return None
    # The quote's own root: its word whose head lies outside it.
    roots = [t for t in inside if not a <= t.head.idx < b or t.head == t]
    for root in roots[:2]:
        node = root if root.head == root else root.head
        for _ in range(4):
            if not a <= node.idx < b:
                found = _subject(node)
                if found is not None and (reporting(node.text) or node.pos_ in ("VERB", "AUX")):
                    return _span(found)
            if node.head == node:
                break
            node = node.head
    according = {fold(w) for w in lex.according_to if " " not in w}
    for tok in doc:
        if fold(tok.text) in according and tok.dep_ == "case" and not a <= tok.idx < b:
            head = tok.head
            if not a <= head.idx < b and head.pos_ in ("PROPN", "NOUN", "PRON"):
                return _span(head)
    return None


def _subject(verb: Any) -> Any | None:
    for child in verb.children:
        if child.dep_ in _SUBJECTS and child.pos_ in ("PROPN", "NOUN", "PRON", "DET"):
            return child
    for child in verb.children:
        if child.dep_ in _AGENTS or (child.dep_ == "obl" and any(
                c.dep_ == "case" and fold(c.text) in ("par", "por", "da", "dal", "dalla", "by")
                for c in child.children) and verb.morph.get("Voice") == ["Pass"]):
            return child
    return None


def _span(head: Any) -> tuple[int, int, bool]:
    """The head's words without relative clauses, appositions or punctuation."""
    words = [head]
    stack = [c for c in head.children if c.dep_ not in _DROP and c.dep_ != "case"]
    while stack:
        t = stack.pop()
        words.append(t)
        stack.extend(c for c in t.children if c.dep_ not in _DROP)
    words.sort(key=lambda t: t.i)
    # One run of words around the head, at most _MAX_WORDS long.
    run = [t for t in words if abs(t.i - head.i) < _MAX_WORDS]
    first, last = run[0], run[-1]
    return first.idx, last.idx + len(last.text), head.pos_ == "PRON"
