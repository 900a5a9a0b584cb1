"""The ``entities`` stage: named-entity mentions from the spaCy Docs, corrected for news.

spaCy's news models fail in the same few ways on every wire story, so the
mentions are corrected with each language's ``who`` words (data in
``recoupe/lang/<code>/who.py``): institutions named by their seat ("la Maison
Blanche", "le Kremlin") are organisations; weekday and month names are not
people; a people ("les Russes") is not a place; a leading determiner is not
part of a name. Then each mention gets a canonical key, and within the
article a lone surname takes the key of the full name it stands for
("Macron" after "Emmanuel Macron"), whatever type the model gave it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from typing import ClassVar

from ..config import Config
from ..lang import WhoLexicon, resources, who_lexicon
from ..model import Article, EntityType, Mention
from ..pipeline import register_stage
from .canonical import entity_key, fold, folded, name_words, seats, surname

# spaCy label schemes (WikiNER for French, OntoNotes for English) onto ours;
# labels absent here (dates, numbers, money) are not entities.
LABELS: dict[str, EntityType] = {
    "PER": "PER", "PERSON": "PER",
    "ORG": "ORG",
    "LOC": "LOC", "GPE": "LOC", "FAC": "LOC",
    "MISC": "MISC", "NORP": "MISC", "EVENT": "MISC", "PRODUCT": "MISC", "LAW": "MISC",
    "WORK_OF_ART": "MISC", "LANGUAGE": "MISC",
}

# Lowercase only: "Le Monde" and "Le Pen" keep theirs.
_LEADING = re.compile(r"^(?:(?:le|la|les|the)\s+|(?:l|d|qu)['’])")
# Lowercase words that open a name: "de Gaulle", "al-Assad", "bin Laden".
_PARTICLES = frozenset({"de", "du", "des", "di", "da", "del", "della", "dos", "van", "von",
                        "al", "el", "bin", "ben", "ibn", "abu", "abou", "ould", "le", "la"})
_PARTICLE_JOINED = re.compile(r"^(?:al|el|ad|ar|as|an|at|az|ash|en|er|es|ez)-\w", re.I)


def _name_start(text: str, start: int, end: int, lex: WhoLexicon) -> int:
    """Where a person's name starts in a tagged span that runs in from the clause before
    ("caduta di Assad", "Président syrien Bachar al-Assad", "ieri Assad"): lowercase words,
    titles and role nouns before the first word a name can open with are left out."""
    words = list(re.finditer(r"\S+", text[start:end]))
    roles = folded((*lex.role_heads, *lex.titles))
    i = 0
    while i < len(words) - 1:
        w = words[i].group()
        low = fold(w).rstrip(".,")
        # A particle opens a name ("de Gaulle") unless words were left out before it
        # ("caduta di Assad").
        lead = (w[:1].islower() and (i > 0 or low not in _PARTICLES)
                and not _PARTICLE_JOINED.match(w)) or low in roles
        if not lead:
            break
        i += 1
    if i and any(w.group()[:1].isupper() for w in words[i:]):
        return start + words[i].start()
    return start


_BRACKET = re.compile(r"\s*[\[\]{}]\s*")
_PLURAL_DET = re.compile(r"(?:\b(?:les|des|aux|ces|the)\s+)$", re.IGNORECASE)


@register_stage("entities")
class EntitiesStage:
    name: ClassVar[str] = "entities"
    requires: ClassVar[frozenset[str]] = frozenset({"sentences", "nlp_docs"})
    assigns: ClassVar[frozenset[str]] = frozenset({"mentions"})

    def __init__(self, config: Config) -> None:
        pass

    def __call__(self, articles: list[Article]) -> list[Article]:
        for article in articles:
            found = []
            for para, doc in zip(article.paragraphs, article.nlp_docs, strict=True):
                for ent in doc.ents:
                    label = LABELS.get(ent.label_)
                    if label is not None:
                        found.append((para.start + ent.start_char, para.start + ent.end_char,
                                      label))
            article.mentions = corrected(article, found)
        return articles


def corrected(article: Article, found: list[tuple[int, int, EntityType]]) -> list[Mention]:
    """Mentions from model spans (start, end, label): corrected, keyed, coreferred."""
    lex = who_lexicon(article.language)
    calendar = _calendar_words(article.language)
    text = article.text
    sent_starts = [s.start for s in article.sentences]
    mentions: list[Mention] = []
    sent = 0
    for start, end, label in sorted(found):
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if (lead := _LEADING.match(text[start:end])) and lead.end() < end - start:
            start += lead.end()
        # A name never spans a bracket: "[KHALED ELFIQI]Le peuple" is a photo credit run
        # into the next word.
        if (cut := _BRACKET.search(text, start, end)) is not None:
            if cut.start() > start:
                end = cut.start()
            else:
                start = cut.end()
        if label == "PER" and lex is not None:
            start = _name_start(text, start, end, lex)
        surface = text[start:end]
        folded = fold(surface)
        if not surface or folded in calendar:
            continue
        if lex is not None:
            if folded in lex.not_entities:
                continue
            seat = seats(lex.code).get(" ".join(name_words(surface, "ORG")))
            if seat is not None:
                label = seat  # type: ignore[assignment]
            elif label != "PER" and folded in lex.demonyms:
                label = "MISC"
            elif label != "PER" and _in_apposition(text, start, end, lex.role_heads):
                label = "PER"  # "la porte-parole du département d'Etat, Victoria Nuland,"
            elif (label == "LOC" and surface.isalpha() and surface[:1].isupper()
                  and folded.endswith(("s", "x")) and _PLURAL_DET.search(text[:start])
                  and entity_key(surface, label) == f"LOC:{folded}"):
                label = "MISC"  # "les Européens": a people, not a place (a known place has
                # an exonym key: "les Etats-Unis")
        while sent + 1 < len(sent_starts) and sent_starts[sent + 1] <= start:
            sent += 1
        mentions.append(Mention(start, end, surface, label, sent, entity_key(surface, label)))
    _corefer(mentions)
    return mentions


def _in_apposition(text: str, start: int, end: int, role_heads: tuple[str, ...]) -> bool:
    """A name of two or three capitalised words set off by commas right after a role
    ("le ministre des Affaires étrangères, Sergueï Lavrov,"): a person, whatever the
    model said."""
    words = text[start:end].split()
    if not 2 <= len(words) <= 3 or not all(w[:1].isupper() for w in words):
        return False
    if not text[end:end + 2].lstrip().startswith((",", ")", ".")) or not text[
            max(0, start - 2):start].rstrip().endswith(","):
        return False
    clause = re.split(r"[.;:!?,()«»]", text[max(0, start - 90):start].rstrip()[:-1])[-1]
    heads = folded(role_heads)
    return any(fold(w) in heads for w in re.findall(r"[\w'’-]+", clause))


def _corefer(mentions: list[Mention]) -> None:
    """A lone surname (or a title and a surname) takes the key of the article's full name."""
    full: dict[str, set[str]] = defaultdict(set)
    for m in mentions:
        if m.key and (last := surname(m.key)):
            full[last].add(m.key)
    for m in mentions:
        if not m.key:
            continue
        words = m.key.partition(":")[2].split()
        if len(words) != 1 or len(full.get(words[0], ())) != 1:
            continue
        # One full name has this surname: that is who it is, whatever the model said.
        (key,) = full[words[0]]
        m.key, m.label = key, "PER"


@cache
def _calendar_words(language: str | None) -> frozenset[str]:
    try:
        res = resources(language or "")
    except KeyError:
        return frozenset()
    return frozenset([fold(w) for w in res.weekdays] + [fold(w) for w in res.months if len(w) > 3])
