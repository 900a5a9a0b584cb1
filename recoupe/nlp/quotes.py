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
from typing import ClassVar

from ..config import Config
from ..lang import WhoLexicon, who_lexicon
from ..model import Article, Mention, QuoteMention
from ..pipeline import register_stage
from .canonical import entity_key, fold, seats

_OPEN = {"«": "»", "“": "”", "„": "“", '"': '"'}
_CLOSE = {"»", "”", "“", '"'}
_WORD = re.compile(r"[\w'’-]+")
# Where a speaker's noun phrase after the verb stops.
_NP_STOP = re.compile(
    r"[,.;:!?(«»“”\"\n]|\s(?:à|au|aux|dans|devant|lors|en|sur|pour|après|avant|mardi|lundi|"
    r"mercredi|jeudi|vendredi|samedi|dimanche|hier|ce|cette|le\s+\d|qui|que|to|in|on|at|"
    r"after|before|during)\s", re.IGNORECASE)
_AUX = r"(?:a|ont|avait|avaient|aurait|auraient|a\s+également|a\s+aussi|a\s+encore|has|had|have)"
# Role nouns a speaker may be named by.
_ROLE_HEADS = ("président", "présidente", "chancelier", "chancelière", "ministre",
               "porte-parole", "secrétaire", "dirigeant", "dirigeante", "chef", "homologue",
               "premier ministre", "conseiller", "conseillère", "responsable", "diplomate",
               "ambassadeur", "ambassadrice", "directeur", "directrice", "commandant",
               "general", "général", "president", "spokesman", "spokeswoman", "minister",
               "secretary", "leader", "chancellor", "prime minister", "envoy")


@register_stage("quotes")
class QuotesStage:
    name: ClassVar[str] = "quotes"
    requires: ClassVar[frozenset[str]] = frozenset({"sentences", "mentions"})
    assigns: ClassVar[frozenset[str]] = frozenset({"quotes"})

    def __init__(self, config: Config) -> None:
        pass

    def __call__(self, articles: list[Article]) -> list[Article]:
        for article in articles:
            article.quotes = find_quotes(article)
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
            if b > a and (j is not None or c == "«"):
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
    para_start = text.rfind("\n", 0, i) + 1
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


def find_quotes(article: Article) -> list[QuoteMention]:
    lex = who_lexicon(article.language)
    text = article.text
    spans = [s for p in article.paragraphs for s in quote_spans(text, p.start, p.end)]
    if not spans:
        return []
    roles = _roles(article, lex)
    sentences = article.sentences
    out: list[QuoteMention] = []
    last: tuple[int, str, str | None] | None = None  # sentence, speaker, key
    for a, b in spans:
        words = _WORD.findall(text[a:b])
        if not words:
            continue
        sent = _sentence_of(article, a)
        s_start = sentences[sent].start if sentences else 0
        # A sentence may end inside the quote; attribution may follow it.
        after_end = _sentence_end_after(article, b)
        speaker: tuple[str, str | None] | None = None
        if lex is not None:
            speaker = _after(article, lex, roles, b, after_end, last, sent)
            if speaker is None:
                speaker = _before(article, lex, roles, s_start, a, last, sent, spans)
        partial = len(words) <= 2 or (text[a].islower() and text[b - 1] not in ".!?…")
        if len(words) <= 3 and all(w[:1].isupper() for w in words):
            continue  # «Normandie», "Le Monde": a name in marks, not a quotation
        if speaker is None and last is not None and (
            last[0] == sent or (last[0] == sent - 1 and _opens_sentence(article, sent, a))
        ):
            # Another piece of the same sentence's quote, or the quote going on in the next.
            speaker = (last[1], last[2])
        name, key = speaker if speaker else (None, None)
        out.append(QuoteMention(a, b, " ".join(text[a:b].split()), name, key, partial, sent))
        if name:
            last = (sent, name, key)
    return out


def _opens_sentence(article: Article, sent: int, a: int) -> bool:
    start = article.sentences[sent].start if article.sentences else 0
    return not article.text[start:a].strip(" «“\"„")


def _sentence_of(article: Article, pos: int) -> int:
    for i, s in enumerate(article.sentences):
        if s.start <= pos < s.end:
            return i
        if s.start > pos:
            return max(i - 1, 0)
    return max(len(article.sentences) - 1, 0)


def _sentence_end_after(article: Article, pos: int) -> int:
    """Where the attribution after a quote may run: to the end of the next sentence at most."""
    text = article.text
    para_end = next((p.end for p in article.paragraphs if p.start <= pos <= p.end), len(text))
    stop = para_end
    for k in range(pos, para_end):
        if text[k] in ".!?" and k > pos + 1:
            stop = k
            break
    return stop


def _after(article: Article, lex: WhoLexicon, roles: dict[str, str], b: int, end: int,
           last: tuple[int, str, str | None] | None, sent: int) -> tuple[str, str | None] | None:
    text = article.text
    tail = text[b:end]
    low = fold(tail)
    for m in _INVERTED.finditer(tail):
        verb = m.group("verb") or m.group("verb2")
        if not _reporting(lex, verb):
            continue
        if m.group("pron") or m.group("pron2"):
            return _pronoun(article, last, sent, b)
        return _noun_phrase(article, lex, roles, b + m.end(), end, last, sent)
    for according in lex.according_to:
        k = low.find(fold(according) + " ")
        if k >= 0 and fold(according) != "pour" and (k == 0 or not low[k - 1].isalnum()):
            return _noun_phrase(article, lex, roles, b + k + len(according) + 1, end, last, sent)
    head = re.match(r"^[\s»”\"“]*par\s", tail)
    if head and _reporting_before(lex, text[max(0, b - 80) : b]):
        return _noun_phrase(article, lex, roles, b + head.end(), end, last, sent)
    return None


# ", a déclaré X", ", a-t-il ajouté", ", souligne X", ", comme l'a averti X", ", ajoute-t-il"
_INVERTED = re.compile(
    r"(?:^[\s»”\"“.]*|,\s*)(?:comme\s+(?:l['’]|le\s+)?)?"
    rf"(?:{_AUX}(?:-t)?-(?P<pron>il|elle|ils|elles|on)\s+(?P<verb>[\w'’]+)"
    rf"|(?:{_AUX}\s+)?(?P<verb2>[\w'’]+(?:\s+savoir|\s+valoir)?)(?:-t)?(?:-(?P<pron2>il|elle|ils|elles|on))?)",
    re.IGNORECASE)


def _reporting(lex: WhoLexicon, word: str) -> bool:
    w = word.casefold().replace("’", "'")
    return any(w.startswith(stem) for stem in lex.reporting_verbs)


def _reporting_before(lex: WhoLexicon, text: str) -> bool:
    words = [w.casefold() for w in _WORD.findall(text)][-5:]
    return any(_reporting(lex, w) for w in words)


def _before(article: Article, lex: WhoLexicon, roles: dict[str, str], s_start: int, a: int,
            last: tuple[int, str, str | None] | None, sent: int,
            spans: list[tuple[int, int]]) -> tuple[str, str | None] | None:
    text = article.text
    # The clause before this quote, after any earlier quote of the sentence.
    start = max([s_start] + [e + 1 for s, e in spans if s_start <= e < a])
    head = text[start:a]
    low = fold(head)
    for according in lex.according_to:
        k = low.find(fold(according) + " ")
        if k >= 0 and (k == 0 or not low[k - 1].isalnum()) and fold(according) != "pour":
            found = _noun_phrase(article, lex, roles, start + k + len(according) + 1, a, last,
                                 sent)
            if found:
                return found
    colon = re.search(r"([^\s:]+)\s*:\s*$", head)
    if colon:  # "Poutine : « … »"
        named = [m for m in article.mentions if start <= m.start and m.end == start + colon.end(1)]
        if named:
            return _named(named[-1])
    verbs = [m.start() for m in _WORD.finditer(head) if _reporting(lex, m.group())]
    verbs += [m.start() for stem in lex.reporting_verbs if " " in stem
              for m in re.finditer(re.escape(stem), head, re.IGNORECASE)]
    if not verbs:
        return None
    verb_at = max(verbs)
    subject_zone = head[:verb_at]
    near = [w.casefold() for w in _WORD.findall(subject_zone)[-4:]]
    pron = next((w for w in reversed(near) if w in lex.pronouns), None)
    subjects = [m for m in article.mentions
                if start <= m.start and m.end <= start + verb_at
                and m.label in ("PER", "ORG", "LOC") and not _object(text, m.start)]
    if pron is not None and not (subjects and subjects[-1].end > start + verb_at - 25):
        return _pronoun(article, last, sent, start + verb_at)
    people = [m for m in subjects if m.label != "LOC"] or subjects
    if people:
        return _named(people[-1])
    clause = _trim_aux(re.split(r"[,;:]", subject_zone)[-1].strip())
    words = clause.split()
    if 0 < len(words) <= 7 and fold(words[0]).split("'")[0] + ("'" if "'" in fold(
            words[0]) else "") in _DETERMINERS:
        return _role_or_text(lex, roles, clause)
    return None


_DETERMINERS = frozenset({"le", "la", "les", "l'", "un", "une", "des", "son", "sa", "ses",
                          "leur", "leurs", "ce", "cet", "cette", "the", "a", "an", "his", "her",
                          "its", "their"})
# Words after which a name is an object, not who speaks.
_OBJECT_BEFORE = frozenset({"à", "au", "aux", "avec", "de", "du", "des", "pour", "par",
                            "contre", "sur", "entre", "vers", "chez", "to", "with", "of", "for",
                            "by", "against", "about"})


def _object(text: str, start: int) -> bool:
    before = _WORD.findall(text[max(0, start - 30) : start])
    if not before:
        return False
    word = before[-1].casefold()
    if word in _OBJECT_BEFORE:
        return True
    # "rencontrer Vladimir Poutine": an infinitive's object
    return word.endswith(("er", "ir")) and before[-1][:1].islower() and len(word) > 4


def _trim_aux(clause: str) -> str:
    return re.sub(rf"\s+{_AUX}(\s+\w+ment)?$", "", clause, flags=re.IGNORECASE).strip()


def _noun_phrase(article: Article, lex: WhoLexicon, roles: dict[str, str], start: int,
                 end: int, last: tuple[int, str, str | None] | None, sent: int
                 ) -> tuple[str, str | None] | None:
    text = article.text
    # "a déclaré mercredi la porte-parole": the phrase starts at a determiner or a name.
    for _ in range(4):
        m = re.match(r"\s*([\w'’-]+)", text[start:end])
        if not m:
            return None
        word = m.group(1)
        lowered = fold(word)
        if (word[:1].isupper() or lowered in _DETERMINERS or lowered.split("'")[0] + "'"
                in _DETERMINERS):
            break
        start += m.end()
    else:
        return None
    stop = _NP_STOP.search(text, start, end)
    np_end = stop.start() if stop else end
    phrase = text[start:np_end].strip()
    if not phrase or len(phrase.split()) > 10:
        return None
    if fold(phrase.split()[0]) in ("ce", "cet", "cette", "ces"):
        return _pronoun(article, last, sent, start)  # "cette source": the one just quoted
    inside = [m for m in article.mentions if start <= m.start and m.end <= np_end + 1]
    people = [m for m in inside if m.label == "PER"]
    if people:
        return _named(people[0])
    if _is_role(phrase):
        # "le secrétaire à la Défense, Lloyd Austin": the name after the comma.
        limit = re.search(r"[.;:!?«»]", text[np_end : np_end + 90])
        stop_at = np_end + (limit.start() if limit else 90)
        for who in article.mentions:
            if (np_end <= who.start < stop_at and who.label == "PER"
                    and "," in text[np_end : who.start]):
                return _named(who)
        role = _role_or_text(lex, roles, phrase)
        return role
    if inside:
        return _named(inside[0])
    return _role_or_text(lex, roles, phrase)


def _named(m: Mention) -> tuple[str, str | None]:
    return m.text, m.key


def _is_role(phrase: str) -> bool:
    words = fold(phrase).split()
    body = [w for w in words if w not in ("le", "la", "les", "l'", "son", "sa", "leur", "un",
                                          "une", "the", "a", "its", "his", "her")]
    return bool(body) and any(" ".join(body).startswith(fold(r)) for r in _ROLE_HEADS)


def _role_or_text(lex: WhoLexicon, roles: dict[str, str], phrase: str
                  ) -> tuple[str, str | None] | None:
    phrase = " ".join(phrase.split())
    if not phrase or phrase.casefold() in lex.pronouns:
        return None
    key = roles.get(_role_key(phrase))
    if key is None and _is_role(phrase):
        # "le président français": the one person the article calls "français" in a role.
        found = {roles.get(f"~{w}") for w in _role_key(phrase).split()[1:] if len(w) > 3}
        if len(found) == 1 and None not in found:
            key = found.pop()
    if key is None:
        seat = entity_key(phrase, "ORG")
        if seat and fold(" ".join(phrase.split()[-3:])) in seats(lex.code):
            return phrase, seat
    return phrase, key


def _role_key(phrase: str) -> str:
    words = fold(phrase).split()
    while words and words[0] in _DETERMINERS:
        words = words[1:]
    return " ".join(words)


def _roles(article: Article, lex: WhoLexicon | None) -> dict[str, str]:
    """Role phrases the article gives its people: "président français" -> Macron's key.

    Learnt from appositions ("le président français Emmanuel Macron", "son
    homologue français Emmanuel Macron"); each modifier word is learnt too
    ("~français"), so "le président français" finds him from the second. A
    role or word given to two people is dropped, as ambiguous.
    """
    out: dict[str, str | None] = {}

    def learn(key: str, who: str) -> None:
        out[key] = who if out.get(key, who) == who else None

    text = article.text
    for m in article.mentions:
        if m.label != "PER" or not m.key or len(m.key.split()) < 2:
            continue
        head = text[max(0, m.start - 80) : m.start]
        head = re.split(r"[.;:!?«»\"“”()]", head)[-1]
        words = head.rstrip().rstrip(",").rstrip().split()
        for n in range(min(6, len(words)), 0, -1):
            phrase = " ".join(words[-n:])
            if _is_role(phrase):
                key = _role_key(phrase)
                learn(key, m.key)
                for w in key.split()[1:]:
                    if len(w) > 3:
                        learn(f"~{w}", m.key)
                break
    return {k: v for k, v in out.items() if v}


def _pronoun(article: Article, last: tuple[int, str, str | None] | None, sent: int,
             pos: int) -> tuple[str, str | None] | None:
    own = [m for m in article.mentions if m.label == "PER" and m.sentence == sent and m.end <= pos
           and not _object(article.text, m.start)]
    if own:
        return _named(own[0])  # "Poutine a eu un entretien …, auquel il a reproché …"
    if last is not None and sent - last[0] <= 2:
        return last[1], last[2]
    people = [m for m in article.mentions if m.label == "PER" and m.end <= pos
              and m.sentence >= sent - 2]
    if people:
        return _named(people[-1])
    return None
