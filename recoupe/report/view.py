"""What every renderer shows, computed once: stories newest first, with their articles."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from ..model import Article, Report, ReuseLink, SharedSource, Story


@dataclass(slots=True)
class Segment:
    """A piece of a paragraph, marked when it came from elsewhere."""

    text: str
    mark: str | None = None  # copied | shared | repeated
    note: str = ""
    cited: bool = False  # inside the passage a citation points to


@dataclass(slots=True)
class Edge:
    """A quadratic curve from (x1, y1) to (x2, y2) through the control point (cx, cy)."""

    x1: float
    y1: float
    x2: float
    y2: float
    cx: float
    cy: float
    dashed: bool
    label: str


@dataclass(slots=True)
class Graph:
    """The story's provenance graph, laid out for an inline SVG (no script)."""

    width: int
    height: int
    nodes: list[tuple[float, float, str, str]] = field(default_factory=list)  # x, y, label, kind
    edges: list[Edge] = field(default_factory=list)


@dataclass(slots=True)
class StoryView:
    story: Story
    articles: list[Article]
    paragraphs: dict[str, list[list[Segment]]] = field(default_factory=dict)
    graph: Graph | None = None


def story_views(report: Report) -> list[StoryView]:
    by_id = {a.id: a for a in report.articles}
    views = [story_view(s, [by_id[i] for i in s.articles if i in by_id], by_id)
             for s in report.stories]
    views.sort(key=lambda v: (v.story.date or "", len(v.articles)), reverse=True)
    return views


def story_view(story: Story, members: list[Article], by_id: dict[str, Article]) -> StoryView:
    """A story with its articles' paragraphs marked (copied, shared, repeated) and its graph."""
    view = StoryView(story, members)
    for a in members:
        view.paragraphs[a.id] = segments(a, story.reuse, by_id)
    view.graph = _graph(members, story.reuse, by_id)
    return view


def article_label(article: Article) -> str:
    """What an article is called wherever it is named: its title, else the id its record
    gave, else its URL, else its file's name (never ``file#N`` when there is better)."""
    if article.title:
        return article.title
    if article.external_id:
        return article.external_id
    if article.url:
        return article.url
    if article.path and article.path != "-":
        return article.path.rsplit("/", 1)[-1]
    return article.id


def _marks(article: Article, reuse: list[ReuseLink | SharedSource],
           by_id: dict[str, Article]) -> list[tuple[int, int, str, str]]:
    marks: list[tuple[int, int, str, str]] = []
    for item in reuse:
        if isinstance(item, SharedSource):
            for p in item.passages:
                if p.article == article.id:
                    marks.append((*p.span, "shared", f"in {len(item.articles)} articles"))
        elif item.to_article == article.id or (
            item.direction == "unknown" and item.from_article == article.id
        ):
            other = item.from_article if item.to_article == article.id else item.to_article
            name = article_label(by_id[other]) if other in by_id else other
            verb = "from" if item.direction == "forward" else "also in"
            for cp in item.passages:
                span = cp.to_span if item.to_article == article.id else cp.from_span
                marks.append((*span, "copied", f"{verb} {name} ({item.kind})"))
    for _first, again in article.repeats:
        marks.append((again.start, again.end, "repeated", "repeats earlier text of this article"))
    return marks


def segments(article: Article, reuse: list[ReuseLink | SharedSource],
             by_id: dict[str, Article], cited: tuple[int, int] | None = None,
             ) -> list[list[Segment]]:
    """The article's paragraphs cut into pieces at every mark, and at the ``cited`` span."""
    marks = sorted(_marks(article, reuse, by_id))
    edges = [(m[0], m[1]) for m in marks] + ([cited] if cited else [])
    out = []
    for para in article.paragraphs:
        cuts = {para.start, para.end}
        for s, e in edges:
            cuts.update(c for c in (s, e) if para.start < c < para.end)
        bounds = sorted(cuts)
        segs = []
        for s, e in itertools.pairwise(bounds):
            # The first mark covering the piece names it; shared beats copied beats repeated.
            cover = [m for m in marks if m[0] <= s and e <= m[1]]
            cover.sort(key=lambda m: ("shared", "copied", "repeated").index(m[2]))
            mark = cover[0] if cover else None
            segs.append(Segment(article.text[s:e], mark[2] if mark else None, mark[3] if mark else "",
                                cited=cited is not None and cited[0] <= s and e <= cited[1]))
        out.append(segs)
    return out


def _graph(members: list[Article], reuse: list[ReuseLink | SharedSource],
           by_id: dict[str, Article]) -> Graph | None:
    links = [r for r in reuse if isinstance(r, ReuseLink)]
    shared = [r for r in reuse if isinstance(r, SharedSource)]
    if not links and not shared:
        return None
    ids = [a.id for a in members]
    for r in links:
        ids += [i for i in (r.from_article, r.to_article) if i not in ids]
    ids.sort(key=lambda i: (by_id[i].published.date or "9999") if i in by_id else "9999")
    row, top = 34, 24
    graph = Graph(width=640, height=top + row * (len(ids) + len(shared)) + 10)
    pos = {}
    for n, i in enumerate(ids):
        node = by_id.get(i)
        label = f"{article_label(node)} · {node.published.date or 'undated'}" if node else i
        pos[i] = (160.0, top + n * row)
        graph.nodes.append((*pos[i], label, "article" if i in {m.id for m in members} else "other"))
    for n, src in enumerate(shared):
        y = top + (len(ids) + n) * row
        graph.nodes.append((40.0, y, f"shared source ({len(src.articles)} articles)", "shared"))
        for member in src.articles:
            if member in pos:
                x, ya = pos[member]
                graph.edges.append(Edge(40, y, x - 6, ya, 40, ya, True, ""))
    for k, r in enumerate(links):
        (x1, y1), (x2, y2) = pos[r.from_article], pos[r.to_article]
        bend = 50 + 16 * (k % 5)  # fan the arcs out so they stay apart
        graph.edges.append(Edge(x1 - 6, y1, x2 - 6, y2, x1 - bend, (y1 + y2) / 2,
                                r.direction == "unknown", f"{r.kind} {r.similarity:.2f}"))
    return graph
