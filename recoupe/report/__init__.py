"""Report renderers: terminal summary, JSON, static HTML and Markdown."""

from .html import render_html
from .markdown import render_markdown
from .terminal import print_summary

__all__ = ["print_summary", "render_html", "render_markdown"]
