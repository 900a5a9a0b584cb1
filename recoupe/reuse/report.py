"""From stored pairs to what the report says: who copied whom, shared sources, shares.

Done at report time because a pair's direction depends on publication dates,
which later articles can still teach (a story's date dates its undated
articles).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from ..model import (
    Article,
    Borrowing,
    CopiedPassage,
    PublishedDate,
    ReuseLink,
    ReusePair,
    SharedPassage,
    SharedSource,
    Story,
)
from .align import union_length

_MERGE_OVERLAP = 0.5  # two spans of one article overlapping this much are one passage


def _interval(p: PublishedDate) -> tuple[date, date] | None:
    if not p.date:
        return None
    try:
        start = date.fromisoformat(p.date)
    except ValueError:
        return None
    if p.granularity == "year":
        return start, date(start.year, 12, 31)
    if p.granularity == "month":
        return start, date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
    return start, start


@dataclass(slots=True)
class _Node:
    article: str
    span: tuple[int, int]


class _UnionFind:
    # A dozen lines: scipy's connected_components would make scipy a dependency for it.
    def __init__(self) -> None:
        self.parent: dict[Hashable, Hashable] = {}

    def find(self, x: Hashable) -> Hashable:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: Hashable, b: Hashable) -> None:
        self.parent[self.find(a)] = self.find(b)


class ReuseReport:
    """Directed links, shared sources and per-article shares for a set of articles."""

    def __init__(self, articles: Sequence[Article], pairs: Sequence[ReusePair]) -> None:
        self.by_id = {a.id: a for a in articles}
        self.arrival = {a.id: i for i, a in enumerate(articles)}
        self.intervals = {a.id: _interval(a.published) for a in articles}
        self.links = [self._direct(p) for p in pairs if p.a in self.by_id and p.b in self.by_id]
        self.canonical = self._canonical()
        self.shared: list[SharedSource] = []
        self._shared_nodes: set[tuple[int, int]] = set()  # (link index, passage index)
        self._find_shared_sources()

    # -- direction

    def _earliest_key(self, article_id: str) -> tuple[date, int]:
        iv = self.intervals[article_id]
        return (iv[0] if iv else date.max, self.arrival[article_id])

    def _direct(self, pair: ReusePair) -> ReuseLink:
        ia, ib = self.intervals[pair.a], self.intervals[pair.b]
        flip = False
        direction: Literal["forward", "unknown"] = "unknown"
        if ia and ib and ia[1] < ib[0]:
            direction = "forward"
        elif ia and ib and ib[1] < ia[0]:
            direction, flip = "forward", True
        else:
            flip = self.arrival[pair.b] < self.arrival[pair.a]  # unknown: arrival order
        src, dst = (pair.b, pair.a) if flip else (pair.a, pair.b)
        text = self.by_id[dst].text
        passages = []
        for a0, a1, b0, b1, sim in pair.spans:
            from_span, to_span = ((b0, b1), (a0, a1)) if flip else ((a0, a1), (b0, b1))
            passages.append(CopiedPassage(from_span, to_span, text[to_span[0] : to_span[1]], sim))
        return ReuseLink(pair.kind, src, dst, pair.similarity, direction, passages, pair.reason)

    # -- duplicates

    def _canonical(self) -> dict[str, str]:
        """Each duplicated article's canonical version: the earliest of its group."""
        uf = _UnionFind()
        for link in self.links:
            if link.kind in ("duplicate", "near-duplicate"):
                uf.union(link.from_article, link.to_article)
        groups: dict[Hashable, list[str]] = defaultdict(list)
        for a in self.by_id:
            groups[uf.find(a)].append(a)
        out = {}
        for members in groups.values():
            first = min(members, key=self._earliest_key)
            for a in members:
                out[a] = first
        return out

    # -- shared sources

    def _find_shared_sources(self) -> None:
        nodes: list[_Node] = []
        keys: list[tuple[int, int]] = []
        uf = _UnionFind()
        for li, link in enumerate(self.links):
            for pi, p in enumerate(link.passages):
                uf.union(len(nodes), len(nodes) + 1)
                nodes += [_Node(link.from_article, p.from_span), _Node(link.to_article, p.to_span)]
                keys += [(li, pi), (li, pi)]
        by_article: dict[str, list[int]] = defaultdict(list)
        for n, node in enumerate(nodes):
            by_article[node.article].append(n)
        for members in by_article.values():
            members.sort(key=lambda n: nodes[n].span)
            reach_node, reach_end = members[0], nodes[members[0]].span[1]
            for n in members[1:]:
                s, e = nodes[n].span
                overlap = reach_end - s
                shorter = min(e - s, reach_end - nodes[reach_node].span[0])
                if shorter > 0 and overlap / shorter >= _MERGE_OVERLAP:
                    uf.union(n, reach_node)
                if e > reach_end:
                    reach_node, reach_end = n, e
        components: dict[Hashable, list[int]] = defaultdict(list)
        for n in range(len(nodes)):
            components[uf.find(n)].append(n)
        for members in components.values():
            # Copies of one article count once: three duplicates are not three sources.
            if len({self.canonical[nodes[n].article] for n in members}) < 3:
                continue
            extent: dict[str, tuple[int, int]] = {}
            for n in members:
                node = nodes[n]
                s, e = extent.get(node.article, node.span)
                extent[node.article] = (min(s, node.span[0]), max(e, node.span[1]))
            ordered = sorted(extent, key=self._earliest_key)
            first = ordered[0]
            s, e = extent[first]
            self.shared.append(SharedSource(
                articles=ordered, text=self.by_id[first].text[s:e],
                passages=[SharedPassage(a, extent[a]) for a in ordered],
            ))
            self._shared_nodes.update(keys[n] for n in members)
        self.shared.sort(key=lambda s: (-len(s.articles), s.articles))

    # -- what the report shows

    def pairwise(self) -> list[ReuseLink]:
        """Links, without the passages already reported as shared sources."""
        out = []
        for li, link in enumerate(self.links):
            if link.kind != "copied-passages":
                out.append(link)
                continue
            kept = [p for pi, p in enumerate(link.passages) if (li, pi) not in self._shared_nodes]
            if kept:
                out.append(ReuseLink(link.kind, link.from_article, link.to_article,
                                     link.similarity, link.direction, kept, link.reason))
        return out

    def annotate(self, articles: Sequence[Article]) -> None:
        """Set each article's duplicate_of, original_share and took_from."""
        borrowed: dict[str, list[tuple[int, int]]] = defaultdict(list)
        took: dict[str, dict[str, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
        for link in self.links:
            for p in link.passages:
                borrowed[link.to_article].append(p.to_span)
                if link.direction == "unknown":
                    # Who wrote it first is unknown: not original to either side.
                    borrowed[link.from_article].append(p.from_span)
                else:
                    took[link.to_article][link.from_article].append(p.to_span)
        for article in articles:
            canonical = self.canonical.get(article.id, article.id)
            article.duplicate_of = canonical if canonical != article.id else None
            size = len(article.text)
            if not size:
                article.original_share = None
                continue
            article.original_share = round(1 - union_length(borrowed[article.id]) / size, 3)
            article.took_from = sorted(
                (Borrowing(src, union_length(spans), round(union_length(spans) / size, 3))
                 for src, spans in took[article.id].items()),
                key=lambda b: -b.chars,
            )

    def attach(self, stories: Sequence[Story]) -> None:
        """Give each story the links and shared sources touching its articles."""
        story_of = {a: s.id for s in stories for a in s.articles}
        by_story: dict[str, list[ReuseLink | SharedSource]] = defaultdict(list)
        for link in self.pairwise():
            for sid in {story_of.get(link.from_article), story_of.get(link.to_article)} - {None}:
                by_story[str(sid)].append(link)
        for shared in self.shared:
            for sid in {story_of.get(a) for a in shared.articles} - {None}:
                by_story[str(sid)].append(shared)
        for story in stories:
            story.reuse = by_story.get(story.id, [])
