"""One reader per input format, each turning bytes into Articles.

Readers yield ``Article`` or ``Rejection``: a container format (JSONL, WARC,
feed) with one bad record rejects that record, named ``path#N``, and goes on.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import PurePath
from typing import Any
from urllib.parse import urlsplit

from ..config import IngestConfig
from ..errors import InputError, MalformedInput, TooLargeInput
from ..model import Article, PublishedDate, Rejection
from .decode import decode, looks_binary

Item = Article | Rejection
Reader = Callable[[bytes, str, str, IngestConfig], Iterator[Item]]

_SPACES = re.compile(r"\s+")


def article_id(content: str, url: str | None = None) -> str:
    """Stable id from normalised content (and the URL, which names a publication).

    The file path is left out on purpose: the same file analysed from another
    folder is the same article.
    """
    norm = _SPACES.sub(" ", unicodedata.normalize("NFKC", content)).strip().casefold()
    digest = hashlib.sha256(f"{url or ''}\n{norm}".encode()).hexdigest()
    return digest[:20]


def source_from_url(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url if "//" in url else f"//{url}").hostname
    if not host:
        return None
    return host.removeprefix("www.")


def folder_source(path: str) -> str:
    if path == "-":
        return "stdin"
    parent = PurePath(path).parent.name
    return parent or "."


def parse_published(value: Any) -> PublishedDate | None:
    """An input's own publication date: ISO date or datetime, or YYYY-MM / YYYY."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            return PublishedDate(f"{text}-01-01", "year", "metadata")
        if re.fullmatch(r"\d{4}-\d{2}", text):
            date.fromisoformat(f"{text}-01")
            return PublishedDate(f"{text}-01", "month", "metadata")
        day = datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None
    return PublishedDate(day.isoformat(), "day", "metadata")


# -- formats ---------------------------------------------------------------


def read_text(data: bytes, path: str, source: str, cfg: IngestConfig) -> Iterator[Item]:
    text, encoding = decode(data, path)
    yield _article(text, path, source, cfg, fmt="text", encoding=encoding)


def read_html(data: bytes, path: str, source: str, cfg: IngestConfig) -> Iterator[Item]:
    html, encoding = decode(data, path)
    yield _article("", path, source, cfg, fmt="html", html=html, encoding=encoding)


def read_json(data: bytes, path: str, source: str, cfg: IngestConfig) -> Iterator[Item]:
    text, _ = decode(data, path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedInput(path, f"invalid JSON: {exc}") from exc
    records = doc if isinstance(doc, list) else [doc]
    for n, record in enumerate(records, 1):
        where = f"{path}#{n}" if len(records) > 1 else path
        yield from _guard(where, _record, record, where, source, cfg)


def read_jsonl(data: bytes, path: str, source: str, cfg: IngestConfig) -> Iterator[Item]:
    text, _ = decode(data, path)
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}#{n}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Rejection(where, f"invalid JSON on line {n}: {exc.msg} (column {exc.colno})")
            continue
        yield from _guard(where, _record, record, where, source, cfg)


def read_warc(data: bytes, path: str, source: str, cfg: IngestConfig) -> Iterator[Item]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    n = 0
    try:
        for record in ArchiveIterator(io.BytesIO(data)):
            if record.rec_type not in ("response", "resource"):
                continue
            n += 1
            url = record.rec_headers.get_header("WARC-Target-URI")
            where = f"{path}#{url or n}"
            if record.http_headers is not None:
                status = record.http_headers.get_statuscode()
                if status and not status.startswith("2"):
                    continue
                ctype = record.http_headers.get_header("Content-Type") or ""
            else:
                ctype = record.rec_headers.get_header("Content-Type") or ""
            if "html" not in ctype and "text/plain" not in ctype:
                continue
            body = record.content_stream().read()
            crawled = record.rec_headers.get_header("WARC-Date")
            yield from _guard(where, _warc_article, body, where, url, ctype, crawled, source, cfg)
    except ArchiveLoadFailed as exc:
        yield Rejection(path, f"malformed WARC after {n} record(s): {exc}")
    except Exception as exc:  # warcio raises anything, even AttributeError, on bad bytes
        yield Rejection(path, f"malformed or truncated WARC after {n} record(s): {exc}")


def _warc_article(
    body: bytes, where: str, url: str | None, ctype: str, crawled: str | None,
    source: str, cfg: IngestConfig,
) -> Iterator[Item]:
    text, encoding = decode(body, where)
    is_html = "html" in ctype
    article = _article(
        "" if is_html else text, where, source_from_url(url) or source, cfg,
        fmt="warc", html=text if is_html else None, url=url, encoding=encoding,
    )
    if crawled and (pub := parse_published(crawled)):
        article.published = PublishedDate(pub.date, pub.granularity, "crawl")
    yield article


def read_feed(data: bytes, path: str, source: str, cfg: IngestConfig) -> Iterator[Item]:
    import feedparser

    feed = feedparser.parse(data)
    if not feed.entries:
        reason = str(feed.get("bozo_exception") or "no entries")
        raise MalformedInput(path, f"not a readable RSS/Atom feed: {reason}")
    site = feed.feed.get("title") or source_from_url(feed.feed.get("link")) or source
    for n, entry in enumerate(feed.entries, 1):
        where = f"{path}#{entry.get('link') or n}"
        yield from _guard(where, _feed_article, entry, where, site, cfg)


def _feed_article(entry: Any, where: str, site: str, cfg: IngestConfig) -> Iterator[Item]:
    body = ""
    if entry.get("content"):
        body = max((c.get("value", "") for c in entry.content), key=len)
    body = body or entry.get("summary", "")
    if not body.strip():
        raise MalformedInput(where, "feed entry has neither content nor summary")
    url = entry.get("link")
    article = _article(
        "", where, source_from_url(url) or site, cfg, fmt="feed",
        html=f"<html><body><article>{body}</article></body></html>", url=url,
    )
    if entry.get("title"):
        article.title = entry.get("title")
        article.metadata["title_from"] = "input"
    article.metadata["site_name"] = site
    for key in ("published", "updated"):
        if (pub := parse_published(_feed_date(entry, key))) is not None:
            article.published = pub
            article.metadata["published_from"] = "input"
            break
    yield article


def _feed_date(entry: Any, key: str) -> str | None:
    parsed = entry.get(f"{key}_parsed")
    if parsed:
        return f"{parsed.tm_year:04d}-{parsed.tm_mon:02d}-{parsed.tm_mday:02d}"
    return None


# -- records ----------------------------------------------------------------


def _record(record: Any, where: str, source: str, cfg: IngestConfig) -> Iterator[Item]:
    if not isinstance(record, dict):
        raise MalformedInput(where, f"a record must be a JSON object, got {type(record).__name__}")
    text, html = record.get("text"), record.get("html")
    if not isinstance(text, str) or not text.strip():
        text = None
    if not isinstance(html, str) or not html.strip():
        html = None
    if text is None and html is None:
        raise MalformedInput(where, "record has no 'text' (or 'html')")
    url = record.get("url") if isinstance(record.get("url"), str) else None
    src = record.get("source") if isinstance(record.get("source"), str) else None
    article = _article(
        text or "", where, src or source_from_url(url) or source, cfg,
        fmt="json", html=None if text else html, url=url,
    )
    if (ext := record.get("id")) is not None:
        article.external_id = str(ext)
    if isinstance(record.get("title"), str) and record["title"].strip():
        article.title = record["title"].strip()
        article.metadata["title_from"] = "input"
    if isinstance(record.get("language"), str) and record["language"].strip():
        article.language = record["language"].strip().lower()
        article.metadata["language_from"] = "input"
    if record.get("published") not in (None, ""):
        pub = parse_published(record["published"])
        if pub is None:
            raise MalformedInput(where, f"'published' is not an ISO date: {record['published']!r}")
        article.published = pub
        article.metadata["published_from"] = "input"
    yield article


def _article(
    text: str, path: str, source: str, cfg: IngestConfig, *, fmt: str,
    html: str | None = None, url: str | None = None, encoding: str | None = None,
) -> Article:
    body = text or html or ""
    if len(body) > cfg.max_chars:
        raise TooLargeInput(
            path, f"text of {len(body):,} characters is over the limit of {cfg.max_chars:,} "
            "(ingest.max_chars)"
        )
    article = Article(
        id=article_id(body, url), raw_text=text, html=html, path=path, url=url,
        source=source, input_format=fmt,
    )
    if encoding and encoding != "utf-8":
        article.metadata["encoding"] = encoding
    return article


def _guard(where: str, make: Callable[..., Iterator[Item]], *args: Any) -> Iterator[Item]:
    """Run one record's reader; its InputError rejects that record only."""
    try:
        yield from make(*args)
    except InputError as exc:
        yield Rejection(where, exc.reason)


# -- format detection ---------------------------------------------------------

READERS: dict[str, Reader] = {
    "text": read_text, "html": read_html, "json": read_json, "jsonl": read_jsonl,
    "warc": read_warc, "feed": read_feed,
}

_BY_SUFFIX = {
    ".txt": "text", ".text": "text", ".md": "text", ".html": "html", ".htm": "html",
    ".xhtml": "html", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".warc": "warc", ".arc": "warc", ".rss": "feed", ".atom": "feed",
}


def format_by_name(path: str) -> str | None:
    name = path.lower()
    if name.endswith((".warc.gz", ".arc.gz")):
        return "warc"
    return _BY_SUFFIX.get(PurePath(name).suffix)


def detect_format(path: str, head: bytes) -> str:
    return format_by_name(path) or sniff_format(head)


def sniff_format(head: bytes) -> str:
    if head.startswith(b"WARC/") or head.startswith(b"\x1f\x8b"):
        return "warc"
    if looks_binary(head):
        return "text"  # decode() rejects it with the reason
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:2048].lower()
    if start.startswith(b"<"):
        if b"<rss" in start or b"<feed" in start or b"<rdf:rdf" in start:
            return "feed"
        return "html"
    if start.startswith(b"["):
        return "json"
    if start.startswith(b"{"):
        first = start.split(b"\n", 1)[0].strip()
        return "jsonl" if first.endswith(b"}") and b"\n{" in head else "json"
    return "text"


def single_document(fmt: str) -> bool:
    return fmt in ("text", "html")
