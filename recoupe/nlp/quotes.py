"""The ``quotes`` stage: direct quotations and who the article says said them.

Quotations are found by their marks (« », “ ”, „ “, " "), paragraph by
paragraph; a « left open at a paragraph's end runs to it, as French
typography does for quotes over several paragraphs. Attribution follows the
sentence's grammar as news French (or English) writes it, in this order:

1. after the quote, an inverted reporting verb: «…», a déclaré Kirby /
   a-t-il ajouté / souligne la présidence française; or «…», selon X;
2. before it, a reporting verb and its subject: X a déclaré : «…»,
   X a affirmé qu'il «…»; or Selon X, …«…»; or dénoncée comme «…» par X;
3. a pronoun subject ("il", "elle") is the previous quote's speaker when
   that quote is one or two sentences back, else the last person named before.

A speaker named by role ("le président français") is the person the article
introduced with that role ("le président français Emmanuel Macron"). Words
are the language's ``who`` data; a language without it gets quotes without
speakers.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

from ..config import Config
from ..lang import WhoLexicon, who_lexicon
from ..model import Article, Mention, QuoteMention
from ..pipeline import register_stage
from .canonical import entity_key, fold, folded, seats
from .speakers import parser_for, syntax_speaker

_OPEN = {"«": "»", "“": "”", "„": "“", '"': '"'}
_CLOSE = {"»", "”", "“", '"'}
_WORD = re.compile(r"[\w'’-]+")
# Where a speaker's noun phrase after the verb stops.
@register_stage("quotes")
class QuotesStage:
    name: ClassVar[str] = "quotes"
    requires: ClassVar[frozenset[str]] = frozenset({"sentences", "mentions"})
    assigns: ClassVar[frozenset[str]] = frozenset({"quotes"})

    def __init__(self, config: Config) -> None:
        self.languages = config.language

    def __call__(self, articles: list[Article]) -> list[Article]:
        for article in articles:
            article.quotes = find_quotes(article, parser_for(article.language, self.languages))
        return articles


def quote_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of the words inside each pair of quotation marks in ``text[start:end]``."""
    out: list[tuple[int, int]] = []
    i = start
    while i < end:
        c = text[i]
        if c in _OPEN and not (c == '"' and i > 0 and text[i - 1].isdigit()):
            closer = _OPEN[c]
            if c == "«" and _reversed_pair(text, i):
                i += 1
                continue
            j = _closing(text, i + 1, end, c, closer)
            inner_end = j if j is not None else end
            a, b = _strip(text, i + 1, inner_end)
            # Left open, a quote runs to the paragraph's end: always for «, and for " after
            # a colon ("X a écrit : "…").
            if b > a and (j is not None or c == "«" or text[start:i].rstrip().endswith(":")):
                out.append((a, b))
            i = (j + 1) if j is not None else end
            continue
        i += 1
    return out


def _closing(text: str, i: int, end: int, opener: str, closer: str) -> int | None:
    depth = 0
    while i < end:
        c = text[i]
        if c == closer and (opener != '"' or not text[i - 1].isspace() or depth == 0):
            if depth == 0:
                return i
            depth -= 1
        elif c == opener and opener != '"':
            depth += 1
        i += 1
    return None


def _reversed_pair(text: str, i: int) -> bool:
    """« just after a » that closed nothing: » Le Monde « is a title in reversed marks."""
    # Marks counted over the paragraph's last few thousand characters at most: a paragraph
    # of thousands of quotes stays linear.
    para_start = max(text.rfind("\n", 0, i) + 1, i - 5000)
    k = text.rfind("»", para_start, i)
    if k < 0 or i - k > 60 or "«" in text[k + 1 : i]:
        return False
    head = text[para_start:k]
    return head.count("«") <= head.count("»")


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and (text[a].isspace() or text[a] in "«»“”\""):
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] in "«»“”\""):
        b -= 1
    return a, b


def find_quotes(article: Article, parser: Any | None = None) -> list[QuoteMention]:
    lex = who_lexicon(article.language)
    text = article.text
    spans = [s for p in article.paragraphs for s in quote_spans(text, p.start, p.end)]
    if not spans:
        return []
    who = _Attributor(article, lex, spans) if lex is not None else None
    out: list[QuoteMention] = []
    last: _Said | None = None
    for a, b in spans:
        words = _WORD.findall(text[a:b])
        if not words:
            continue
        if len(words) <= 3 and all(w[:1].isupper() for w in words):
            continue  # «Normandie», "Le Monde": a name in marks, not a quotation
        sent = _sentence_of(article, a)
        speaker = who.attribute(a, b, sent, last) if who is not None else None
        if speaker is None and who is not None and parser is not None:
            speaker = who.parsed(parser, a, b, sent, last)
        if speaker is not None and who is not None and who.fragment(speaker[0]):
            speaker = None  # a name the tagger cut out of a clause ("Così ha"): none found
        if speaker is None and last is not None and last.sent == sent:
            speaker = (last.name, last.key)  # another piece of the same sentence's quote
        partial = len(words) <= 2 or (text[a].islower() and text[b - 1] not in ".!?…")
        name, key = speaker if speaker else (None, None)
        out.append(QuoteMention(a, b, " ".join(text[a:b].split()), name, key, partial, sent))
        if name:
            last = _Said(sent, name, key, b)
    # «…», et «…», s'est-il justifié: the attribution after the second names both.
    for i in range(len(out) - 2, -1, -1):
        q, nxt = out[i], out[i + 1]
        if q.speaker is None and nxt.speaker and _JOINED.match(text, q.end, nxt.start):
            q.speaker, q.speaker_key = nxt.speaker, nxt.speaker_key
    if who is None:
        return out
    # A word or three in quotation marks that nobody is said to say is a term, a label or a
    # title ("amazones", «Protecteur unifié»), not a quotation (whowhat_rules.md).
    return [q for q in out if q.speaker or len(_WORD.findall(q.text)) > _TERM_WORDS]


_TERM_WORDS = 3
_JOINED = re.compile(r"[\s«»“”\"',;]*(?:et|and|ou|or|puis)?[\s«»“”\"',;]*$")


@dataclass(slots=True)
class _Said:
    sent: int  # the sentence of the quote
    name: str
    key: str | None
    end: int  # where the quote ended


def _sentence_of(article: Article, pos: int) -> int:
    """The sentence holding ``pos``, else the one before it (sentences are in order)."""
    i = bisect_right(article.sentences, pos, key=lambda s: s.start) - 1
    return max(i, 0) if article.sentences else 0


@dataclass(frozen=True, slots=True)
class _Grammar:
    """The patterns of attribution, built from one language's words (``WhoLexicon``)."""

    inverted: re.Pattern[str]  # ", a déclaré X", ", a-t-il ajouté", ", dijo X", ", ha detto X"
    inverted_before: re.Pattern[str]  # "Au contraire, a-t-il observé, à Tripoli, «…»"
    np_stop: re.Pattern[str]  # where a speaker's noun phrase after its verb stops
    subject_after: re.Pattern[str]  # ", a dit Dieudonné qui …": the verb opens its clause
    trailing_aux: re.Pattern[str]  # an auxiliary (and adverb) ending a clause


def _alt(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


@cache
def _grammar(code: str) -> _Grammar:
    lex = who_lexicon(code)
    assert lex is not None
    aux = f"(?:{_alt(lex.auxiliaries)})" if lex.auxiliaries else "(?!)"
    endings = "|".join(re.escape(e) for e in lex.adverb_endings)
    adv = "|".join(x for x in (rf"\w+(?:{endings})" if endings else "", _alt(lex.adverbs)) if x)
    adv = f"(?:{adv})" if adv else "(?!)"
    # "a-t-il", "s'est-elle": an auxiliary with its subject pronoun after it (French).
    pron = _alt((*lex.pronouns, "on")) if lex.pronouns else "(?!)"
    aux_pron = rf"{aux}(?:-t)?-(?:{pron})"
    inverted = re.compile(
        rf"(?:^[\s»”\"“.]*|,\s*)(?:comme\s+(?:l['’]|le\s+)?)?(?:{adv}\s+)?"
        rf"(?:(?P<pron>{aux_pron})\s+(?:{adv}\s+)?(?P<verb>[\w'’]+)"
        rf"|(?:{aux}\s+)?(?:{adv}\s+)?(?P<verb2>[\w'’]+(?:\s+savoir|\s+valoir)?)(?:-t)?"
        rf"(?:-(?P<pron2>{pron}))?)",
        re.IGNORECASE)
    inverted_before = re.compile(
        rf"(?:{aux_pron}\s+(?:{adv}\s+)?(?P<verb>[\w'’]+)"
        rf"|(?P<verb2>[\w'’]+)-t-(?:{pron})\b)",
        re.IGNORECASE)
    stops = _alt(lex.phrase_stops)
    np_stop = re.compile(rf"[,.;:!?(«»“”\"\n]|\s(?:{stops})\s|\s\w{{1,3}}\s+\d" if stops
                         else r"[,.;:!?(«»“”\"\n]|\s\w{1,3}\s+\d", re.IGNORECASE)
    return _Grammar(inverted, inverted_before, np_stop,
                    re.compile(rf",\s*(?:{aux}\s+)?(?:{adv}\s+)?$", re.IGNORECASE),
                    re.compile(rf"\s+{aux}(\s+{adv})?$", re.IGNORECASE))


_ATTRIBUTION_CHARS = 600
_ROLE_REACH = 1  # sentences back in which a definite role finds the person just named
# A clause between two dashes ("– conclude Noury –", "—dijo el ministro—"); a hyphen only
# with spaces on both sides, so that "al-Assad" is no dash.
_INSIDE = re.compile(r"(?:[–—]|\s-\s)\s*(?P<clause>[^–—\n«»“”\"]{3,160}?)\s*(?:[–—]|\s-\s|(?=[»”\"]))")
# A dot that ends no sentence: "M. Morsi", "J. Biden".
_ABBREVIATION = re.compile(r"(?:\b[A-Z]|\bM|\bMM|\bMme|\bDr|\bSt|\bMr|\bMrs)$")


class _Attributor:
    """Who the article says said each quote: its grammar, read as news writes it."""

    def __init__(self, article: Article, lex: WhoLexicon, spans: list[tuple[int, int]]) -> None:
        self.article, self.lex, self.spans = article, lex, spans
        self.grammar = _grammar(lex.code)
        self.ends = [e for _, e in spans]
        self.text = article.text
        self.openers = folded(lex.np_openers)
        self.complements = frozenset(lex.complement_words)
        self.heads = tuple(fold(r) for r in (*lex.role_heads, *lex.titles) if len(r) > 3)
        self.roles = self._learn_roles()
        self.at = 0  # where the quote being attributed starts
        nouns = "|".join(re.escape(fold(n)) for n in lex.speech_nouns)
        joins = "|".join(re.escape(fold(j)) for j in lex.speech_of)
        self.speech = re.compile(rf"\b(?:{nouns})s?\s+(?:{joins})\s*") if nouns and joins else None

    def attribute(self, a: int, b: int, sent: int, last: _Said | None
                  ) -> tuple[str, str | None] | None:
        self.at = a
        found = self._inside(a, b, sent, last)
        if found is None:
            found = self._after(b, self._attribution_end(b), sent, last)
        if found is None:
            found = self._before(a, sent, last)
        if found is None and self._alone(a, b):
            # A quote that is a sentence of its own: the one speaking here.
            found = self._pronoun(sent, a, last)
        return found

    def parsed(self, parser: Any, a: int, b: int, sent: int, last: _Said | None
               ) -> tuple[str, str | None] | None:
        """The speaker the dependency parse of the quote's sentence gives."""
        self.at = a
        if not self.article.sentences:
            return None
        s = self.article.sentences[sent]
        start = s.start
        # The splitter may cut at the colon before a quote: the sentence before joins it.
        if sent > 0 and not self.text[s.start : a].strip(" «“\"„:\n"):
            start = self.article.sentences[sent - 1].start
        end = max(s.end, b)
        found = syntax_speaker(parser, self.text[start:end], (a - start, b - start), self.lex,
                               self._reporting)
        if found is None:
            return None
        p_start, p_end, pronoun = found[0] + start, found[1] + start, found[2]
        if p_start < b and a < p_end:
            return None  # "Les « amazones » de la garde ont quitté…": the quote is the subject's
        if pronoun:
            return self._pronoun(sent, p_start, last)
        named = [m for m in self.article.mentions if p_start <= m.start and m.end <= p_end
                 and m.label in ("PER", "ORG")]
        people = [m for m in named if m.label == "PER"] or named
        if people:
            return _named(people[0])
        return self._role_or_text(self.text[p_start:p_end])

    # -- after the quote ---------------------------------------------------

    def _attribution_end(self, pos: int) -> int:
        """Where the attribution after a quote may run: to the end of its sentence at most."""
        text = self.text
        _, para_end = self._paragraph(pos)
        # The quote's own closing punctuation ("là.»") ends nothing; a full stop after its
        # closing mark ("». «…») ends the sentence.
        close = next((j for j in range(pos, min(pos + 3, para_end)) if text[j] in _CLOSE), None)
        first = pos + 2 if close is None else close + 1
        # No attribution runs on for more than a few lines: the bound keeps a paragraph of
        # thousands of quotes linear.
        para_end = min(para_end, first + _ATTRIBUTION_CHARS)
        for k in range(first, para_end):
            if text[k] in ".!?" and not (
                    text[k] == "." and _ABBREVIATION.search(text, max(0, k - 4), k)):
                return k
        return para_end

    def _inside(self, a: int, b: int, sent: int, last: _Said | None
                ) -> tuple[str, str | None] | None:
        """«In questi casi – conclude Noury – è molto difficile…», «Es una masacre —dijo un
        testigo—»: a reporting clause set off by dashes inside the quotation."""
        for m in _INSIDE.finditer(self.text, a, b):
            found = self._after(m.start("clause"), m.end("clause"), sent, last)
            if found is not None:
                return found
        return None

    def _after(self, b: int, end: int, sent: int, last: _Said | None
               ) -> tuple[str, str | None] | None:
        tail = self.text[b:end]
        for m in self.grammar.inverted.finditer(tail):
            verb = m.group("verb") or m.group("verb2")
            if not self._reporting(verb):
                continue
            if m.group("pron") or m.group("pron2"):
                return self._pronoun(sent, b, last, inverted=True)
            return self._noun_phrase(b + m.end(), end, sent, last)
        found = self._according_to(b, end, sent, last)
        if found is not None:
            return found
        head = re.match(r"^[\s»”\"“]*par\s", tail)
        if head and self._reporting_near(self.text[max(0, b - 80) : b]):
            return self._noun_phrase(b + head.end(), end, sent, last)
        return None

    def _according_to(self, start: int, end: int, sent: int, last: _Said | None
                      ) -> tuple[str, str | None] | None:
        """"selon X", "d'après X" between ``start`` and ``end``; "selon lui" is a pronoun."""
        low = fold(self.text[start:end])
        for according in self.lex.according_to:
            word = fold(according)
            k = low.find(word + " ")
            if k < 0 or (k > 0 and low[k - 1].isalnum()):
                continue
            # "pour" is too often no attribution at all; "Pour X, «…»", opening the clause
            # with the quote right after its comma, is one.
            if word == "pour" and (low[:k].strip(" ,") or not low.rstrip(" «“\"„").endswith(",")):
                continue
            after = low[k + len(word) + 1 :].split()
            if after and after[0].strip(",.") in self.lex.object_pronouns:
                return self._pronoun(sent, start + k, last)
            found = self._noun_phrase(start + k + len(word) + 1, end, sent, last)
            if found is not None:
                return found
        return None

    # -- before the quote --------------------------------------------------

    def _before(self, a: int, sent: int, last: _Said | None) -> tuple[str, str | None] | None:
        text, article = self.text, self.article
        first = sent
        # The sentence splitter may cut at the colon before a quote ("a déclaré: «…").
        while first > 0 and not text[article.sentences[first].start : a].strip(" «“\"„:\n"):
            first -= 1
        s_start = article.sentences[first].start if article.sentences else 0
        # The clause before this quote, after any earlier quote of the sentence (quotes
        # do not overlap, so their ends are in order: the last one before ``a``).
        start = s_start
        k = bisect_left(self.ends, a) - 1
        if k >= 0 and self.ends[k] >= s_start:
            start = self.ends[k] + 1
        head = text[start:a]
        found = self._according_to(start, a, sent, last)
        if found is not None:
            return found
        verbs = [m for m in _WORD.finditer(head) if self._reporting(m.group())]
        colon = re.search(r"(\S+?)\s*:\s*[«“\"„]?\s*$", head)
        if colon and not verbs:  # "Poutine : « … »", "La journaliste Rabha Attaf : «…»"
            stop = start + colon.end(1)
            named = [m for m in article.mentions
                     if start <= m.start and m.end == stop and m.label in ("PER", "ORG")
                     and not self._complement(m.start)]
            if named:
                return _named(named[-1])
            if (found := self._surname(colon.group(1), head[: colon.start(1)])) is not None:
                return found
            if (found := self._speech_noun(start, start + colon.start(), sent, last)) is not None:
                return found
        for m in self.grammar.inverted_before.finditer(head):
            if self._reporting(m.group("verb") or m.group("verb2")):
                return self._pronoun(sent, start + m.start(), last, inverted=True)
        for v in reversed(verbs):
            # ", a dit Dieudonné qui propose … «": the subject after its verb.
            if self.grammar.subject_after.search(head[: v.start()]):
                after = [m for m in article.mentions
                         if start + v.end() < m.start <= start + v.end() + 3 and m.label == "PER"]
                if after:
                    return _named(after[0])
        at = [v.start() for v in verbs]
        at += [m.start() for stem in self.lex.reporting_verbs if " " in stem
               for m in re.finditer(re.escape(stem), head, re.IGNORECASE)]
        if not at:
            return None
        verb_at = max(at)
        zone = head[:verb_at]
        near = [w.casefold() for w in _WORD.findall(zone)[-3:]]
        if any(w in self.lex.pronouns for w in near):
            return self._pronoun(sent, start + verb_at, last)
        if re.search(r"\b(?:et|and)\s*$", self._trim_aux(zone.rstrip())):
            # "… a qualifié de «mascarade» les évènements … et a appelé … à «…»": the
            # sentence's subject speaks again.
            if last is not None and last.sent == sent:
                return last.name, last.key
            return self._pronoun(sent, start + verb_at, last)
        # The subject is the closest phrase before the verb: "…, le président américain avait
        # menacé" names Biden even when another name came earlier in the sentence.
        cut = max(zone.rfind(","), zone.rfind(";"), zone.rfind(":"))
        clause_start = start + cut + 1
        in_clause = [m for m in article.mentions
                     if clause_start <= m.start and m.end <= start + verb_at
                     and m.label in ("PER", "ORG", "LOC") and not self._complement(m.start)]
        people = [m for m in in_clause if m.label == "PER"] or [
            m for m in in_clause if m.label == "ORG"] or in_clause
        if people:
            return _named(people[0])
        clause = self._trim_aux(zone[cut + 1 :].strip())
        words = clause.split()
        if 0 < len(words) <= 7 and self._opens_np(words[0]):
            return self._role_or_text(clause)
        subjects = [m for m in article.mentions
                    if start <= m.start and m.end <= start + verb_at
                    and m.label in ("PER", "ORG", "LOC") and not self._complement(m.start)]
        people = [m for m in subjects if m.label != "LOC"] or subjects
        return _named(people[-1]) if people else None

    def _alone(self, a: int, b: int) -> bool:
        """The quote is a sentence of its own: only marks between it and the text around."""
        text = self.text
        p_start, p_end = self._paragraph(a)
        before = text[p_start:a].rstrip(" «“\"„\u00a0\u202f")
        after = text[b:p_end].lstrip(" »”\"“\u00a0\u202f")
        return ((not before or before[-1] in ".!?…")
                and (not after or after[0] in ".!?…«“\"„"))

    def _paragraph(self, pos: int) -> tuple[int, int]:
        """(start, end) of the paragraph holding ``pos``; the whole text if none does."""
        for p in self.article.paragraphs:
            if p.start <= pos <= p.end:
                return p.start, p.end
        return 0, len(self.text)

    # -- noun phrases and roles --------------------------------------------

    def _noun_phrase(self, start: int, end: int, sent: int, last: _Said | None
                     ) -> tuple[str, str | None] | None:
        text, article = self.text, self.article
        # "a déclaré mercredi la porte-parole": the phrase starts at a determiner or a name.
        for _ in range(4):
            m = re.match(r"\s*([\w'’-]+)", text[start:end])
            if not m:
                return None
            word = m.group(1)
            if word[:1].isupper() or self._opens_np(word):
                break
            start += m.end()
        else:
            return None
        stop = self.grammar.np_stop.search(text, start + m.end(), end)
        # An initial's dot ("Gene A. Cretz", "M. Morsi") ends no phrase.
        while stop and text[stop.start()] == "." and _ABBREVIATION.search(
                text, max(0, stop.start() - 4), stop.start()):
            stop = self.grammar.np_stop.search(text, stop.end(), end)
        np_end = stop.start() if stop else end
        phrase = text[start:np_end].strip()
        if not phrase or len(phrase.split()) > 14:
            return None
        if fold(phrase.split()[0]) in ("ce", "cet", "cette", "ces", "this", "these"):
            # "cette source", "ce responsable": the one just quoted, before any name since.
            if last is not None and last.sent >= sent - 3:
                return last.name, last.key
            return self._pronoun(sent, start, last)
        inside = [m for m in article.mentions if start <= m.start and m.end <= np_end + 1]
        people = [m for m in inside if m.label == "PER"]
        if people:
            return _named(people[0])
        if self._is_role(phrase):
            # "le secrétaire à la Défense, Lloyd Austin": the name after the comma.
            limit = re.search(r"[.;:!?«»]", text[np_end : np_end + 90])
            stop_at = np_end + (limit.start() if limit else 90)
            for who in article.mentions:
                if (np_end <= who.start < stop_at and who.label == "PER"
                        and "," in text[np_end : who.start]):
                    return _named(who)
            return self._role_or_text(phrase)
        if inside:
            return _named(inside[0])
        return self._role_or_text(phrase)

    def _surname(self, word: str, before: str) -> tuple[str, str | None] | None:
        """"Kadhafi : «…»" where the model missed the name: the article's one person whose
        name ends with ``word``, when nothing but a few capitalised words come before it."""
        if not word[:1].isupper() or len(before.split()) > 2 or before.strip().islower():
            return None
        people = [m for m in self.article.mentions
                  if m.label == "PER" and m.key and fold(m.text.split()[-1]) == fold(word)]
        if not people:
            return None
        # Several people of that name: the one the article names most.
        key = Counter(m.key for m in people).most_common(1)[0][0]
        return _named(next(m for m in people if m.key == key))

    def _speech_noun(self, start: int, end: int, sent: int, last: _Said | None
                     ) -> tuple[str, str | None] | None:
        """"Le message du ministre italien … est clair : «…»": the speaker after the noun."""
        m = None if self.speech is None else self.speech.search(fold(self.text[start:end]))
        if m is None:
            return None
        phrase_start = start + m.end()
        stop = self.grammar.np_stop.search(self.text, phrase_start, end)
        stop_at = stop.start() if stop else end
        # "est clair", "a été": the phrase ends at its verb.
        verb = re.search(r"\s(?:est|était|sera|fut|is|was)\b", self.text[phrase_start:stop_at])
        np_end = phrase_start + verb.start() if verb else stop_at
        people = [x for x in self.article.mentions
                  if phrase_start <= x.start and x.end <= np_end and x.label == "PER"]
        if people:
            return _named(people[0])
        phrase = self.text[phrase_start:np_end]
        if not self._is_role(phrase):
            return None
        found = self._role_or_text(phrase)
        if found is not None and found[1] is None:
            # "Prononcée par Franco Frattini, … Le message du ministre …": a role the
            # article never tied to a name is the one person its paragraph named before.
            para_start = self._paragraph(phrase_start)[0]
            before = {m.key: m for m in self.article.mentions if m.label == "PER" and m.key
                      and para_start <= m.start < phrase_start}
            if len(before) == 1:
                return _named(next(iter(before.values())))
        return found

    def _opens_np(self, word: str) -> bool:
        low = fold(word)
        return low in self.openers or (low.split("'")[0] + "'") in self.openers

    def _is_role(self, phrase: str) -> bool:
        body = [w for w in fold(phrase).split() if w not in self.openers]
        if body and "'" in body[0] and body[0].split("'")[0] + "'" in self.openers:
            body[0] = body[0].split("'", 1)[1]  # "l'envoyé"
        return bool(body) and " ".join(body).startswith(self.heads)

    def _role_or_text(self, phrase: str) -> tuple[str, str | None] | None:
        phrase = " ".join(phrase.split())
        if not phrase or phrase.casefold() in self.lex.pronouns or self.fragment(phrase):
            return None
        if fold(phrase).split()[0] in folded(self.lex.lone_articles):
            return phrase, None  # "un porte-parole": someone new, not the one named before
        key = self.roles.get(self._role_key(phrase))
        if key is None and self._is_role(phrase):
            # "le président français": the one person the article calls "français" in a role.
            found = {self.roles.get(f"~{w}") for w in self._role_key(phrase).split()[1:]
                     if len(w) > 3}
            if len(found) == 1 and None not in found:
                key = found.pop()
            elif not found - {None}:
                key = self.roles.get(f"^{self._role_key(phrase).split()[0]}")
            if key is None:
                key = self._recent_person()  # "le diplomate": the one just named
        if key is None:
            seat = entity_key(phrase, "ORG")
            if seat and fold(" ".join(phrase.split()[-3:])) in seats(self.lex.code):
                return phrase, seat
            return phrase, None
        # The person the role stands for, by the fullest name the article gives them.
        names = [m.text for m in self.article.mentions if m.key == key]
        return (max(names, key=len) if names else phrase), key

    def _recent_person(self) -> str | None:
        """The person named last before the quote being attributed, within the sentences
        just before it: whom a definite role ("el diplomático") names when the article
        gave no one that role."""
        people = [m for m in self.article.mentions
                  if m.label == "PER" and m.key and len(m.key.split()) > 1 and m.end <= self.at
                  and not self._quoted(m.start) and not self._credit(m.start)]
        if not people:
            return None
        here = _sentence_of(self.article, self.at)
        return people[-1].key if people[-1].sentence >= here - _ROLE_REACH else None

    def fragment(self, phrase: str) -> bool:
        """"Così ha", "della manifestazione", "tirato in ballo da": a piece of a clause,
        which no speaker starts or ends with, never a name or a description."""
        raw = phrase.split()
        words = fold(phrase).split()
        lex = self.lex
        glue = {*lex.auxiliaries, *lex.adverbs, *lex.phrase_stops, *lex.count_of}
        # "Al Yazira", "El Baradei": a capitalised particle inside a name is no glue.
        named = len(raw) > 1 and raw[0][:1].isupper() and raw[1][:1].isupper()
        return (not words or (words[0] in glue and not named) or words[-1] in glue
                or words[-1] in self.openers)

    def _role_key(self, phrase: str) -> str:
        words = fold(phrase).split()
        while words and words[0] in self.openers:
            words = words[1:]
        return " ".join(words)

    def _learn_roles(self) -> dict[str, str]:
        """Role phrases the article gives its people: "président français" -> Macron's key.

        Learnt from appositions ("le président français Emmanuel Macron", "son
        homologue français Emmanuel Macron"); each modifier word is learnt too
        ("~français"), so "le président français" finds him from the second. A
        role or word given to two people is dropped, as ambiguous.
        """
        out: dict[str, str | None] = {}

        def learn(key: str, who: str) -> None:
            out[key] = who if out.get(key, who) == who else None

        text = self.text
        for m in self.article.mentions:
            if m.label != "PER" or not m.key or len(m.key.split()) < 2:
                continue
            head = text[max(0, m.start - 80) : m.start]
            head = re.split(r"[.;:!?«»\"“”()]", head)[-1]
            words = head.rstrip().rstrip(",").rstrip().split()
            sides = [[" ".join(words[-n:]) for n in range(min(6, len(words)), 0, -1)]]
            # After the name: "Murat Yetkin, le rédacteur en chef du quotidien, …".
            tail = re.match(r"\s*,\s*([^,.;:!?«»\"“”()\n]{3,80})", text[m.end : m.end + 100])
            if tail:
                after = tail.group(1).split()
                sides.append([" ".join(after[:n]) for n in range(min(6, len(after)), 0, -1)])
            for phrases in sides:
                role = next((p for p in phrases if self._is_role(p)), None)
                if role is None:
                    continue
                key = self._role_key(role)
                learn(key, m.key)
                learn(f"^{key.split()[0]}", m.key)  # the role noun alone: "le rédacteur"
                for w in key.split()[1:]:
                    if len(w) > 3:
                        learn(f"~{w}", m.key)
        return {k: v for k, v in out.items() if v}

    # -- pronouns and the people around ------------------------------------

    def _pronoun(self, sent: int, pos: int, last: _Said | None, inverted: bool = False
                 ) -> tuple[str, str | None] | None:
        """Who "il", "elle", "cette source" (or a quote standing alone) stands for at ``pos``.

        The subject named in the same sentence; else a person brought in as a
        sentence's first name since the last quote ("Houssam Dakir, un
        électricien …, est …"); else the last speaker; else the person named
        most often in the sentences before. An inverted pronoun ("«…», a-t-elle
        rappelé") looks back past its own sentence, whose names it does not take.
        """
        people = [m for m in self.article.mentions
                  if m.label == "PER" and m.end <= pos and not self._quoted(m.start)
                  and not self._complement(m.start)
                  and not self._credit(m.start)]
        own = [m for m in people if m.sentence == sent]
        if own and not inverted:
            return _named(own[0])
        since = [m for m in people if sent - 4 <= m.sentence and not (inverted and m.sentence == sent)
                 and (last is None or m.start >= last.end)]
        firsts: dict[int, Mention] = {}
        speaking: set[int] = set()
        for m in since:
            # A sentence's person is its first name, or the one a reporting verb introduces
            # ("entre Misrata et Benghazi, …, raconte Jérémy Haslam").
            before = self.text[max(0, m.start - 30):m.start]
            words = _WORD.findall(before)
            said = bool(words) and before.rstrip().endswith(words[-1]) and self._reporting(
                words[-1])
            if said and m.sentence not in speaking:
                firsts[m.sentence] = m
                speaking.add(m.sentence)
            else:
                firsts.setdefault(m.sentence, m)
        introduced = [m for m in firsts.values() if last is None or m.key != last.key]
        if introduced:
            return _named(introduced[-1])
        if last is not None and last.sent >= sent - 8:
            return last.name, last.key
        if since:
            counts = Counter(m.key for m in people)
            return _named(max(reversed(since), key=lambda m: counts[m.key]))
        return None

    def _credit(self, pos: int) -> bool:
        """Inside a bracketed credit ("[AFP/JEAN DUPONT]"), a name is no subject."""
        opened = self.text.rfind("[", max(0, pos - 40), pos)
        return opened >= 0 and "]" not in self.text[opened:pos]

    def _quoted(self, pos: int) -> bool:
        return any(a <= pos < b for a, b in self.spans)

    def _complement(self, start: int) -> bool:
        """A name after "à", "avec", "en"…, or an infinitive's object, is not who speaks."""
        # Within the phrase (an apposition after a comma starts afresh), the word before it
        # decides: "avec le maréchal Tantaoui" and "que le président X" are complements, "le
        # chef de la diplomatie russe Sergueï Lavrov" is a subject (its "de" is the role's).
        phrase = re.split(r"[,;:.()«»\"“”]", self.text[max(0, start - 80) : start])[-1]
        back: list[str] = []
        for raw in reversed(_WORD.findall(phrase)[-8:]):
            if raw.replace("’", "'").split("'")[-1][:1].isupper():
                break
            back.append(raw)
        role = next((i for i, w in enumerate(back) if fold(w).startswith(self.heads)), None)
        if role is not None:
            j = role + 1
            if j < len(back) and self._opens_np(back[j]):
                j += 1
            return j < len(back) and self._complement_word(back[j])
        for i, raw in enumerate(back):
            if self._complement_word(raw):
                return True
            word = raw.casefold()
            if i == 0 and word.endswith(("er", "ir")) and len(word) > 4:
                return True  # "rencontrer Vladimir Poutine": an infinitive's object
        return False

    def _complement_word(self, raw: str) -> bool:
        word = raw.casefold().replace("’", "'")
        return word in self.complements or (
            "'" in word and word.split("'")[0] + "'" in self.complements)

    def _trim_aux(self, clause: str) -> str:
        return self.grammar.trailing_aux.sub("", clause).strip()

    def _reporting(self, word: str) -> bool:
        w = word.casefold().replace("’", "'")
        return w in self.lex.reporting_words or any(
            w.startswith(stem) for stem in self.lex.reporting_verbs)

    def _reporting_near(self, text: str) -> bool:
        return any(self._reporting(w) for w in _WORD.findall(text)[-5:])


def _named(m: Mention) -> tuple[str, str | None]:
    return m.text, m.key
