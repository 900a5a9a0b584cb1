"""The ``clean`` stage: raw input to clean text, title, metadata and an audit trail."""

from __future__ import annotations

import re
from typing import ClassVar

from ..config import Config
from ..errors import EmptyInput, TooLargeInput
from ..model import Article, Passage, RemovedLine
from ..pipeline import register_stage
from ..registry import learned_model
from .body import BodyModel, page_lines, shipped_model
from .html import extract_html
from .metadata import (
    MetaMatch,
    content_published,
    read_dateline,
    read_metadata_line,
    read_page_metadata,
)
from .repeated import line_hash
from .rules import boilerplate_reason, has_final_punctuation, word_count

_BLANK = re.compile(r"\n\s*\n")
_LETTER = re.compile(r"[^\W\d_]")
_SPACES = re.compile(r"[ \t\u00a0\u202f]+")
# How many of the first text lines may carry a dateline or metadata line.
_HEAD_LINES = 3


@register_stage("clean")
class CleanStage:
    name: ClassVar[str] = "clean"
    requires: ClassVar[frozenset[str]] = frozenset({"raw_text", "html"})
    assigns: ClassVar[frozenset[str]] = frozenset(
        {"text", "title", "removed", "metadata", "paragraphs", "published"}
    )

    def __init__(self, config: Config) -> None:
        # Learnt boilerplate comes with each article (Article.learned_boilerplate).
        self.min_letters = config.clean.min_letters
        self.max_chars = config.clean.max_chars
        self.body = body_model(config.clean.body_model)

    def __call__(self, articles: list[Article]) -> list[Article]:
        return [clean_article(a, self.min_letters, self.body, self.max_chars)
                for a in articles]


def body_model(setting: str) -> BodyModel | None:
    """The configured body model: the shipped one, one trained to a file, or none."""
    return learned_model(setting, "[clean] body_model", shipped_model, BodyModel.from_json)


# A page with fewer lines than this is all article (a wire story, a feed item).
_MIN_PAGE_LINES = 4


def clean_article(article: Article, min_letters: int = 0,
                  body: BodyModel | None = None, max_chars: int = 500_000) -> Article:
    where = article.path or article.id
    raw = article.raw_text
    if article.html is None and body is not None:
        raw = _article_lines(article, raw, body)
    if article.html is not None:
        page = extract_html(article.html, where, article.url)
        raw = page.text
        article.removed.extend(RemovedLine(line, "html: not main text") for line in page.dropped_lines)
        article.title = article.title or page.title
        article.url = article.url or page.url
        if page.site_name:
            article.metadata.setdefault("site_name", page.site_name)
        if page.author:
            article.metadata.setdefault("author", page.author)
        if page.published and article.published.date is None:
            article.published = page.published
    blocks = _blocks(raw.replace("\r\n", "\n").replace("\r", "\n"))
    kept: list[list[str]] = []
    n_text_lines = 0
    for block in blocks:
        kept_block: list[str] = []
        for line in block:
            line = _SPACES.sub(" ", line).strip()
            if not line:
                continue
            if line_hash(line) in article.learned_boilerplate:
                article.removed.append(RemovedLine(line, "repeated across this source's articles"))
                continue
            reason = boilerplate_reason(line)
            if reason:
                article.removed.append(RemovedLine(line, reason))
                continue
            if n_text_lines < _HEAD_LINES:
                line = _take_metadata(article, line)
                if not line:
                    continue
            elif (meta := read_metadata_line(line)) is not None and not meta.rest:
                _record_metadata(article, meta)
                continue
            n_text_lines += 1
            kept_block.append(line)
        if kept_block:
            kept.append(kept_block)
    paragraphs = [p for block in kept for p in _paragraphs(block)]
    if paragraphs and article.title is None and _is_title(paragraphs[0], paragraphs[1:]):
        article.title = paragraphs.pop(0)
    elif paragraphs and article.title and paragraphs[0].casefold() == article.title.casefold():
        paragraphs.pop(0)
    if not paragraphs:
        raise EmptyInput(where, "no article text left after removing boilerplate and metadata")
    letters = sum(len(_LETTER.findall(p)) for p in paragraphs)
    if letters < min_letters:
        raise EmptyInput(where, f"too little text for an article: {letters} letter(s), fewer "
                                f"than {min_letters} (clean.min_letters)")
    _set_text(article, paragraphs)
    if len(article.text) > max_chars:
        raise TooLargeInput(where, f"article text of {len(article.text):,} characters once "
                                   f"cleaned is over the limit of {max_chars:,} (clean.max_chars)")
    if article.published.date is None and (pub := content_published(article.text)):
        article.published = pub
    return article


def _article_lines(article: Article, raw: str, body: BodyModel) -> str:
    """The page's lines from the article's first to its last, as the body model finds
    them; the lines around them are kept in ``removed``."""
    lines = page_lines(raw)
    if len(lines) < _MIN_PAGE_LINES:
        return raw
    span = body.body(lines, article.learned_boilerplate)
    if span is None:
        return raw  # nothing reads as an article: the rules decide alone
    first, last = lines[span[0]].index, lines[span[1]].index
    for line in lines:
        if not first <= line.index <= last:
            article.removed.append(RemovedLine(line.text, "outside the article body"))
    return "\n".join(raw.split("\n")[first : last + 1])


def _take_metadata(article: Article, line: str) -> str:
    """Strip metadata and datelines opening ``line``; return what is text."""
    while line:
        meta = read_page_metadata(line) or read_dateline(line)
        if meta is None:
            return line
        _record_metadata(article, meta)
        line = meta.rest
    return line


def _record_metadata(article: Article, meta: MetaMatch) -> None:
    article.removed.append(RemovedLine(meta.consumed, "metadata"))
    for key, value in meta.fields.items():
        article.metadata.setdefault(key, value)
    pub = meta.published
    if pub and (article.published.date is None or _finer(pub.granularity, article.published.granularity)):
        article.published = pub


def _finer(new: str | None, old: str | None) -> bool:
    order = {"day": 0, "month": 1, "year": 2, None: 3}
    return order[new] < order[old]


def _blocks(text: str) -> list[list[str]]:
    return [block.split("\n") for block in _BLANK.split(text)]


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines of a block are paragraphs, unless the block is hard-wrapped prose."""
    if len(lines) < 3:
        return lines
    wrapped = sum(1 for line in lines[:-1] if 40 <= len(line) <= 100 and not has_final_punctuation(line))
    if wrapped >= 0.8 * (len(lines) - 1):
        return [" ".join(lines)]
    return lines


def _is_title(first: str, rest: list[str]) -> bool:
    """A short, unpunctuated first line followed by more text reads as the title."""
    if not rest:
        return False
    words = word_count(first)
    return 2 <= words <= 30 and len(first) <= 200 and not has_final_punctuation(first)


def _set_text(article: Article, paragraphs: list[str]) -> None:
    spans: list[Passage] = []
    pos = 0
    for i, para in enumerate(paragraphs):
        spans.append(Passage(pos, pos + len(para), i))
        pos += len(para) + 2
    article.text = "\n\n".join(paragraphs)
    article.paragraphs = spans
