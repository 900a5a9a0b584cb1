"""The report as Markdown, for notes and issue trackers."""

from __future__ import annotations

from ..model import Report
from .view import article_label, story_views


def _cell(text: str) -> str:
    # Article text is untrusted and Markdown viewers render raw HTML: escape it.
    text = " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|")


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
        lines += ["", "| article | source | published | language | title |",
                  "|---|---|---|---|---|"]
        for a in view.articles:
            pub = f"{a.published.date} ({a.published.basis})" if a.published.date else "?"
            lines.append(f"| {_cell(article_label(a))} | {_cell(a.source or '')} | {pub} | "
                         f"{a.language or '?'} | {_cell(a.title or '')} |")
    if report.rejected:
        lines += ["", "## Rejected inputs", ""]
        lines += [f"- `{r.path}`: {_cell(r.reason)}" for r in report.rejected]
    return "\n".join(lines) + "\n"
