"""The ``figures`` stage: numbers with what they count, as values or ranges.

Digits with any thousands separator the press uses ("3.000", "3 000" with a
plain, no-break or narrow space, "3,000" in English), number words ("trois
mille"), vague amounts ("des dizaines de milliers"), bounds and estimates
("plus de 100 000", "quelque 2 000"), scales ("200 millions de dollars"),
percentages and money. Calendar dates, clock times and ages are the
``times`` stage's and are skipped, as are numbers glued to words ("Covid-19",
"F-15"); a duration ("depuis quarante ans") is a figure counted in its unit. What a number counts is the first noun after it (the
spaCy tagger's, or the next word without one); "1 000 autres" counts what
the figure before it in the sentence counted, and the two are parts of one
total. Each figure keeps the content words of its sentence, with which the
story step decides which figures of different sources are the same
quantity.
"""

from __future__ import annotations

import re
from functools import cache
from typing import ClassVar

from ..config import Config
from ..lang import WhoLexicon, who_lexicon
from ..model import Article, FigureMention
from ..pipeline import register_stage
from .canonical import fold, folded
from .models import stop_words

_SPACES = " \u00a0\u202f"
_DIGITS = re.compile(
    r"(?<![\w-])(\d{1,3}(?:[ \u00a0\u202f.,'’]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)(?![\w:/°])"
)
_CONTEXT_MIN = 4  # letters: shorter words say little about what a figure is about


@register_stage("figures")
class FiguresStage:
    name: ClassVar[str] = "figures"
    requires: ClassVar[frozenset[str]] = frozenset({"sentences", "times", "mentions"})
    assigns: ClassVar[frozenset[str]] = frozenset({"figures"})

    def __init__(self, config: Config) -> None:
        pass

    def __call__(self, articles: list[Article]) -> list[Article]:
        for article in articles:
            article.figures = find_figures(article)
        return articles


def parse_digits(token: str, language: str | None) -> float | None:
    """The value of a digit string as the language writes it ("3.000" is 3000 in French)."""
    # A space of any width, or the Swiss apostrophe ("50'000"), separates thousands.
    s = "".join(c for c in token if c not in _SPACES and c not in "'’")
    if language == "en":
        s = s.replace(",", "")
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+", s):
        s = s.replace(".", "")  # "3.000": a thousands dot
    elif re.fullmatch(r"\d{1,3}(?:,\d{3}){2,}", s):
        s = s.replace(",", "")
    else:
        s = s.replace(",", ".")  # "1,5": a decimal comma
    try:
        return float(s)
    except ValueError:
        return None


def find_figures(article: Article) -> list[FigureMention]:
    lex = who_lexicon(article.language)
    if lex is None:
        return []
    text = article.text
    # Durations are figures ("depuis quarante ans", "18 días de protestas"): counted in their
    # unit. Dates, clock times, and ages are not.
    durations = {(t.start, t.end): unit for t in article.times if t.type == "DURATION"
                 and (unit := _duration_unit(t.value)) and not _age(text, t.start, t.end, lex)}
    taken = [(t.start, t.end) for t in article.times if (t.start, t.end) not in durations]
    pos = _tags(article)
    out: list[FigureMention] = []
    for si, sent in enumerate(article.sentences):
        found = _numbers(text, sent.start, sent.end, lex, article.language)
        context = _context(text[sent.start : sent.end], lex)
        first_in_sentence: FigureMention | None = None
        for start, end, value, low, high in found:
            if any(a < end and start < b for a, b in taken):
                continue  # a date, a time, a duration or an age
            if value <= _SMALL and _referring(lex.code).search(
                    text[max(sent.start, start - 12) : start]):
                continue  # "les deux dirigeants", "ces trois pays": who, not how many
            if _YEAR.fullmatch(text[start:end]) and _year_before(text, start, sent.start, lex):
                continue  # "en 2010 membre du bureau": a year the times stage left
            during = next((u for (a, b), u in durations.items() if a <= start and end <= b), None)
            what: str | None
            if during is not None:
                what, unit, end2, inherits = during, during, end, False
            else:
                what, unit, end2, inherits = _counted(text, end, sent.end, lex, pos)
            if inherits and first_in_sentence is not None:
                what, unit = first_in_sentence.what, first_in_sentence.unit
            if not what:
                if not lex.bare_numbers or unit == "" or not _bare(text, start, end, sent.start):
                    continue
                # Digits counting what the text does not name after them ("ascienden a 42",
                # "les 3 000 viendront"): a figure of unknown kind, never compared.
                what = ""
            fig = FigureMention(
                start=_modifier_start(text, start, sent.start, lex), end=max(end, end2),
                text="", value=value, low=low, high=None if high == float("inf") else high,
                what=what, unit=unit, sentence=si,
                context=[c for c in context if c != _stem(what)],
            )
            fig.text = " ".join(text[fig.start : fig.end].split())
            if inherits and first_in_sentence is not None:
                first = out.index(first_in_sentence)
                fig.parts_of = first_in_sentence.parts_of = first
            if first_in_sentence is None or first_in_sentence.what != what:
                first_in_sentence = fig
            out.append(fig)
        _situate(article, sent.start, sent.end, [f for f in out if f.sentence == si])
    return out


def _bare(text: str, start: int, end: int, floor: int) -> bool:
    """Whether digits with nothing counted after them may still be a count: not a year, a
    zero, a numbered item ("01", "02"), or a number in a name ("Europe 1", "France 24")."""
    digits = text[start:end]
    if not digits[:1].isdigit() or digits.startswith("0") or _YEAR.fullmatch(digits):
        return False
    before = text[floor:start].split()
    return not (before and before[-1][:1].isupper() and len(before) > 1)


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _situate(article: Article, start: int, end: int, figures: list[FigureMention]) -> None:
    """Each figure's day, when its sentence names one, so that the story step compares
    counts of one day only (133 dead on Saturday are not "des dizaines" on Sunday).
    Places are not used: "3 000 soldats en Europe de l'Est" and "… en Allemagne, en Pologne
    et en Roumanie" are one count, telling that needs which place holds which, and the
    tagger finds one of those three countries only."""
    days = {t.value for t in article.times if start <= t.start < end and t.type == "DATE"
            and _DAY.fullmatch(t.value)}
    for f in figures:
        f.day = next(iter(days)) if len(days) == 1 else None


_DURATION = re.compile(r"P(?:\d+(?:\.\d+)?([YMWD])|T\d+(?:\.\d+)?([HMS]))")
_UNITS = {"Y": "year", "M": "month", "W": "week", "D": "day", "H": "hour", "m": "minute",
          "S": "second"}
DURATION_UNITS = frozenset(_UNITS.values())  # a figure with one of these units is a duration


def _duration_unit(value: str) -> str | None:
    """What a duration of one number counts ("P42Y": years), None for any other."""
    m = _DURATION.fullmatch(value)
    if m is None:
        return None
    return _UNITS[m.group(1)] if m.group(1) else _UNITS["m" if m.group(2) == "M" else m.group(2)]


def _age(text: str, start: int, end: int, lex: WhoLexicon) -> bool:
    """"âgé de 44 ans", "un ragazzo di 20 anni", "20 años de edad", "(74 años)": an age."""
    window = fold(text[max(0, start - 30) : start])
    before = window.split()[-3:]
    after = fold(text[end : end + 20]).split()[:2]
    ages = folded(lex.age_words)
    if any(w.strip("(,") in ages for w in before + after):
        return True
    if before and before[-1] in folded(lex.age_verbs):
        return True  # "tiene 73 años"
    # "su nieto Ali —de 6 años—", "Tarek, de 26 años,": an age set off after a name.
    if before and before[-1] in folded(lex.count_of):
        ahead = window[: window.rfind(before[-1])].rstrip()
        if ahead.endswith((",", "(", "—", "–", "-")):
            return True
    return text[max(0, start - 1) : start] == "(" and text[end : end + 1] == ")"


@cache
def _referring(code: str) -> re.Pattern[str]:
    """A definite or possessive determiner right before: the number names a group already
    counted ("les deux dirigeants", "los dos presidentes")."""
    lex = who_lexicon(code)
    words = "|".join(re.escape(w) for w in (lex.referring if lex else ())) or "(?!)"
    return re.compile(rf"(?:^|[\s«“\"(])(?:{words})\s+$", re.IGNORECASE)


# "les 3 000 viendront": a large number after "les" still says how many.
_SMALL = 12
_YEAR = re.compile(r"1[89]\d\d|20\d\d")


def _year_before(text: str, start: int, floor: int, lex: WhoLexicon) -> bool:
    words = fold(text[max(floor, start - 12) : start]).split()
    return bool(words) and words[-1] in lex.year_words


@cache
def _demonyms(code: str) -> frozenset[str]:
    lex = who_lexicon(code)
    return folded(lex.demonyms) if lex else frozenset()


def _tags(article: Article) -> dict[int, str]:
    """Part of speech by the start offset of each token, where the model tags them."""
    out: dict[int, str] = {}
    for para, doc in zip(article.paragraphs, article.nlp_docs, strict=False):
        # A pipeline of another language (Italian read by a Romance neighbour's) tags
        # words it does not know: its entities help, its parts of speech do not.
        if not doc.has_annotation("POS") or doc.lang_ != article.language:
            return {}
        for tok in doc:
            out[para.start + tok.idx] = tok.pos_
    return out


def _numbers(text: str, start: int, end: int, lex: WhoLexicon, language: str | None
             ) -> list[tuple[int, int, float, float, float]]:
    """(start, end, value, low, high) of every amount in ``text[start:end]``."""
    span = text[start:end]
    low_span = fold(span)  # same length: fold only drops accents of precomposed letters
    if len(low_span) != len(span):
        low_span = span.casefold()
    out: list[tuple[int, int, float, float, float]] = []
    used: list[tuple[int, int]] = []
    anywhere, phrases = _vague(lex.code)
    for pattern, least, most in phrases if anywhere.search(low_span) else ():
        for v in pattern.finditer(low_span):
            if not any(a < v.end() and v.start() < b for a, b in used):
                used.append((v.start(), v.end()))
                middle = (least + most) / 2
                lo, hi = _bounds(low_span[: v.start()], middle, lex)
                if (lo, hi) == (middle, middle):  # no bound word: the vague range itself
                    lo, hi = float(least), float(most)
                out.append((start + v.start(), start + v.end(), middle, lo, hi))
    for m in _DIGITS.finditer(span):
        if any(a < m.end() and m.start() < b for a, b in used):
            continue
        value = parse_digits(m.group(1), language)
        if value is None:
            continue
        stop = m.end()
        scale = re.match(r"[\s\u00a0\u202f]+(\w+)", span[stop:])
        if scale and scale.group(1).casefold() in lex.scales:
            value *= lex.scales[scale.group(1).casefold()]
            stop += scale.end()
        lo, hi = _bounds(low_span[: m.start()], value, lex)
        out.append((start + m.start(), start + stop, value, lo, hi))
    for w_start, w_end, w_value in _word_numbers(low_span, lex):
        if not any(a < w_end and w_start < b for a, b in used + [(o[0] - start, o[1] - start)
                                                                for o in out]):
            lo, hi = _bounds(low_span[:w_start], w_value, lex)
            out.append((start + w_start, start + w_end, w_value, lo, hi))
    return _ranges(sorted(out), low_span, start, lex)


@cache
def _vague(code: str) -> tuple[re.Pattern[str], list[tuple[re.Pattern[str], float, float]]]:
    """The language's vague amounts, longest first, compiled once; and one pattern that
    says whether a sentence holds any (most hold none)."""
    lex = who_lexicon(code)
    assert lex is not None
    items = sorted(lex.vague.items(), key=lambda kv: -len(kv[0]))
    words = [rf"(?<!\w){re.escape(fold(p))}(?!\w)" for p, _ in items]
    # The heads the phrases share ("dizaines", "migliaia") are what a sentence is checked for.
    heads = sorted({fold(p).split()[-1] for p, _ in items})
    anywhere = re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, heads))})(?!\w)" if heads
                          else "(?!)")
    return anywhere, [(re.compile(w), float(lo), float(hi)) for w, (_, (lo, hi)) in zip(
        words, items, strict=True)]


def _ranges(found: list[tuple[int, int, float, float, float]], low: str, offset: int,
            lex: WhoLexicon) -> list[tuple[int, int, float, float, float]]:
    """"200 à 300", "onze ou douze", "entre 5 et 10": two numbers that make one range."""
    out: list[tuple[int, int, float, float, float]] = []
    for item in found:
        if out:
            a, b, _, lo, hi = out[-1]
            gap = low[b - offset : item[0] - offset].strip()
            # ``low`` is folded already; the lexicon's words are folded here.
            between = low[max(0, a - offset - 7) : a - offset].rstrip().endswith(
                tuple(fold(w) for w in lex.range_open))
            if lo == hi and item[3] == item[4] and lo < item[3] and (
                    gap in lex.range_words or (between and gap in lex.range_close)):
                out[-1] = (a, item[1], (lo + item[4]) / 2, lo, item[4])
                continue
        out.append(item)
    return out


def _word_numbers(low: str, lex: WhoLexicon) -> list[tuple[int, int, float]]:
    """Runs of number words ("trois mille", "deux cents"); "un"/"une" alone are articles."""
    words = list(re.finditer(r"[\w-]+", low))
    out = []
    i = 0
    while i < len(words):
        run = []
        j = i
        while j < len(words) and all(p in lex.number_words for p in words[j].group().split("-")):
            run.append(words[j])
            j += 1
        if run and not all(w.group() in folded(lex.lone_articles) for w in run):
            total, current = 0.0, 0.0
            for w in run:
                for part in w.group().split("-"):
                    v = lex.number_words[part]
                    if v == 100:
                        current = max(current, 1) * 100
                    elif v == 1000:
                        total += max(current, 1) * 1000
                        current = 0
                    else:
                        current += v
            out.append((run[0].start(), run[-1].end(), total + current))
        i = max(j, i + 1)
    return out


def _bounds(before: str, value: float, lex: WhoLexicon) -> tuple[float, float]:
    tail = before.rstrip()[-25:]
    if any(tail.endswith(fold(p)) for p in lex.more_than):
        return value, float("inf")
    if any(tail.endswith(fold(p)) for p in lex.less_than):
        return 0.0, value
    # "environ", "quelque": the source still gives that value ("quelque 2 000" agrees with 2 000).
    return value, value


def _modifier_start(text: str, start: int, floor: int, lex: WhoLexicon) -> int:
    """Where the figure starts with its bound or estimate word ("plus de 100 000")."""
    window = text[max(floor, start - 25) : start].rstrip()
    trimmed = fold(window)  # ``fold`` trims the spaces before the number
    if len(trimmed) != len(window):
        return start
    for p in sorted(lex.more_than + lex.less_than + lex.about, key=len, reverse=True):
        word = fold(p)
        if trimmed.endswith(word) and (len(trimmed) == len(word)
                                       or not trimmed[-len(word) - 1].isalnum()):
            return start - len(text[max(floor, start - 25) : start]) + len(trimmed) - len(word)
    return start


def _counted(text: str, end: int, limit: int, lex: WhoLexicon, pos: dict[int, str]
             ) -> tuple[str | None, str | None, int, bool]:
    """What the number ending at ``end`` counts: (what, unit, end of the unit, inherits)."""
    rest = text[end:limit]
    head = rest.lstrip(_SPACES)
    low = fold(head)
    for p in sorted(lex.percent, key=len, reverse=True):
        if low.startswith(p):
            return "%", "%", end + (len(rest) - len(head)) + len(p), False
    # "d'Egyptiens": the elided article is a word of its own.
    words = re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", head)[:4]
    for sym in ("$", "€", "£"):
        if text[max(0, end - 30) : end].rstrip().endswith(sym) or head.startswith(sym):
            return lex.currencies.get(sym), lex.currencies.get(sym), end, False
    skip = folded(lex.count_of)
    content = [w for w in words if fold(w) not in skip]
    if not content:
        return None, None, end, False
    first = fold(content[0])
    if first in _not_counted(lex.code):
        return None, "", end, False  # an age, a rank: no figure at all
    for n in (2, 1):
        cur = fold(" ".join(content[:n]))
        if cur in lex.currencies:
            k = low.find(cur.split()[-1])
            return lex.currencies[cur], lex.currencies[cur], end + (len(rest) - len(head)) + k + len(
                cur.split()[-1]), False
    if first in lex.others:
        return None, None, end, True
    people = first in _demonyms(lex.code)  # "des milliers d'Egyptiens"
    if (not content[0][:1].islower() and not people) or not head[:1].isalpha():
        return None, "", end, False  # "1973 (…)", "A320 Airbus": a name, a code, a list
    if pos:
        at = end + (len(rest) - len(head)) + head.find(content[0])
        if pos.get(at, "NOUN") not in ("NOUN", "PROPN", "ADJ") and not people:
            return None, None, end, False  # "2014 une partie", "3 000 viendront"
    noun = _singular(first)
    noun = _singular(fold(lex.count_synonyms.get(first, lex.count_synonyms.get(noun, noun))))
    return noun, None, end, False


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith(("s", "x")) and not word.endswith(
        "ss") else word


def _stem(word: str) -> str:
    return fold(word)[:5]


def _context(sentence: str, lex: WhoLexicon) -> list[str]:
    """The sentence's content words, cut to five letters: what the figure is about."""
    stop = _stop_words(lex.code)
    out = []
    for w in re.findall(r"[^\W\d_]+", sentence):
        f = fold(w)
        if len(f) >= _CONTEXT_MIN and f not in stop:
            out.append(f[:5])
    return sorted(set(out))


@cache
def _stop_words(code: str) -> frozenset[str]:
    return folded(stop_words(code))


@cache
def _not_counted(code: str) -> frozenset[str]:
    lex = who_lexicon(code)
    return folded(lex.not_counted) if lex else frozenset()
