"""The readable summary ``recoupe analyze`` prints."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..model import Report
from .view import article_label, story_views


def print_summary(report: Report, console: Console) -> None:
    run = report.run
    console.print(
        f"[bold]{run.added}[/] new article(s), {run.unchanged} already stored, "
        f"{len(report.rejected)} rejected; store holds {len(report.articles)} article(s) "
        f"in {len(report.stories)} stories."
    )
    for view in story_views(report):
        story = view.story
        table = Table(
            title=f"[bold]{story.headline}[/]", title_justify="left", show_edge=False,
            caption=f"story {story.id} · {story.date or 'undated'}"
            f"{' (' + story.date_granularity + ')' if story.date_granularity not in (None, 'day') else ''}"
            f" · {', '.join(story.languages) or '?'} · {', '.join(story.sources)}",
            caption_justify="left",
        )
        table.add_column("article", no_wrap=True, max_width=28)
        table.add_column("published", no_wrap=True)
        table.add_column("lang", no_wrap=True)
        table.add_column("title / first sentence", no_wrap=True, overflow="ellipsis")
        for article in view.articles:
            pub = article.published
            first = article.title or (article.sentence_texts()[:1] or [article.text[:80]])[0]
            table.add_row(
                article_label(article), f"{pub.date} {pub.basis}" if pub.date else "?",
                article.language or "?", first,
            )
        console.print()
        console.print(table)
    if report.rejected:
        console.print()
        console.print("[bold red]Rejected inputs[/]")
        for r in report.rejected:
            console.print(f"  {r.path}: {r.reason}", markup=False, highlight=False)
