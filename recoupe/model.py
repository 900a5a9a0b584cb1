"""The one data model every stage takes and returns.

Plain dataclasses: cheap to build and to pickle between worker processes.
``to_dict``/``from_dict`` are the only (de)serialisation path, shared by the
store and the JSON report, so the two can never drift apart.
"""

from __future__ import annotations

import calendar
import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import TypeAdapter

Granularity = Literal["day", "month", "year"]
EntityType = Literal["PER", "ORG", "LOC", "MISC"]

T = TypeVar("T")


@dataclass(slots=True)
class Passage:
    """A span of an article's clean text (a paragraph, a sentence, a copied passage)."""

    start: int
    end: int
    paragraph: int = 0


@dataclass(slots=True)
class Mention:
    """A named-entity mention in an article's clean text."""

    start: int
    end: int
    text: str
    label: EntityType
    sentence: int = 0
    # Who it names, the same in every article and language ("PER:vladimir putin");
    # the store maps keys to entity ids.
    key: str | None = None


@dataclass(slots=True)
class QuoteMention:
    """A direct quotation in one article, with who the article says said it."""

    start: int  # of the quoted words, inside the marks
    end: int
    text: str
    speaker: str | None  # as the article names them, resolved past pronouns and roles
    speaker_key: str | None  # the speaker's entity key
    partial: bool  # a fragment woven into the writer's sentence (one or two words, or lower case)
    sentence: int = 0


@dataclass(slots=True)
class FigureMention:
    """A number in one article, with what it counts."""

    start: int
    end: int
    text: str
    value: float  # the value given: a bound, or the middle of a vague amount
    low: float
    high: float | None  # None: no upper bound ("plus de 100 000")
    what: str  # the counted noun, folded ("soldats"); "%" or a currency for those
    unit: str | None  # "%", "USD", or None for a count
    sentence: int = 0
    # Figures of one sentence that add up ("2 000 ... tandis que 1 000 autres") share this.
    parts_of: int | None = None
    context: list[str] = field(default_factory=list)  # the sentence's content words, cut
    # The day its sentence names, as the time stage resolved it ("samedi" -> 2011-03-26).
    day: str | None = None


@dataclass(slots=True)
class EventMention:
    """A who-did-what-to-whom frame of one sentence."""

    type: str  # call, meet, visit, announce, deploy, warn, accuse, sanction, vote, attack
    participants: list[str]  # entity keys, in order of appearance
    date: str | None
    text: str  # the sentence
    sentence: int = 0


@dataclass(slots=True)
class RemovedLine:
    """A line taken out of an article, kept for audit with the rule that took it."""

    text: str
    reason: str


@dataclass(slots=True)
class Fingerprint:
    """What the reuse index needs of an article's text, computed in the workers."""

    text_hash: str  # of the normalised words: equal for texts that differ only in form
    minhash: bytes  # MinHash signature of word shingles, for near-duplicate candidates
    winnow: list[int]  # winnowed word k-gram hashes, for copied-passage candidates
    tokens: int  # words in the clean text


@dataclass(slots=True)
class PublishedDate:
    date: str | None = None  # YYYY-MM-DD; first day of the month/year for coarser granularity
    granularity: Granularity | None = None
    basis: str | None = None  # input|metadata|dateline|content|story|crawl


@dataclass(slots=True)
class Article:
    id: str
    raw_text: str
    path: str | None = None
    url: str | None = None
    source: str | None = None
    external_id: str | None = None
    input_format: str = "text"
    html: str | None = None
    title: str | None = None
    language: str | None = None
    language_score: float | None = None
    published: PublishedDate = field(default_factory=PublishedDate)
    text: str = ""
    removed: list[RemovedLine] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    paragraphs: list[Passage] = field(default_factory=list)
    sentences: list[Passage] = field(default_factory=list)
    # Sentences (indices into ``sentences``) with no verb by the language's own tagger:
    # captions, headings, lists of links. Summaries and timelines never quote them.
    verbless: list[int] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    quotes: list[QuoteMention] = field(default_factory=list)
    figures: list[FigureMention] = field(default_factory=list)
    events: list[EventMention] = field(default_factory=list)
    # Content-word and entity counts: the article's bag of words for grouping.
    terms: dict[str, int] = field(default_factory=dict)
    # Passages the article repeats of itself: (first, repeat) pairs of spans.
    repeats: list[tuple[Passage, Passage]] = field(default_factory=list)
    repeats_itself: bool = False
    # Filled from the reuse links when reporting (they change as articles arrive).
    duplicate_of: str | None = None
    original_share: float | None = None
    took_from: list[Borrowing] = field(default_factory=list)
    fingerprint: Fingerprint | None = None  # between the worker and the reuse index
    # Temporal expressions of the clean text, resolved against the publication date.
    times: list[TimeExpression] = field(default_factory=list)
    # Per sentence, the days of the happenings it reports (its day-level dates, in order).
    sentence_dates: list[list[str]] = field(default_factory=list)
    # The day of the main happening the article reports (its lead's date), if known.
    event_date: str | None = None
    # Sentence vectors for story grouping; the store keeps them apart from the payload.
    embedding: Embedding | None = None
    # Normalised lines the store has learnt are boilerplate for this article's
    # source; set before cleaning, never persisted.
    learned_boilerplate: frozenset[str] = field(default_factory=frozenset)
    # spaCy Docs of the paragraphs, between the sentences and entities stages
    # of one worker; dropped before the article leaves it.
    nlp_docs: list[Any] = field(default_factory=list)

    def sentence_texts(self) -> list[str]:
        return [self.text[s.start : s.end] for s in self.sentences]


@dataclass(slots=True)
class Embedding:
    """Where an article sits in a multilingual meaning space.

    ``sentences`` holds unit vectors for the title and the first sentences,
    the lead first; ``doc`` is their normalised mean, the key of the nearest
    neighbour index. Arrays are numpy ``float32``.
    """

    doc: Any
    sentences: Any
    lead: int


@dataclass(slots=True)
class Borrowing:
    """Text an article took from an earlier one."""

    article: str
    chars: int
    share: float  # of the borrowing article's text


@dataclass(slots=True)
class CopiedPassage:
    """One aligned span pair: ``from_span`` in the origin, ``to_span`` in the copy."""

    from_span: tuple[int, int]
    to_span: tuple[int, int]
    text: str  # as the copy has it
    similarity: float


@dataclass(slots=True)
class ReuseLink:
    """Text shared by two articles; ``from`` published first unless direction is unknown."""

    _json_names: ClassVar[dict[str, str]] = {"from_article": "from", "to_article": "to"}

    kind: Literal["duplicate", "near-duplicate", "copied-passages"]
    from_article: str
    to_article: str
    similarity: float
    direction: Literal["forward", "unknown"]
    passages: list[CopiedPassage] = field(default_factory=list)
    reason: str = ""  # what made it a duplicate: same text, same URL, aligned text


@dataclass(slots=True)
class ReusePair:
    """Text shared by articles ``a`` < ``b`` as the store keeps it: undirected, spans in characters."""

    a: str
    b: str
    kind: Literal["duplicate", "near-duplicate", "copied-passages"]
    similarity: float
    reason: str
    spans: list[tuple[int, int, int, int, float]]  # a_start, a_end, b_start, b_end, similarity


@dataclass(slots=True)
class SharedPassage:
    article: str
    span: tuple[int, int]


@dataclass(slots=True)
class SharedSource:
    """A passage found in three or more articles: reported once, not as a web of copies."""

    articles: list[str]
    text: str
    passages: list[SharedPassage]
    kind: Literal["shared-source"] = "shared-source"


@dataclass(slots=True)
class Entity:
    id: str
    name: str
    type: EntityType
    aliases: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # the canonical keys that name it
    former_ids: list[str] = field(default_factory=list)  # ids it had before a merge


@dataclass(slots=True)
class TimeExpression:
    start: int
    end: int
    text: str
    type: Literal["DATE", "TIME", "DURATION", "SET"]
    value: str
    mod: str | None = None


@dataclass(slots=True)
class Quote:
    text: str
    speaker: str | None
    speaker_entity: str | None
    articles: list[str]
    partial: bool = False
    first_article: str | None = None  # the earliest-published article that carries it
    speaker_article: str | None = None  # where the speaker's name was taken from


@dataclass(slots=True)
class FigureValue:
    value: float
    text: str
    article: str
    low: float | None = None
    high: float | None = None


@dataclass(slots=True)
class Figure:
    what: str
    unit: str | None
    values: list[FigureValue]
    agreement: Literal["agree", "approximate", "disagree"]
    reason: str = ""  # why that verdict, in words
    # How many of the values were written apart: values in text one article copied from
    # another (the story's reuse links) count once. One: the sources only repeat each other.
    independent: int = 0


@dataclass(slots=True)
class Event:
    type: str
    participants: list[str]
    date: str | None
    text: str
    articles: list[str]


@dataclass(slots=True)
class Citation:
    """Where a cited article says it: character offsets into its clean text."""

    article: str
    start: int
    end: int


@dataclass(slots=True)
class CitedSentence:
    """A sentence of a summary, with every article that carries it or a close paraphrase."""

    text: str
    articles: list[str]
    passages: list[Citation] = field(default_factory=list)


@dataclass(slots=True)
class TimelineEntry:
    """One sentence of a timeline: what happened on ``date``, and who reports it."""

    date: str
    text: str
    articles: list[str]
    passages: list[Citation] = field(default_factory=list)


@dataclass(slots=True)
class SourceAddition:
    """What one article of a story tells that none of the others does."""

    article: str
    sentences: list[CitedSentence]


@dataclass(slots=True)
class Story:
    id: str
    articles: list[str]
    headline: str = ""
    date: str | None = None
    languages: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    # Independent sources: members that share a source, or a reuse link (a duplicate, a
    # near-duplicate, copied passages), count once.
    coverage: int = 0
    storyline: str | None = None
    date_granularity: Granularity | None = None
    reuse: list[ReuseLink | SharedSource] = field(default_factory=list)
    # Ids the story had before (its earliest article changed, or it absorbed a story).
    aliases: list[str] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    summary: list[CitedSentence] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    adds: list[SourceAddition] = field(default_factory=list)


@dataclass(slots=True)
class Storyline:
    id: str
    title: str
    stories: list[str]  # in date order
    start: str | None = None  # date of its first story
    end: str | None = None  # ... and of its last
    timeline: list[TimelineEntry] = field(default_factory=list)


@dataclass(slots=True)
class Rejection:
    """An input that could not be accepted, and why (path names the input)."""

    path: str
    reason: str


@dataclass(slots=True)
class Notice:
    """Something about an accepted input its user should know (fields nothing reads)."""

    path: str
    message: str


_NOT_SERIALISED = {
    "raw_text", "html", "learned_boilerplate", "nlp_docs", "fingerprint", "embedding"
}
# Derived from the reuse links at report time; stale the moment an article arrives.
_REPORT_TIME = {"duplicate_of", "original_share", "took_from"}


def date_span(day: str | None, granularity: str | None) -> tuple[str, str] | None:
    """The first and last day a publication date covers (a month-dated article: the month)."""
    if not day:
        return None
    start = date.fromisoformat(day)
    if granularity == "month":
        last = calendar.monthrange(start.year, start.month)[1]
        return day, start.replace(day=last).isoformat()
    if granularity == "year":
        return day, start.replace(month=12, day=31).isoformat()
    return day, day


def own_date(published: PublishedDate) -> PublishedDate | None:
    """The date an article gives of itself: none when its story lent it, and for one its
    story refined (basis ``refined``), the month the article gave."""
    if not published.date or published.basis == "story":
        return None
    if published.basis == "refined":
        return PublishedDate(published.date[:7] + "-01", "month", "refined")
    return published


def is_day(value: str) -> bool:
    """Whether ``value`` is a day as the model writes them: YYYY-MM-DD."""
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def to_dict(obj: Any, *, drop: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    names: dict[str, str] = getattr(obj, "_json_names", {})
    for f in dataclasses.fields(obj):
        if f.name in drop:
            continue
        value = getattr(obj, f.name)
        out[names.get(f.name, f.name)] = _plain(value)
    return out


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_dict(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


def _adapter(cls: type[Any]) -> TypeAdapter[Any]:
    if cls not in _ADAPTERS:
        _ADAPTERS[cls] = TypeAdapter(cls)
    return _ADAPTERS[cls]


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild (and validate) a model object from what ``to_dict`` produced."""
    result: T = _adapter(cls).validate_python(data)
    return result


def article_payload(article: Article) -> str:
    """The JSON the store keeps for an article's analysed fields."""
    return json.dumps(to_dict(article, drop=_NOT_SERIALISED | _REPORT_TIME), ensure_ascii=False)


@dataclass(slots=True)
class RunStats:
    """What one ``analyze`` call did."""

    read: int = 0  # articles read from the inputs
    added: int = 0
    unchanged: int = 0  # already in the store
    rejected: int = 0
    recleaned: int = 0  # stored articles cleaned again with newly learnt boilerplate
    stories_touched: int = 0
    seconds: float = 0.0


_REPORT_ARTICLE_DROP = _NOT_SERIALISED | {"terms", "removed", "repeats", "verbless"}


@dataclass(slots=True)
class Report:
    """The state of the store after a run, with what that run rejected."""

    articles: list[Article] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)
    storylines: list[Storyline] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    run: RunStats = field(default_factory=RunStats)

    def to_dict(self) -> dict[str, Any]:
        articles = []
        for a in self.articles:
            d = to_dict(a, drop=_REPORT_ARTICLE_DROP)
            d["removed"] = [r.text for r in a.removed]
            d["removed_reasons"] = [to_dict(r) for r in a.removed]
            d["repeated"] = [
                {"first": [f.start, f.end], "again": [r.start, r.end],
                 "text": a.text[r.start : r.end]}
                for f, r in a.repeats
            ]
            articles.append(d)
        return {
            "articles": articles,
            "rejected": [to_dict(r) for r in self.rejected],
            "notices": [to_dict(n) for n in self.notices],
            "stories": [to_dict(s) for s in self.stories],
            "storylines": [to_dict(s) for s in self.storylines],
            "entities": [to_dict(e) for e in self.entities],
            "run": to_dict(self.run),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

