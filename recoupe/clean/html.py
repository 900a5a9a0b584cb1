"""HTML pages: main text and metadata through trafilatura."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import lxml.html
import trafilatura

from ..errors import EmptyInput, MalformedInput
from ..model import PublishedDate


@dataclass(slots=True)
class HtmlExtract:
    text: str
    title: str | None = None
    published: PublishedDate | None = None
    site_name: str | None = None
    url: str | None = None
    author: str | None = None
    dropped_lines: list[str] = field(default_factory=list)


# Bounds on markup, checked before any parser sees it: libxml2 spends time quadratic in
# an element's attributes (200,000 of them: 40 s), and no page needs this many.
MAX_ELEMENTS = 200_000
MAX_ATTRIBUTES = 1_000
_LONG_TAG = re.compile(r"<[A-Za-z][^<>]{4000,}(?:>|$)")
_ATTRIBUTE = re.compile(r"\s[^\s=/>\"']+")


def check_markup(html: str, path: str) -> None:
    """Refuse markup no parser should be handed: too many elements, or an element with too
    many attributes. Cheap: one count, and a scan of the rare very long tags."""
    elements = html.count("<")
    if elements > MAX_ELEMENTS:
        raise MalformedInput(path, f"HTML of {elements:,} tags is over the limit of "
                                   f"{MAX_ELEMENTS:,}")
    for tag in _LONG_TAG.finditer(html):
        # Quoted values may hold spaces: count outside quotes only.
        bare = re.sub(r"\"[^\"]*\"|'[^']*'", "", tag.group())
        n = len(_ATTRIBUTE.findall(bare))
        if n > MAX_ATTRIBUTES:
            raise MalformedInput(path, f"an HTML element with {n:,} attributes (over "
                                       f"{MAX_ATTRIBUTES:,})")


def extract_html(html: str, path: str, url: str | None = None) -> HtmlExtract:
    doc: Any
    check_markup(html, path)
    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # lxml and trafilatura raise many kinds on bad markup
        raise MalformedInput(path, f"HTML could not be parsed: {exc}") from exc
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not text:
        # trafilatura keeps only what looks like an article; a short or odd
        # page still has text a user gave us, so fall back to all of it.
        try:
            text = trafilatura.html2txt(html).strip()
        except Exception:  # same as above: fall through to 'no text'
            text = ""
    if not text:
        raise EmptyInput(path, "HTML page has no text")
    out = HtmlExtract(text=text)
    if doc is not None:
        out.title = doc.title or None
        out.site_name = doc.sitename or None
        out.url = doc.url or None
        out.author = doc.author or None
        if doc.date:
            out.published = PublishedDate(doc.date[:10], "day", "metadata")
    kept = " ".join(text.split())
    out.dropped_lines = [line for line in _visible_lines(html) if line not in kept]
    return out


_BLOCKS = frozenset({
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "br", "section",
    "article", "header", "footer", "nav", "aside", "blockquote", "pre", "ul", "ol", "table",
    "dd", "dt", "figcaption", "title", "form",
})


def _visible_lines(html: str) -> list[str]:
    """The page's text, a line per block element: what trafilatura chose from.

    trafilatura's own ``html2txt`` returns one flat string, which cannot show
    which blocks were dropped; hence this small walk over the tree.
    """
    try:
        tree = lxml.html.fromstring(html)
    except Exception:  # unparseable markup: nothing to audit
        return []
    for node in tree.xpath("//script|//style|//noscript|//template"):
        node.drop_tree()
    for node in tree.iter():
        if isinstance(node.tag, str) and node.tag.lower() in _BLOCKS:
            node.text = "\n" + (node.text or "")
            node.tail = "\n" + (node.tail or "")
    lines = (" ".join(line.split()) for line in tree.text_content().splitlines())
    return [line for line in lines if line]
