"""HTML pages: main text and metadata through trafilatura."""

from __future__ import annotations

from dataclasses import dataclass, field

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


def extract_html(html: str, path: str, url: str | None = None) -> HtmlExtract:
    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # noqa: BLE001 - lxml/trafilatura raise many kinds on bad markup
        raise MalformedInput(path, f"HTML could not be parsed: {exc}") from exc
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not text:
        # trafilatura keeps only what looks like an article; a short or odd
        # page still has text a user gave us, so fall back to all of it.
        try:
            text = trafilatura.html2txt(html).strip()
        except Exception:  # noqa: BLE001
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
    kept = {line.strip() for line in text.splitlines()}
    try:
        everything = trafilatura.html2txt(html, clean=True)
    except Exception:  # noqa: BLE001
        everything = ""
    out.dropped_lines = [
        line.strip() for line in everything.splitlines() if line.strip() and line.strip() not in kept
    ]
    return out
