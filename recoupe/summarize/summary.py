"""Story summaries: a few sentences that tell the story, each citing every article that carries it.

Extractive and redundancy-aware. Candidates are the sentences, in the
story's main language, of its members. A sentence scores by how central
it is (its mean similarity to the other candidates: what the story's
articles keep saying), how many articles carry it or a close paraphrase
(``sentences.supporters``: reuse links count), whether it sits in a lead
(where news says what happened), and whether it gives a date or a figure.
Sentences are then taken best first, skipping any that repeats one already
taken (maximal marginal relevance with a hard cut), and shown in the order
the story's articles tell them.

What each source adds: per article, its sentences that no other member
carries and that bring something checkable (a date, a figure, a name no
other member writes), the most such things first.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence

from ..config import EmbedConfig
from ..model import Article, Citation, CitedSentence, Embedding, SourceAddition
from .sentences import Pool, Unit, supporters, units_of

_MIN_SENTENCES, _MAX_SENTENCES = 3, 6
_REPEATS = 0.5  # similarity above which a candidate only repeats a chosen sentence
_LEAD_BONUS = 0.15
_FACT_BONUS = 0.05  # per kind of fact the sentence gives: a date, a figure
_ADDS_PER_ARTICLE = 3

Copied = Mapping[str, Sequence[tuple[int, int, str, int, int]]]


def main_language(members: Sequence[Article]) -> str | None:
    counts = Counter(a.language for a in members if a.language)
    if not counts:
        return None
    return min(counts, key=lambda lang: (-counts[lang], lang))


def summarize_story(
    members: Sequence[Article], embeddings: Mapping[str, Embedding],
    embed_config: EmbedConfig, copied: Copied | None = None,
) -> tuple[list[CitedSentence], list[SourceAddition]]:
    """The story's summary and what each source adds."""
    units_by_article = {a.id: units_of(a, embeddings.get(a.id), embed_config) for a in members}
    everything = [u for units in units_by_article.values() for u in units]
    if not everything:
        return [], []
    support = {id(u): supporters(u, everything, copied) for u in everything}
    lang = main_language(members)
    candidates = [u for u in everything if u.language == lang] or everything
    summary = _choose(candidates, support, members)
    adds = _additions(members, units_by_article, support)
    return summary, adds


def _facts(article: Article, unit: Unit) -> int:
    figures = any(f.sentence == unit.index for f in article.figures)
    return int(bool(unit.days)) + int(figures)


def _choose(candidates: Sequence[Unit], support: Mapping[int, Mapping[str, Citation]],
            members: Sequence[Article]) -> list[CitedSentence]:
    by_id = {a.id: a for a in members}
    pool = Pool(candidates)
    everyone = list(range(len(candidates)))
    central = pool.centrality(everyone)
    n_articles = len(members)

    def worth(i: int) -> float:
        unit = candidates[i]
        backed = len(support[id(unit)])
        return (central[i] * (1 + math.log1p(backed))
                + (_LEAD_BONUS if unit.lead else 0.0)
                + _FACT_BONUS * _facts(by_id[unit.article], unit))

    order = sorted(everyone, key=lambda i: (-worth(i), candidates[i].article, candidates[i].index))
    size = min(_MAX_SENTENCES, max(_MIN_SENTENCES, n_articles + 2))
    picked: list[int] = []
    for i in order:
        if len(picked) >= size:
            break
        if any(pool.similarity(i, j) >= _REPEATS for j in picked):
            continue
        picked.append(i)
    rank = {a.id: k for k, a in enumerate(members)}  # members come in publication order
    picked.sort(key=lambda i: (candidates[i].index, rank.get(candidates[i].article, 0)))
    out = []
    for i in picked:
        unit = candidates[i]
        others = support[id(unit)]
        out.append(CitedSentence(
            text=unit.text, articles=[unit.article, *sorted(others)],
            passages=[unit.citation, *(others[a] for a in sorted(others))],
        ))
    return out


def _additions(members: Sequence[Article], units_by_article: Mapping[str, list[Unit]],
               support: Mapping[int, Mapping[str, Citation]]) -> list[SourceAddition]:
    if len(members) < 2:
        return []
    names: dict[str, set[str]] = {
        a.id: {m.key or m.text.casefold() for m in a.mentions} for a in members}
    out = []
    for article in members:
        elsewhere = set().union(*(v for k, v in names.items() if k != article.id))
        scored = []
        for unit in units_by_article[article.id]:
            if support[id(unit)]:
                continue  # another member says it too
            own = {m.key or m.text.casefold() for m in article.mentions
                   if unit.start <= m.start < unit.end} - elsewhere
            novelty = len(own) + _facts(article, unit)
            if novelty:
                scored.append((novelty, unit))
        scored.sort(key=lambda x: (-x[0], x[1].index))
        best = sorted((u for _, u in scored[:_ADDS_PER_ARTICLE]), key=lambda u: u.index)
        if best:
            out.append(SourceAddition(article=article.id, sentences=[
                CitedSentence(text=u.text, articles=[article.id], passages=[u.citation])
                for u in best]))
    return out
