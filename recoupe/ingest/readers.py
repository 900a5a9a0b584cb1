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
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from pathlib import PurePath
from typing import Any
from urllib.parse import urlsplit

from ..config import IngestConfig
from ..errors import InputError, MalformedInput, TooLargeInput
from ..model import Article, Notice, PublishedDate, Rejection
from .decode import decode, looks_binary
from .urls import canonical_url

Item = Article | Rejection | Notice
Reader = Callable[[bytes, str, str, IngestConfig], Iterator[Item]]

_SPACES = re.compile(r"\s+")


def article_id(content: str, url: str | None = None, external_id: str | None = None) -> str:
    """Stable id of an article, from what names it.

    A record's own ``id`` names it, so the same text under another id (a
    republication) is an article of its own, which reuse finds a duplicate of the
    earliest. Without one, its canonical URL names it (tracking parameters and
    mobile variants aside: the same page). Without either, its normalised text does:
    the file path is left out on purpose, so the same file analysed from another
    folder is the same article.
    """
    if external_id:
        key = f"id\n{external_id}"
    elif (canonical := canonical_url(url)) is not None:
        key = f"url\n{canonical}"
    else:
        norm = _SPACES.sub(" ", unicodedata.normalize("NFKC", content)).strip().casefold()
        key = f"\n{norm}"  # as ids were before records' own ids named them: ids kept
    # surrogatepass: an id for any string, even one ingest has not yet made valid.
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def source_from_url(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname
    except ValueError:  # "http://[::1": not a URL
        return None
    if not host:
        return None
    return host.removeprefix("www.")


def folder_source(path: str) -> str:
    if path == "-":
        return "stdin"
    parent = PurePath(path).parent.name
    return parent or "."


# Publication dates outside these are refused: before it, date arithmetic nears the
# calendar's start; after the next day, a date lies in the future.
_EARLIEST = date(1000, 1, 1)
_LATER_DAYS = 1


def read_published(value: Any, today: date | None = None) -> PublishedDate:
    """An input's own publication date: ISO date or datetime, or YYYY-MM / YYYY.

    Raises ValueError saying why ``value`` is no such date."""
    text = str(value).strip()
    if re.fullmatch(r"\d{4}", text):
        pub = PublishedDate(f"{text}-01-01", "year", "metadata")
    elif re.fullmatch(r"\d{4}-\d{2}", text):
        pub = PublishedDate(f"{text}-01", "month", "metadata")
    else:
        try:
            day = datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            raise ValueError(f"not an ISO date: {_short(value)}") from None
        pub = PublishedDate(day.isoformat(), "day", "metadata")
    try:
        first = date.fromisoformat(pub.date or "")
    except ValueError:
        raise ValueError(f"not an ISO date: {_short(value)}") from None
    latest = (today or date.today()) + timedelta(days=_LATER_DAYS)
    if first < _EARLIEST:
        raise ValueError(f"{text} is before {_EARLIEST.year}")
    if first > latest:
        raise ValueError(f"{text} lies in the future")
    return pub


def parse_published(value: Any) -> PublishedDate | None:
    """``read_published``, or None when ``value`` is empty or no plausible date."""
    if value is None or value == "":
        return None
    try:
        return read_published(value)
    except ValueError:
        return None


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- formats ---------------------------------------------------------------


def read_text(data: bytes, path: str, source: str, cfg: IngestConfig) -> Iterator[Item]:
    text, encoding = decode(data, path)
    yield _article(text, path, source, cfg, fmt="text", encoding=encoding)


def read_html(data: bytes, path: str, source: str, cfg: IngestConfig) -> Iterator[Item]:
    html, encoding = decode(data, path)
    yield _article("", path, source, cfg, fmt="html", html=html, encoding=encoding)


def load_json(text: str) -> Any:
    """``json.loads`` that fails only with ValueError, saying why: also on numbers too long
    to convert and on nesting too deep for the parser."""
    try:
        return json.loads(text, parse_int=_int)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None


_MAX_DIGITS = 64


def _int(digits: str) -> int:
    # Python refuses to convert over 4,300 digits; no field of ours needs over 64.
    if len(digits) > _MAX_DIGITS:
        raise json.JSONDecodeError(f"a number of {len(digits):,} digits", digits, 0)
    return int(digits)


def read_json(data: bytes, path: str, source: str, cfg: IngestConfig) -> Iterator[Item]:
    text, _ = decode(data, path)
    try:
        doc = load_json(text)
    except ValueError as exc:
        raise MalformedInput(path, f"invalid JSON: {exc}") from exc
    records = doc if isinstance(doc, list) else [doc]
    if not records:
        raise MalformedInput(path, "an empty JSON list: no article in it")
    yield from read_records(((f"{path}#{n}" if len(records) > 1 else path, record)
                             for n, record in enumerate(records, 1)), path, source, cfg)


def read_jsonl(data: bytes, path: str, source: str, cfg: IngestConfig) -> Iterator[Item]:
    text, _ = decode(data, path)
    # Records end at "\n" only: str.splitlines() would also cut a record at a U+2028 or
    # U+0085 inside one of its strings, which JSON allows unescaped.
    yield from read_records(_lines(text, path), path, source, cfg)


def _lines(text: str, path: str) -> Iterator[tuple[str, Any] | Rejection]:
    for n, line in enumerate(text.split("\n"), 1):
        if line.strip():
            try:
                yield f"{path}#{n}", load_json(line)
            except ValueError as exc:
                yield Rejection(f"{path}#{n}", f"invalid JSON on line {n}: {exc}")


def read_records(records: Iterable[tuple[str, Any] | Rejection], name: str, source: str,
                 cfg: IngestConfig) -> Iterator[Item]:
    """The article of each (where, parsed record), or why it is rejected, then a notice of
    the fields the records hold that nothing reads (once for ``name``)."""
    unread = Unread(name)
    for entry in records:
        if isinstance(entry, Rejection):
            yield entry
            continue
        where, record = entry
        unread.add(record)
        yield from _guard(where, _record, record, where, source, cfg)
    yield from unread.notice()


class Unread:
    """The fields the records of one input hold that nothing reads: said once per input."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.counts: dict[str, int] = {}

    def add(self, record: Any) -> None:
        for key in unread_fields(record):
            self.counts[key] = self.counts.get(key, 0) + 1

    def notice(self) -> Iterator[Notice]:
        if self.counts:
            fields = ", ".join(f"'{k}' ({n})" for k, n in sorted(self.counts.items()))
            yield Notice(self.path, f"fields not read (records holding them): {fields}")


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
    if crawled and (pub := parse_published(crawled[:40])):
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


_SURROGATE = re.compile("[\ud800-\udfff]")
# A language tag: "fr", "fra", "fr-FR", "pt-BR", "zh-Hant-TW" (BCP 47's shape, loosely).
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,3}")
_MAX_ID = 512  # characters of a record's id


def valid_text(value: str) -> str:
    """``value`` with lone surrogates (valid JSON, not valid Unicode: "\\ud800") replaced by
    U+FFFD, as a browser would show them: no store or terminal can write them."""
    return _SURROGATE.sub("\ufffd", value)


# The names a record's fields go by, the contract's first: the first one present is read.
FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("text", "content", "body"),
    "html": ("html",),
    "id": ("id", "doc_id", "article_id", "guid"),
    "title": ("title", "headline"),
    "url": ("url", "link"),
    "source": ("source",),
    "language": ("language", "lang"),
    "published": ("published", "date", "pub_date", "published_at", "publishedAt", "pubDate",
                  "datePublished", "publication_date", "created", "created_at",
                  "dateCreated"),
}


def _field(record: dict[str, Any], name: str) -> tuple[str, Any]:
    """(the key it was found under, its value) of field ``name``; (name, None) if absent."""
    for key in FIELDS[name]:
        value = record.get(key)
        if value is not None and value != "":
            return key, value
    return name, None


def unread_fields(record: Any) -> set[str]:
    """The keys of ``record`` no field is read from (a second date field included)."""
    if not isinstance(record, dict):
        return set()
    read = {_field(record, name)[0] for name in FIELDS}
    return {str(k) for k in record if k not in read}


def _string(record: dict[str, Any], name: str, where: str) -> str | None:
    """A record's string field, or None when absent or blank; a non-string is refused."""
    key, value = _field(record, name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedInput(where, f"'{key}' must be a string, got {type(value).__name__}")
    value = valid_text(value)
    return value if value.strip() else None


def _record(record: Any, where: str, source: str, cfg: IngestConfig) -> Iterator[Item]:
    if not isinstance(record, dict):
        raise MalformedInput(where, f"a record must be a JSON object, got {type(record).__name__}")
    text, html = _string(record, "text", where), _string(record, "html", where)
    if text is None and html is None:
        raise MalformedInput(where, "record has no 'text' (or 'html', 'content', 'body')")
    url = _string(record, "url", where)
    if url is not None:
        url = url.strip()
        try:
            urlsplit(url).port  # noqa: B018 - parses the host and port, or raises
        except ValueError as exc:
            raise MalformedInput(where, f"'{_field(record, 'url')[0]}' is not a URL ({exc}): "
                                        f"{_short(url)}") from None
    src = _string(record, "source", where)
    external_id = None
    id_key, ext = _field(record, "id")
    if ext is not None:
        if isinstance(ext, bool) or not isinstance(ext, (str, int)):
            raise MalformedInput(where, f"'{id_key}' must be a string or an integer, got "
                                        f"{type(ext).__name__}")
        external_id = valid_text(str(ext)).strip() or None
        if external_id and len(external_id) > _MAX_ID:
            raise MalformedInput(where, f"'{id_key}' of {len(external_id):,} characters (over "
                                        f"{_MAX_ID})")
    article = _article(
        text or "", where, src or source_from_url(url) or source, cfg,
        fmt="json", html=None if text else html, url=url, external_id=external_id,
    )
    if (title := _string(record, "title", where)) is not None:
        article.title = title.strip()
        article.metadata["title_from"] = "input"
    if (language := _string(record, "language", where)) is not None:
        language = language.strip()
        if not _LANGUAGE.fullmatch(language):
            raise MalformedInput(where, f"'{_field(record, 'language')[0]}' is not a language "
                                        f"code: {_short(language)}")
        # "fr-FR" reads as French: the models are per language, not per country.
        article.language = re.split(r"[-_]", language)[0].lower()
        article.metadata["language_from"] = "input"
    date_key, published = _field(record, "published")
    if published is not None:
        try:
            article.published = read_published(published)
        except ValueError as exc:
            raise MalformedInput(where, f"'{date_key}': {exc}") from None
        article.metadata["published_from"] = "input"
    yield article


def _article(
    text: str, path: str, source: str, cfg: IngestConfig, *, fmt: str,
    html: str | None = None, url: str | None = None, encoding: str | None = None,
    external_id: str | None = None,
) -> Article:
    body = text or html or ""
    if len(body) > cfg.max_chars:
        raise TooLargeInput(
            path, f"page of {len(body):,} characters is over the limit of {cfg.max_chars:,} "
            "(ingest.max_chars)"
        )
    article = Article(
        id=article_id(body, url, external_id), raw_text=text, html=html, path=path, url=url,
        source=source, input_format=fmt, external_id=external_id,
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
