"""Canonical keys: one string for one entity, whatever the article's spelling or language.

A key is ``TYPE:words``: folded (lowercase, no accents, straight apostrophes),
without determiners, titles, initials and name suffixes, with local spellings
mapped to a shared one by the languages' ``exonyms`` ("poutine" -> "putin") and
transliteration variants reduced ("zelenskiy", "zelenskyy" -> "zelensky").
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from ..lang import LANGUAGES, who_lexicon

_PUNCT = re.compile(r"[^\w'\- ]+")
# Romanisations of one Slavic or Arabic ending: -iy, -yy, -yi, -ij, -ii all written -y.
_ENDINGS = re.compile(r"(?:iy|yy|yi|ij|ii)$")
_SKI = re.compile(r"ski$")
_ARTICLE = re.compile(r"^(?:al|el)-(?=\w{3})")


_PLAIN = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u00a0": " ", "\u202f": " ",
                        "\u2009": " ", "\u2011": "-", "\u2010": "-"})


def normalise_for_matching(text: str) -> str:
    """Same length as ``text``: typographic apostrophes and non-breaking spaces made plain."""
    return text.translate(_PLAIN)


def fold(text: str) -> str:
    """Lowercase, accents off, typographic apostrophes straight, spaces single."""
    if text.isascii():  # most words: no accents to take off (the stages fold millions)
        return " ".join(text.replace("`", "'").casefold().split())
    if len(text) <= _SHORT:
        return _fold_short(text)
    return _fold(text)


_SHORT = 32


@lru_cache(maxsize=1 << 16)
def _fold_short(text: str) -> str:
    # Words and names recur: a word folded once is looked up after.
    return _fold(text)


def _fold(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u02bc", "'").replace("`", "'")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


@cache
def folded(words: tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    """A word list as ``fold`` leaves it, worked out once per list."""
    return frozenset(fold(w) for w in words)


def _translit(word: str) -> str:
    if len(word) < 5:
        return word
    return _SKI.sub("sky", _ENDINGS.sub("y", word))


@cache
def _shared() -> tuple[dict[str, str], frozenset[str], frozenset[str], frozenset[str],
                       dict[str, str]]:
    """Exonyms, titles, suffixes and determiners of every language, and given-name variants."""
    exonyms: dict[str, str] = {}
    titles: set[str] = set()
    suffixes: set[str] = set()
    dets: set[str] = set()
    for code in LANGUAGES:
        lex = who_lexicon(code)
        if lex is None:
            continue
        exonyms.update({fold(k): fold(v) for k, v in lex.exonyms.items()})
        titles.update(fold(t).rstrip(".") for t in lex.titles)
        suffixes.update(fold(t).rstrip(".") for t in lex.name_suffixes)
        dets.update(fold(d) for d in lex.determiners)
    return exonyms, frozenset(titles), frozenset(suffixes), frozenset(dets), _GIVEN


# Short forms of given names: the same person in different papers.
_GIVEN = {"joe": "joseph", "bill": "william", "bob": "robert", "mike": "michael",
          "jim": "james", "tony": "anthony", "liz": "elizabeth", "dick": "richard",
          "tom": "thomas", "nick": "nicholas", "ben": "benjamin", "alex": "alexander",
          "sasha": "alexander", "dmitry": "dmitri", "sergei": "sergey", "serguei": "sergey",
          "volodimir": "volodymyr", "wladimir": "vladimir",
          # Transliterations of Arabic given names across the French, Spanish, Italian and
          # English press.
          "bachar": "bashar", "mouammar": "muammar", "muamar": "muammar", "mu'ammar": "muammar",
          "moammar": "muammar", "moamer": "muammar", "mouamar": "muammar"}


def name_words(text: str, label: str) -> list[str]:
    """The words that name: determiners, titles, initials and suffixes taken off."""
    titles, suffixes, dets = _shared()[1:4]
    words = _PUNCT.sub(" ", fold(text)).split()
    # An elided determiner is glued to the name: "l'otan", "d'egypte".
    while words and "'" in words[0] and words[0].split("'", 1)[0] + "'" in dets:
        rest = words[0].split("'", 1)[1]
        words = ([rest] if rest else []) + words[1:]
    while len(words) > 1 and words[0] in dets and label != "PER":  # "Le Pen" is a name
        words = words[1:]
    if label == "PER":
        while len(words) > 1 and words[0].rstrip(".") in titles:
            words = words[1:]
        while len(words) > 1 and words[-1].rstrip(".") in suffixes:
            words = words[:-1]
        if len(words) > 2:
            words = [w for i, w in enumerate(words)
                     if i in (0, len(words) - 1) or len(w.rstrip(".")) > 1]
    return words


def entity_key(text: str, label: str) -> str | None:
    """The canonical key of a mention's text, or None when nothing names."""
    exonyms, _, _, _, given = _shared()
    words = name_words(text, label)
    if not words:
        return None
    joined = " ".join(words)
    if joined in exonyms:
        return f"{label}:{exonyms[joined]}"
    # The Arabic article, however transliterated, is no part of the name to match on:
    # "Bachar al-Assad", "Bachar el-Assad" and "Bachar Al Assad" are one person, whatever
    # type the tagger gave the name ("Deir el-Zor", "Deir ez-Zor" are not matched: the
    # article's assimilated forms are left).
    words = [_ARTICLE.sub("", w) for w in words if w not in ("al", "el")] or words
    if " ".join(words) in exonyms:
        return f"{label}:{exonyms[' '.join(words)]}"
    if len(words) > 1:  # whatever the type: a person's name the tagger took for a place
        words[0] = given.get(words[0], words[0])
    if label == "PER":
        words = [_translit(exonyms.get(w, w)) for w in words]
    return f"{label}:{' '.join(words)}"


def surname(key: str) -> str | None:
    """The last word of a person's key with more than one word ("PER:joseph biden" -> "biden")."""
    label, _, words = key.partition(":")
    parts = words.split()
    return parts[-1] if label == "PER" and len(parts) > 1 else None


def surname_group(key: str) -> str | None:
    """The group only whose keys are ever joined: a person's last word, alone or not; for
    another name its initials ("^osdh"), which an acronym shares with its expansion."""
    label, _, words = key.partition(":")
    parts = words.split()
    if not parts:
        return None
    if label == "PER":
        return parts[-1]
    return "^" + (initials(words) if len(parts) > 1 else parts[0])


@cache
def _links() -> frozenset[str]:
    """Articles, prepositions and "and" of every language: no letter of an acronym."""
    out: set[str] = set()
    for code in LANGUAGES:
        lex = who_lexicon(code)
        if lex is not None:
            for w in (*lex.determiners, *lex.count_of, *lex.range_close, *lex.phrase_stops):
                w = fold(w).strip("'")
                if w and len(w) <= _LINK_LETTERS:
                    out.add(w)
    return frozenset(out)


_LINK_LETTERS = 4  # phrase_stops hold longer words ("durante", weekdays) that are no links


def initials(words: str) -> str:
    """"observatoire syrien des droits de l'homme" -> "osdh": first letters of the words
    that are not articles or prepositions (in any of our languages)."""
    parts = words.replace("'", " ").replace("-", " ").split()
    return "".join(w[0] for w in parts if w not in _links())


@cache
def seats(code: str | None) -> dict[str, str]:
    """Folded institution seats of ``code`` ("maison blanche") -> the type they name."""
    lex = who_lexicon(code)
    return {fold(k): v for k, v in lex.seats.items()} if lex else {}
