"""Story summaries: a few sentences that tell the story, each citing every article that carries it.

Extractive and redundancy-aware. Candidates are the sentences, in the
story's main language, of its members. A sentence scores by how central
it is (its mean similarity to the other candidates: what the story's
articles keep saying), how many articles carry it or a close paraphrase
(``sentences.Pool.supporters``: reuse links count), whether it sits in a lead
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
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from ..config import EmbedConfig
from ..model import Article, CitedSentence, Embedding, SourceAddition
from ..stories.describe import main_language
from .sentences import Pool, Unit, cited, units_of

_MIN_SENTENCES, _MAX_SENTENCES = 3, 6
_REPEATS = 0.5  # similarity above which a candidate only repeats a chosen sentence
_LEAD_BONUS = 0.15
_FACT_BONUS = 0.05  # per kind of fact the sentence gives: a date, a figure
_ADDS_PER_ARTICLE = 3
_SHORTLIST = 200  # candidates checked for support (see _choose)

Copied = Mapping[str, Sequence[tuple[int, int, str, int, int]]]


def summarize_story(
    members: Sequence[Article], embeddings: Mapping[str, Embedding],
    embed_config: EmbedConfig, copied: Copied | None = None,
    units: Mapping[str, list[Unit]] | None = None,
) -> tuple[list[CitedSentence], list[SourceAddition]]:
    """The story's summary and what each source adds.

    ``units`` may hold the members' sentences already cut (``units_of``).
    """
    units_by_article = {
        a.id: units[a.id] if units is not None and a.id in units
        else units_of(a, embeddings.get(a.id), embed_config) for a in members}
    everything = [u for a in members for u in units_by_article[a.id]]
    if not everything:
        return [], []
    pool = Pool(everything)
    lang = main_language(members)
    candidates = [i for i, u in enumerate(everything) if u.language == lang] or list(
        range(len(everything)))
    summary = _choose(pool, candidates, members, copied)
    adds = _additions(pool, members, copied)
    return summary, adds


def _facts(article: Article, unit: Unit) -> int:
    figures = any(f.sentence == unit.index for f in article.figures)
    return int(bool(unit.days)) + int(figures)


def _choose(pool: Pool, candidates: Sequence[int], members: Sequence[Article],
            copied: Copied | None) -> list[CitedSentence]:
    by_id = {a.id: a for a in members}
    units = pool.units
    central = pool.centrality(candidates)

    def prior(i: int) -> float:
        unit = units[i]
        return (central[i] + (_LEAD_BONUS if unit.lead else 0.0)
                + _FACT_BONUS * _facts(by_id[unit.article], unit))

    # Support multiplies centrality by at most 1 + log1p(articles): only the best
    # sentences by the rest of the score can win, so only they are checked for it.
    shortlist = sorted(candidates, key=lambda i: -prior(i))[:_SHORTLIST]
    support = pool.supporters(shortlist, copied)

    def worth(i: int) -> float:
        return prior(i) + central[i] * math.log1p(len(support[i]))

    order = sorted(shortlist, key=lambda i: (-worth(i), units[i].article, units[i].index))
    size = min(_MAX_SENTENCES, max(_MIN_SENTENCES, len(members) + 2))
    picked = pool.pick(order, size, _REPEATS)
    rank = {a.id: k for k, a in enumerate(members)}  # members come in publication order
    picked.sort(key=lambda i: (units[i].index, rank.get(units[i].article, 0)))
    out = []
    for i in picked:
        articles, passages = cited(units[i], support[i])
        out.append(CitedSentence(text=units[i].text, articles=articles, passages=passages))
    return out


def _additions(pool: Pool, members: Sequence[Article], copied: Copied | None,
               ) -> list[SourceAddition]:
    if len(members) < 2:
        return []
    names: dict[str, set[str]] = {
        a.id: {m.key or m.text.casefold() for m in a.mentions} for a in members}
    by_id = {a.id: a for a in members}
    written = Counter(name for found in names.values() for name in found)  # by how many articles
    novelty: dict[int, int] = {}
    for i, unit in enumerate(pool.units):
        article = by_id[unit.article]
        own = {name for m in article.mentions if unit.start <= m.start < unit.end
               if written[name := m.key or m.text.casefold()] == 1}
        if score := len(own) + _facts(article, unit):
            novelty[i] = score
    support = pool.supporters(list(novelty), copied)
    scored: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for i, n in novelty.items():
        if not support[i]:  # no other member says it
            scored[pool.units[i].article].append((-n, pool.units[i].index, i))
    out = []
    for article in members:
        best = sorted((pool.units[i] for _, _, i in sorted(scored[article.id])[:_ADDS_PER_ARTICLE]),
                      key=lambda u: u.index)
        if best:
            out.append(SourceAddition(article=article.id, sentences=[
                CitedSentence(text=u.text, articles=[article.id], passages=[u.citation])
                for u in best]))
    return out
