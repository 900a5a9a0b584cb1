"""Cross-checking a story's sources: one entity list, shared quotes, compared figures, events.

Entities: the articles' mention keys, with a lone surname ("PER:kirby") joined
to the one full name of the store that ends with it ("PER:john kirby"); kept
in the store and counted again, after each run, only where new articles name
a key or its surname.
Quotes: the same words in several articles are one quote (compared folded,
one containing the other), with every article and the earliest. Figures: of
the same thing counted (the same noun, currency or "%"), figures of different
articles are the same quantity when their sentences share enough content
words, or share some and their values fit together; an article's parts of
one total ("2 000 ... 1 000 autres") count as their sum. Verdict: agree (one
value), approximate (a range or vague amount that holds every other value),
disagree. Events: one per type and set of parties.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations

from ..model import (
    Article,
    Entity,
    Event,
    Figure,
    FigureMention,
    FigureValue,
    Quote,
    ReuseLink,
    SharedSource,
    Story,
)
from ..nlp.canonical import fold, initials, surname
from ..store.base import NameRow, Store

_SAME_CONTEXT = 0.4  # overlap of content words: the same quantity whatever the values
_FITTING_CONTEXT = 0.1  # ... or this much, when the values fit together
_OPEN_BOUND = 2.0  # "plus de N" reads as below 2N when set against another figure
_TOLERANCE = 0.01  # relative: 3 000 and 3.000 are one value, 2 990 and 3 000 too


def entity_id(key: str) -> str:
    return "e" + hashlib.blake2b(key.encode(), digest_size=6).hexdigest()


def key_map(keys: Iterable[str], counts: Mapping[str, int] | None = None) -> dict[str, str]:
    """Each key onto its canonical one. One name under several types takes the type most
    of its mentions have ("Bachar al-Assad" tagged LOC once is the PER); an acronym joins
    the only longer name with its initials ("OSDH", "Observatoire syrien des droits de
    l'homme"); a lone surname joins the only full name ending with it, or the one named far
    more often than the others."""
    keys = set(keys)
    counts = counts or {}
    order = {t: i for i, t in enumerate(("PER", "ORG", "LOC", "MISC"))}
    by_words: dict[str, list[str]] = defaultdict(list)
    for k in keys:
        by_words[k.partition(":")[2]].append(k)
    typed = {}
    for same in by_words.values():
        best = max(same, key=lambda k: (counts.get(k, 0), -order.get(k.partition(":")[0], 9)))
        typed.update({k: best for k in same})
    chosen = set(typed.values())
    full: dict[str, set[str]] = defaultdict(set)
    spelled: dict[str, set[str]] = defaultdict(set)
    for k in chosen:
        label, _, words = k.partition(":")
        if last := surname(k):
            full[last].add(k)
        if label != "PER" and len(words.split()) > 1 and len(letters := initials(words)) >= 3:
            spelled[letters].add(k)
    out = {}
    for k, target_key in typed.items():
        label, _, words = target_key.partition(":")
        target: set[str] = set()
        if label == "PER" and " " not in words:
            target = _dominant(full.get(words, set()), counts)
        elif label != "PER" and " " not in words and len(words) >= 3:
            target = spelled.get(words, set())
        out[k] = next(iter(target)) if len(target) == 1 else target_key
    return out


_DOMINANT = 5  # times the mentions of the next full name, for a lone surname to join one


def _dominant(names: set[str], counts: Mapping[str, int]) -> set[str]:
    """The full name a lone surname stands for: the only one, or one named far more often
    than any other ("Assad" is Bashar al-Assad, not his father Hafez, named once)."""
    if len(names) < 2:
        return names
    ranked = sorted(names, key=lambda k: (-counts.get(k, 0), k))
    first, second = counts.get(ranked[0], 0), counts.get(ranked[1], 0)
    return {ranked[0]} if second and first >= _DOMINANT * second else set()


def refresh_entities(store: Store) -> int:
    """Count again the entities the articles stored since the last count may change."""
    rows = store.stale_names()
    entities, canon = build_entities(rows)
    store.save_entities(entities, canon)
    return len(entities)


def build_entities(rows: Sequence[NameRow]) -> tuple[list[Entity], dict[str, str]]:
    """Entities of ``rows`` (in article order), and each of their keys' canonical key."""
    mentions: Counter[str] = Counter()
    for r in rows:
        mentions[r.key] += r.n
    canon = key_map(mentions, mentions)
    names: dict[str, Counter[str]] = defaultdict(Counter)
    where: dict[str, list[str]] = defaultdict(list)
    keys: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        key = canon[r.key]
        names[key][r.name] += r.n
        keys[key].add(r.key)
        if not where[key] or where[key][-1] != r.article_id:
            where[key].append(r.article_id)
    out = []
    for key, surface in names.items():
        # The fullest of the common forms: "Emmanuel Macron" over "Macron".
        name = max(surface, key=lambda s: (len(s.split()) > 1, surface[s], len(s), s))
        label = key.partition(":")[0]
        out.append(Entity(
            id=entity_id(key), name=name, type=label,  # type: ignore[arg-type]
            aliases=sorted(set(surface) - {name}), articles=where[key], keys=sorted(keys[key]),
            former_ids=sorted(entity_id(k) for k in keys[key] if k != key),
        ))
    out.sort(key=lambda e: (-len(e.articles), e.name))
    return out, canon


def attach(stories: Sequence[Story], by_id: dict[str, Article], canon: dict[str, str],
           names: dict[str, str]) -> None:
    for story in stories:
        members = [by_id[i] for i in story.articles if i in by_id]
        members.sort(key=lambda a: (a.published.date or "9999", a.id))
        story.quotes = _quotes(members, canon, names)
        story.figures = _figures(members, _copied_spans(story.reuse))
        story.events = _events(members, canon, story.date)


def _quotes(members: list[Article], canon: dict[str, str], names: dict[str, str]) -> list[Quote]:
    out: list[tuple[str, Quote]] = []
    for article in members:
        for q in article.quotes:
            norm = " ".join(fold(q.text).replace("'", " ").split())
            key = canon.get(q.speaker_key or "", q.speaker_key)
            speaker = names.get(key or "", q.speaker)
            for seen, quote in out:
                if norm in seen or seen in norm:
                    if article.id not in quote.articles:
                        quote.articles.append(article.id)
                    if quote.speaker_entity is None and key:
                        quote.speaker, quote.speaker_entity = speaker, entity_id(key)
                        quote.speaker_article = article.id
                    if len(norm) > len(seen):
                        quote.text = q.text
                    break
            else:
                out.append((norm, Quote(
                    text=q.text, speaker=speaker, speaker_entity=entity_id(key) if key else None,
                    articles=[article.id], partial=q.partial, first_article=article.id,
                    speaker_article=article.id if speaker else None,
                )))
    return [q for _, q in out]


_Spans = dict[frozenset[str], list[tuple[str, tuple[int, int]]]]


def _copied_spans(links: Sequence[ReuseLink | SharedSource]) -> _Spans:
    """For each pair of articles sharing text, the spans of it in each (a duplicate: all)."""
    out: _Spans = defaultdict(list)
    whole = (0, 1 << 62)
    for link in links:
        if isinstance(link, SharedSource):
            for p, q in combinations(link.passages, 2):
                if p.article != q.article:
                    out[frozenset((p.article, q.article))] += [(p.article, p.span),
                                                               (q.article, q.span)]
            continue
        pair = frozenset((link.from_article, link.to_article))
        if not link.passages:  # a duplicate: the whole text is the other's
            out[pair] += [(link.from_article, whole), (link.to_article, whole)]
        for c in link.passages:
            out[pair] += [(link.from_article, c.from_span), (link.to_article, c.to_span)]
    return out


def _sources(values: list[tuple[Article, FigureMention]], copied: _Spans) -> int:
    """How many of the values were written apart: two values are one source when both sit
    in text their articles share."""
    group = list(range(len(values)))

    def root(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    def inside(article: Article, f: FigureMention, spans: list[tuple[str, tuple[int, int]]]
               ) -> bool:
        return any(a == article.id and s <= f.start and f.end <= e for a, (s, e) in spans)

    for (i, (a, f)), (j, (b, g)) in combinations(enumerate(values), 2):
        spans = copied.get(frozenset((a.id, b.id)), [])
        if spans and inside(a, f, spans) and inside(b, g, spans):
            group[root(i)] = root(j)
    return len({root(i) for i in range(len(values))})


def _figures(members: list[Article], copied: _Spans | None = None) -> list[Figure]:
    items: list[tuple[Article, FigureMention, float, float, float, str]] = []
    for article in members:
        for i, f in enumerate(article.figures):
            if f.parts_of is not None and f.parts_of != i:
                continue  # counted in its total
            inf = float("inf")
            value, low, high, text = f.value, f.low, f.high if f.high is not None else inf, f.text
            if f.parts_of == i:
                parts = [g for g in article.figures if g.parts_of == i]
                value = sum(g.value for g in parts)
                low = sum(g.low for g in parts)
                high = sum(g.high if g.high is not None else inf for g in parts)
                text = " + ".join(g.text for g in parts)
            items.append((article, f, value, low, high, text))
    groups: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    for n, (_, f, *_rest) in enumerate(items):
        if f.what:  # a figure of unknown kind is compared with nothing
            groups[(f.what, f.unit)].append(n)
    out: list[Figure] = []
    for (what, unit), idx in groups.items():
        pairs = []
        for x in idx:
            for y in idx:
                if x < y and items[x][0].id != items[y][0].id and _same_setting(
                        items[x][1], items[y][1]):
                    ctx = _overlap(items[x][1].context, items[y][1].context)
                    fits = _fit(items[x][2:5], items[y][2:5])
                    if ctx >= _SAME_CONTEXT or (ctx >= _FITTING_CONTEXT and fits):
                        pairs.append((ctx + (1 if fits else 0), x, y))
        cluster = {x: {x} for x in idx}
        for _, x, y in sorted(pairs, reverse=True):
            a, b = cluster[x], cluster[y]
            if a is b or {items[i][0].id for i in a} & {items[i][0].id for i in b}:
                continue  # one value per source and quantity
            a |= b
            for i in b:
                cluster[i] = a
        seen: set[int] = set()
        for x in idx:
            group = cluster[x]
            if id(group) in seen or len(group) < 2:
                continue
            seen.add(id(group))
            chosen = sorted(group)
            values = [FigureValue(value=items[i][2], text=items[i][5], article=items[i][0].id,
                                  low=items[i][3],
                                  high=None if items[i][4] == float("inf") else items[i][4])
                      for i in chosen]
            verdict, reason = _verdict(values)
            apart = _sources([(items[i][0], items[i][1]) for i in chosen], copied or {})
            if apart == 1:
                reason += " (in text the articles copied from one another: one source)"
            # The verdict names what it compared, so a reader can check it.
            reason += ": " + "; ".join(f"{v.text} ({v.article})" for v in values)
            out.append(Figure(what=what, unit=unit, values=values,
                              agreement=verdict,  # type: ignore[arg-type]
                              reason=reason, independent=apart))
    return out


def _same_setting(a: FigureMention, b: FigureMention) -> bool:
    """Counts of two different days are different quantities, never compared."""
    return not (a.day and b.day and a.day != b.day)


def _overlap(a: list[str], b: list[str]) -> float:
    if not a or not b:
        return 0.0
    return len(set(a) & set(b)) / min(len(set(a)), len(set(b)))


def _fit(a: tuple[float, float, float], b: tuple[float, float, float]) -> bool:
    return _same(a[0], b[0]) or (a[1] <= b[0] <= _open(a[1], a[2])) or (
        b[1] <= a[0] <= _open(b[1], b[2]))


def _open(low: float, high: float) -> float:
    """The top of an open bound as comparisons read it: "plus de 100" is no "plus de 1 000",
    and a writer who knew of 5 000 would not have written "plus de 27"."""
    return high if high != float("inf") or not low else low * _OPEN_BOUND


def _same(x: float, y: float) -> bool:
    return abs(x - y) <= _TOLERANCE * max(abs(x), abs(y), 1.0)


def _verdict(values: list[FigureValue]) -> tuple[str, str]:
    exact = [v for v in values if v.low == v.high]
    if len(exact) == len(values) and all(_same(v.value, exact[0].value) for v in exact):
        parts = any(" + " in v.text for v in values)
        return "agree", "the parts one source gives add up to the others' figure" if parts else (
            "every source gives the same value")
    if exact and all(_same(v.value, exact[0].value) for v in exact):
        wide = [v for v in values if v.low != v.high]
        if all((v.low or 0) <= exact[0].value <= _top(v) for v in wide):
            return "approximate", "the vague or bounded amounts hold the exact value given"
    if not exact:
        lo = max(v.low or 0 for v in values)
        hi = min(_top(v) for v in values)
        if lo <= hi:
            return "approximate", "the ranges overlap"
    return "disagree", "the values do not fit together"


def _top(v: FigureValue) -> float:
    return _open(v.low or 0, float("inf") if v.high is None else v.high)


def _events(members: list[Article], canon: dict[str, str], story_date: str | None
            ) -> list[Event]:
    merged: dict[tuple[str, frozenset[str]], tuple[Event, Counter[str]]] = {}
    for article in members:
        for e in article.events:
            parties = [canon.get(p, p) for p in e.participants]
            key = (e.type, frozenset(parties))
            if key not in merged:
                merged[key] = (Event(type=e.type, participants=[entity_id(p) for p in parties],
                                     date=None, text=e.text, articles=[]), Counter())
            event, dates = merged[key]
            if article.id not in event.articles:
                event.articles.append(article.id)
            if e.date:
                dates[e.date] += 1
    out = []
    for event, dates in merged.values():
        event.date = dates.most_common(1)[0][0] if dates else story_date
        out.append(event)
    out.sort(key=lambda e: (-len(e.articles), e.date or "", e.type))
    return out
