from __future__ import annotations

import random

from recoupe.reuse.align import AlignParams, align, coverage
from recoupe.reuse.text import words


def _sentences(text: str) -> list[str]:
    return [s for s in text.replace("\n", " ").split(". ") if len(s.split()) > 12]


def test_copied_sentences_found_after_reordering_and_word_changes(seed_text: dict[str, str]) -> None:
    source = _sentences(seed_text["003"])
    rng = random.Random(4)
    taken = source[1:5]
    rng.shuffle(taken)
    edited = []
    for s in taken:
        toks = s.split()
        toks[3], toks[4] = toks[4], toks[3]  # a word swap
        toks[8] = "toutefois"  # a changed word
        edited.append(" ".join(toks))
    other = _sentences(seed_text["000"])[:3]
    copy = ". ".join(other[:1] + edited + other[1:]) + "."
    a, b = words(". ".join(source)), words(copy)
    matches = align(a.norms, b.norms)
    assert len(matches) == 4  # one passage per moved sentence
    copied_words = sum(len(s.split()) for s in taken)
    b_cover = coverage([(m.b_start, m.b_stop) for m in matches], len(b)) * len(b)
    assert b_cover >= 0.9 * copied_words
    # Of the unrelated sentence before them, at most a shared closing phrase is claimed.
    first_other = len(words(other[0]).norms)
    assert all(m.b_start >= first_other - AlignParams().gap for m in matches)
    assert sum(max(0, first_other - m.b_start) for m in matches) < 0.3 * first_other


def test_different_articles_on_the_same_events_share_no_passage(seed_text: dict[str, str]) -> None:
    for x, y in (("000", "003"), ("001", "004"), ("002", "003")):
        assert align(words(seed_text[x]).norms, words(seed_text[y]).norms) == []


def test_self_repetition_needs_a_real_repeat() -> None:
    text = ("La Russie a averti les pays occidentaux que les livraisons militaires à Kiev "
            "pourraient les inciter à les utiliser contre la région séparatiste du Donbass. ")
    filler = "Le ministre a rappelé la position de son pays sur la question des frontières. "
    once = words(text + filler).norms
    assert align(once, once) == []
    twice = words(text + filler + text.replace("a averti", "a également averti")).norms
    (m,) = align(twice, twice)
    assert m.a_stop <= m.b_start and m.words >= 20


def test_short_common_phrases_are_not_passages() -> None:
    a = words("Le président américain Joe Biden a déclaré mercredi que la situation restait grave.")
    b = words("Selon le président américain Joe Biden a déclaré un porte-parole, rien ne change.")
    assert align(a.norms, b.norms, AlignParams(min_words=12)) == []
