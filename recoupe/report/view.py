"""What every renderer shows, computed once: stories newest first, with their articles."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Article, Report, Story


@dataclass(slots=True)
class StoryView:
    story: Story
    articles: list[Article]


def story_views(report: Report) -> list[StoryView]:
    by_id = {a.id: a for a in report.articles}
    views = [StoryView(s, [by_id[i] for i in s.articles if i in by_id]) for s in report.stories]
    views.sort(key=lambda v: (v.story.date or "", len(v.articles)), reverse=True)
    return views


def article_label(article: Article) -> str:
    """A short name for an article: its file name or URL, else its title."""
    if article.path and article.path != "-":
        return article.path.rsplit("/", 1)[-1]
    return article.url or article.title or article.id
