"""Summaries and timelines of every story and storyline of a report."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from ..config import EmbedConfig
from ..model import Article, Embedding, ReusePair, Story, Storyline, TimelineEntry
from .sentences import Unit, units_of
from .summary import Copied, summarize_story
from .timeline import TimelineOptions, build_timeline

# A story's timeline: the dates its articles report, one sentence each; a
# storyline's: the dates most of its stories' articles report.
_STORY_DATES, _STORYLINE_DATES = 6, 12


def copied_passages(pairs: Sequence[ReusePair], articles: Iterable[Article]) -> Copied:
    """Per article, the passages it shares with others: (start, end, other, o_start, o_end)."""
    texts = {a.id: len(a.text) for a in articles}
    out: dict[str, list[tuple[int, int, str, int, int]]] = defaultdict(list)
    for pair in pairs:
        spans = [(s[0], s[1], s[2], s[3]) for s in pair.spans]
        if not spans and pair.kind == "duplicate":  # the same text: all of it
            spans = [(0, texts.get(pair.a, 0), 0, texts.get(pair.b, 0))]
        for a0, a1, b0, b1 in spans:
            out[pair.a].append((a0, a1, pair.b, b0, b1))
            out[pair.b].append((b0, b1, pair.a, a0, a1))
    return out


def attach(
    stories: Sequence[Story], storylines: Sequence[Storyline], by_id: Mapping[str, Article],
    embeddings: Mapping[str, Embedding], pairs: Sequence[ReusePair], config: EmbedConfig,
) -> None:
    copied = copied_passages(pairs, by_id.values())
    units = {k: units_of(a, embeddings.get(k), config) for k, a in by_id.items()}
    members_of: dict[str, list[Article]] = {}
    for story in stories:
        members = [by_id[i] for i in story.articles if i in by_id]
        members_of[story.id] = members
        own = within(copied, members)
        story.summary, story.adds = summarize_story(members, embeddings, config, own, units)
        story.timeline = build_timeline(
            members, TimelineOptions(dates=_STORY_DATES), embeddings, config, own, units)
    for line in storylines:
        members = [a for s in line.stories for a in members_of.get(s, [])]
        line.timeline = storyline_timeline(members, embeddings, within(copied, members), config,
                                           units)


def within(copied: Copied, members: Sequence[Article]) -> Copied:
    """The passages ``members`` share among themselves: a passage copied from or into an
    article of another story is no citation for this one."""
    ids = {a.id for a in members}
    return {a: [p for p in copied.get(a, ()) if p[2] in ids] for a in ids}


def storyline_timeline(
    members: Sequence[Article], embeddings: Mapping[str, Embedding], copied: Copied,
    config: EmbedConfig, units: Mapping[str, list[Unit]] | None = None,
) -> list[TimelineEntry]:
    """The dates most of a storyline's articles report, one cited sentence each."""
    return build_timeline(members, TimelineOptions(dates=_STORYLINE_DATES), embeddings, config,
                          copied, units)
