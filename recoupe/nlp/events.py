"""The ``events`` stage: who did what to whom, and when, sentence by sentence.

A sentence holding one of the language's trigger phrases for a kind of news
event ("s'est entretenu", "a déployé", "a averti") makes a frame of that
kind, one per kind; its participants are the people and organisations the
sentence names (people only for a call or meeting between two people), and
its places for a visit, a deployment or an attack, or when fewer than two
people or organisations are named ("Moscou" for Russia's government), as
canonical keys; its date is the day the ``times`` stage gave
the sentence, else the article's main event day for a lead sentence. Calls
and meetings need two parties. Triggers are data (``recoupe/lang/<code>/who.py``):
a word ending in ``*`` is a stem, any other word must stand whole.

What a sentence says of something that did not happen is no event: a
trigger inside a quotation (someone's words, not the article's), or shortly
after a hedge ("pourrait se rendre", "n'a pas exclu", "en cas d'attaque").
Who reports the event is no party to it: names inside a "selon X" clause or
a trailing reporting clause (", a indiqué la Maison Blanche") are left out.
"""

from __future__ import annotations

import re
from functools import cache
from typing import ClassVar

from ..config import Config
from ..lang import who_lexicon
from ..model import Article, EventMention
from ..pipeline import register_stage
from .canonical import normalise_for_matching

_TWO_PARTIES = {"call", "meet"}
_WITH_PLACES = {"visit", "deploy", "attack"}
_LEAD = 3  # sentences: a lead sentence without its own date happened on the article's day
_HEDGE_WINDOW = 5  # words before a trigger where a hedge takes the event away
_TAIL_WORDS = 2  # a reporting verb this soon after a comma ("a indiqué") opens a source clause
_WORD = re.compile(r"\w+", re.UNICODE)


@register_stage("events")
class EventsStage:
    name: ClassVar[str] = "events"
    requires: ClassVar[frozenset[str]] = frozenset({"sentences", "mentions", "times", "quotes"})
    assigns: ClassVar[frozenset[str]] = frozenset({"events"})

    def __init__(self, config: Config) -> None:
        pass

    def __call__(self, articles: list[Article]) -> list[Article]:
        for article in articles:
            article.events = find_events(article)
        return articles


def find_events(article: Article) -> list[EventMention]:
    lex = who_lexicon(article.language)
    if lex is None or not lex.events:
        return []
    triggers, hedges, reporting, according, openers = _patterns(lex.code)
    low = _lower(article.text)
    quoted = [(q.start, q.end) for q in article.quotes]
    for a, b in quoted:  # someone's words: neither the article's events nor its parties
        low = low[:a] + " " * (b - a) + low[b:]
    by_sentence: dict[int, list[tuple[int, str, str]]] = {}
    for m in article.mentions:
        if m.key:
            by_sentence.setdefault(m.sentence, []).append((m.start, m.label, m.key))
    out: list[EventMention] = []
    for si, sent in enumerate(article.sentences):
        text = low[sent.start : sent.end]
        kinds: list[tuple[str, int]] = []
        for kind, pattern in triggers:
            for hit in pattern.finditer(text):
                if not _hedged(text[: hit.start()], hedges):
                    kinds.append((kind, hit.start()))
                    break
        if not kinds:
            continue
        first = min(at for _, at in kinds)
        sources = [(sent.start + a, sent.start + b)
                   for a, b in _source_spans(text, first, reporting, according)]
        said = [(start - sent.start, label, key) for start, label, key in by_sentence.get(si, [])
                if not any(a <= start < b for a, b in quoted + sources)]
        cuts = [0, *(m.start() for m in openers.finditer(text)), len(text)] if openers else []
        for kind, at in sorted(kinds, key=lambda k: k[1]):
            # Names of the trigger's own clause, when it has any ("…, où les Occidentaux
            # accusent Moscou"): the main clause's names belong to another event.
            lo = max((c for c in cuts if c <= at), default=0)
            hi = min((c for c in cuts if c > at), default=len(text))
            named = [(label, key) for off, label, key in said if lo <= off < hi]
            if not named:
                named = [(label, key) for _, label, key in said]
            people = sum(1 for label, _ in named if label == "PER")
            actors = people + sum(1 for label, _ in named if label == "ORG")
            if kind in _TWO_PARTIES and people >= 2:
                labels = {"PER"}  # two people on a call: the office that reported it is no party
            elif kind in _WITH_PLACES or actors < 2:
                labels = {"PER", "ORG", "LOC"}  # where it happened, or a capital for its state
            else:
                labels = {"PER", "ORG"}
            parties: list[str] = []
            for label, key in named:
                if label in labels and key not in parties:
                    parties.append(key)
            if not parties or (kind in _TWO_PARTIES and len(parties) < 2):
                continue
            out.append(EventMention(kind, parties, _date(article, si),
                                    " ".join(article.text[sent.start : sent.end].split()), si))
    return out


@cache
def _patterns(code: str) -> tuple[list[tuple[str, re.Pattern[str]]], frozenset[str],
                                  re.Pattern[str] | None, re.Pattern[str] | None,
                                  re.Pattern[str] | None]:
    lex = who_lexicon(code)
    assert lex is not None
    triggers = [(kind, _phrases(words)) for kind, words in lex.events.items() if words]
    verbs = "|".join([*(re.escape(_lower(v)) for v in lex.reporting_verbs),
                      *(rf"{re.escape(_lower(v))}\b" for v in lex.reporting_words)])
    reporting = (re.compile(rf",\s+(?:\S+\s+){{0,{_TAIL_WORDS - 1}}}?(?:{verbs})")
                 if verbs else None)
    words = "|".join(re.escape(_lower(w)) for w in lex.according_to)
    according = re.compile(rf"(?:^|,\s+)(?:{words})(?!\w)") if words else None
    subordinators = "|".join(re.escape(_lower(w)) for w in lex.clause_openers)
    openers = re.compile(rf"(?:;|(?<!\w)(?:{subordinators})(?!\w))") if subordinators else None
    return (triggers, frozenset(_lower(w) for w in lex.event_hedges), reporting, according,
            openers)


def _phrases(words: tuple[str, ...]) -> re.Pattern[str]:
    alts = []
    for phrase in words:
        parts = [re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w)
                 for w in _lower(phrase).split()]
        alts.append(r"\s+".join(parts))
    return re.compile(rf"(?<!\w)(?:{'|'.join(alts)})(?!\w)")


def _lower(text: str) -> str:
    """Lower case, made plain, one character for one (offsets stay the text's)."""
    return "".join(c if len(low := c.lower()) != 1 else low
                   for c in normalise_for_matching(text))


def _hedged(before: str, hedges: frozenset[str]) -> bool:
    return any(w in hedges for w in _WORD.findall(before)[-_HEDGE_WINDOW:])


def _source_spans(text: str, trigger: int, reporting: re.Pattern[str] | None,
                  according: re.Pattern[str] | None) -> list[tuple[int, int]]:
    """Where the sentence says who reports it: 'selon X,' anywhere, and an inverted
    reporting clause after the event (', a indiqué la Maison Blanche'), each to its comma."""
    found = [] if according is None else list(according.finditer(text))
    if reporting is not None:
        found += [m for m in reporting.finditer(text) if m.start() > trigger]
    spans = []
    for m in found:
        end = text.find(",", m.end())
        spans.append((m.start(), len(text) if end < 0 else end))
    return spans


def _date(article: Article, si: int) -> str | None:
    days = article.sentence_dates[si] if si < len(article.sentence_dates) else []
    if days:
        return days[0]
    if si < _LEAD and article.event_date:
        return article.event_date
    return None
