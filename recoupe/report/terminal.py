"""The readable summary ``recoupe analyze`` prints."""

from __future__ import annotations

import re

from rich.console import Console
from rich.markup import escape

from ..model import Report
from .view import article_label, story_views

# Control characters (an escape sequence can retitle or clear a terminal) and the
# bidirectional overrides that reorder what a line shows.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` safe to write to a terminal: each control character shown as an escape."""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                            else f"\\u{ord(m.group()):04x}", text)


def _show(text: str) -> str:
    return escape(printable(text))


def print_summary(report: Report, console: Console) -> None:
    run = report.run
    console.print(
        f"[bold]{run.added}[/] new article(s), {run.unchanged} already stored, "
        f"{len(report.rejected)} rejected; store holds {len(report.articles)} article(s) "
        f"in {len(report.stories)} stories."
    )
    for view in story_views(report):
        story = view.story
        when = story.date or "undated"
        if story.date_granularity not in (None, "day"):
            when += f" ({story.date_granularity})"
        console.print()
        console.print(f"[bold]{_show(story.headline)}[/]")
        shared = sum(1 for r in story.reuse if r.kind == "shared-source")
        links = len(story.reuse) - shared
        reuse = f" · {links} reuse link(s), {shared} shared source(s)" if story.reuse else ""
        console.print(
            f"[dim]story {story.id} · {when} · {', '.join(story.languages) or '?'} · "
            f"{_show(', '.join(story.sources))} · {len(view.articles)} article(s){reuse}[/]"
        )
        for article in view.articles:
            pub = article.published
            dated = f"{pub.date} ({pub.basis})" if pub.date else "undated"
            # The label is the title when there is one: show how the text opens.
            first = (article.sentence_texts()[:1] or [article.text[:120]])[0]
            if len(first) > 72:
                first = first[:72].rsplit(" ", 1)[0] + "…"
            notes = []
            if article.duplicate_of:
                notes.append("duplicate")
            elif article.original_share is not None and article.original_share < 0.995:
                notes.append(f"{article.original_share:.0%} original")
            if article.repeats_itself:
                notes.append("repeats itself")
            extra = f" · {', '.join(notes)}" if notes else ""
            console.print(
                f"  • {_show(article_label(article))} · {_show(article.language or '?')} · "
                f"{dated}{extra}",
                highlight=False,
            )
            console.print(f"    {_show(first)}", highlight=False, style="italic")
