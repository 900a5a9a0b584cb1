"""The report as Markdown, for notes and issue trackers."""

from __future__ import annotations

from ..model import Article, Report, SharedSource
from .view import article_label, story_views


def _cell(text: str) -> str:
    # Article text is untrusted and Markdown viewers render raw HTML: escape it.
    text = " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|")


def _share(a: Article) -> str:
    text = "?" if a.original_share is None else f"{a.original_share:.0%}"
    if a.duplicate_of:
        text += " (duplicate)"
    if a.repeats_itself:
        text += " (repeats itself)"
    return text


def render_markdown(report: Report) -> str:
    lines = ["# recoupe report", ""]
    lines.append(
        f"{len(report.articles)} articles, {len(report.stories)} stories, "
        f"{len(report.rejected)} rejected in the last run."
    )
    for view in story_views(report):
        s = view.story
        lines += ["", f"## {_cell(s.headline)}", ""]
        lines.append(f"Story `{s.id}` · {s.date or 'undated'} · {', '.join(s.languages) or '?'} "
                     f"· {len(view.articles)} article(s)")
        lines += ["", "| article | source | published | language | original | title |",
                  "|---|---|---|---|---|---|"]
        for a in view.articles:
            pub = f"{a.published.date} ({a.published.basis})" if a.published.date else "?"
            lines.append(f"| {_cell(article_label(a))} | {_cell(a.source or '')} | {pub} | "
                         f"{a.language or '?'} | {_share(a)} | {_cell(a.title or '')} |")
        if s.reuse:
            lines += ["", "Reuse:", ""]
        by_id = {a.id: a for a in report.articles}
        for r in s.reuse:
            if isinstance(r, SharedSource):
                lines.append(f"- shared source in {len(r.articles)} articles: "
                             f"“{_cell(r.text[:200])}”")
            else:
                arrow = "→" if r.direction == "forward" else "↔"
                ends = [article_label(by_id[i]) if i in by_id else i
                        for i in (r.from_article, r.to_article)]
                lines.append(f"- {r.kind} {r.similarity:.2f}: {_cell(ends[0])} {arrow} "
                             f"{_cell(ends[1])} ({len(r.passages)} passage(s))")
    if report.rejected:
        lines += ["", "## Rejected inputs", ""]
        lines += [f"- `{r.path}`: {_cell(r.reason)}" for r in report.rejected]
    return "\n".join(lines) + "\n"
