"""The ``events`` stage: who did what to whom, and when, sentence by sentence.

A sentence holding one of the language's trigger words for a kind of news
event ("s'est entretenu", "a déployé", "a averti") makes a frame of that
type; its participants are the people and organisations the sentence names
(places too, for visits, deployments and attacks: where it happened), as
canonical keys; its date is the day the ``times`` stage gave the sentence,
else the article's main event day for a lead sentence. Calls and meetings
need two parties. Triggers are data (``recoupe/lang/<code>/who.py``).
"""

from __future__ import annotations

from typing import ClassVar

from ..config import Config
from ..lang import who_lexicon
from ..model import Article, EventMention
from ..pipeline import register_stage
from .canonical import fold

_TWO_PARTIES = {"call", "meet"}
_WITH_PLACES = {"visit", "deploy", "attack"}
_LEAD = 3  # sentences: a lead sentence without its own date happened on the article's day


@register_stage("events")
class EventsStage:
    name: ClassVar[str] = "events"
    requires: ClassVar[frozenset[str]] = frozenset({"sentences", "mentions", "times"})
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
    triggers = [(kind, fold(t)) for kind, words in lex.events.items() for t in words]
    by_sentence: dict[int, list[tuple[str, str]]] = {}
    for m in article.mentions:
        if m.key:
            by_sentence.setdefault(m.sentence, []).append((m.label, m.key))
    out: list[EventMention] = []
    for si, sent in enumerate(article.sentences):
        text = article.text[sent.start : sent.end]
        low = fold(text)
        kind = next((k for k, t in triggers if _has(low, t)), None)
        if kind is None:
            continue
        labels = {"PER", "ORG"} | ({"LOC"} if kind in _WITH_PLACES else set())
        named = by_sentence.get(si, [])
        if kind in _TWO_PARTIES and sum(1 for label, _ in named if label == "PER") >= 2:
            labels = {"PER"}  # two people on a call: the office that reported it is no party
        parties: list[str] = []
        for label, key in named:
            if label in labels and key not in parties:
                parties.append(key)
        if not parties or (kind in _TWO_PARTIES and len(parties) < 2):
            continue
        out.append(EventMention(kind, parties, _date(article, si), " ".join(text.split()), si))
    return out


def _has(low: str, trigger: str) -> bool:
    k = low.find(trigger)
    return k >= 0 and (k == 0 or not low[k - 1].isalnum())


def _date(article: Article, si: int) -> str | None:
    days = article.sentence_dates[si] if si < len(article.sentence_dates) else []
    if days:
        return days[0]
    if si < _LEAD and article.event_date:
        return article.event_date
    return None
