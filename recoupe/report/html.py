"""A self-contained static HTML report: no CDN, no script, opens from disk."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from ..model import Report
from .view import article_label, story_views

_ENV = Environment(
    loader=PackageLoader("recoupe.report", "templates"),
    autoescape=select_autoescape(["html", "j2"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(report: Report) -> str:
    template = _ENV.get_template("report.html.j2")
    by_id = {a.id: a for a in report.articles}
    return template.render(report=report, views=story_views(report), label=article_label,
                           by_id=by_id)
