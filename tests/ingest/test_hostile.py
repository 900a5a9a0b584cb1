"""Hostile input at the door: every file ends as articles or as rejections that say why,
never as an exception, a hang, or nothing at all."""

from __future__ import annotations

import gzip
import json
import os
import random
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recoupe.clean.html import check_markup
from recoupe.clean.stage import clean_article
from recoupe.config import IngestConfig
from recoupe.errors import EmptyInput, MalformedInput
from recoupe.ingest import iter_inputs, iter_items, iter_records
from recoupe.model import Article, Notice, Rejection
from recoupe.report.terminal import printable

from ..hostile import REJECT, STORE, hostile_inputs, kinds, news_text

TEXT = ("Le chancelier allemand Olaf Scholz a annoncé dans la soirée qu'un voyage à Moscou "
        "était programmé pour bientôt, selon la chancellerie.")


def _items(path: Path | str) -> list[Article | Rejection | Notice]:
    return list(iter_inputs([str(path)]))


def _one(path: Path | str) -> Article | Rejection:
    items = [i for i in _items(path) if not isinstance(i, Notice)]
    assert len(items) == 1, items
    return items[0]


def _reason(path: Path | str) -> str:
    item = _one(path)
    assert isinstance(item, Rejection), item
    return item.reason


def _file(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_json_nested_past_the_parser_is_rejected(tmp_path: Path) -> None:
    deep = "[" * 50_000 + "]" * 50_000
    assert "nested too deeply" in _reason(_file(tmp_path, "deep.json", deep))
    line = f'{{"text": "{TEXT}", "x": {deep}}}\n'
    assert "nested too deeply" in _reason(_file(tmp_path, "deep.jsonl", line))


def test_a_number_of_thousands_of_digits_is_rejected(tmp_path: Path) -> None:
    data = '{{"id": {}, "text": "{}"}}'.format("7" * 5_000, TEXT)
    assert "a number of 5,000 digits" in _reason(_file(tmp_path, "big.json", data))


def test_lone_surrogates_are_replaced_and_stored(tmp_path: Path) -> None:
    data = f'{{"id": "a\\ud800", "title": "T\\udfff", "text": "{TEXT} \\ud83d"}}'
    article = _one(_file(tmp_path, "s.json", data))
    assert isinstance(article, Article)
    assert article.raw_text.endswith("\ufffd") and article.external_id == "a\ufffd"
    assert article.title == "T\ufffd"
    article.raw_text.encode("utf-8")  # storable
    # A surrogate pair written as two escapes is one character, and stays.
    pair = _one(_file(tmp_path, "p.json", f'{{"text": "{TEXT} \\ud83d\\ude00"}}'))
    assert isinstance(pair, Article) and pair.raw_text.endswith("\U0001f600")


@pytest.mark.parametrize(("fields", "reason"), [
    ({"url": "http://[::1"}, "'url' is not a URL"),
    ({"url": 12}, "'url' must be a string"),
    ({"published": "9999-12-31"}, "'published': 9999-12-31 lies in the future"),
    ({"published": "0001-01-01"}, "'published': 0001-01-01 is before 1000"),
    ({"published": "demain"}, "'published': not an ISO date"),
    ({"language": "x" * 10_000}, "'language' is not a language code"),
    ({"language": "../../etc"}, "'language' is not a language code"),
    ({"id": {"a": 1}}, "'id' must be a string or an integer"),
    ({"id": "i" * 1_000}, "'id' of 1,000 characters"),
    ({"text": 12}, "'text' must be a string"),
])
def test_bad_field_values_reject_the_record_saying_which(
    tmp_path: Path, fields: dict[str, object], reason: str
) -> None:
    record = {"text": TEXT, **fields}
    assert reason in _reason(_file(tmp_path, "r.json", json.dumps(record)))


def test_a_regional_language_tag_reads_as_its_language(tmp_path: Path) -> None:
    article = _one(_file(tmp_path, "r.json", json.dumps({"text": TEXT, "language": "fr-FR"})))
    assert isinstance(article, Article) and article.language == "fr"


def test_line_separators_inside_strings_do_not_end_a_record(tmp_path: Path) -> None:
    lines = [json.dumps({"id": str(i), "text": f"{TEXT}{sep} Suite {i}."}, ensure_ascii=False)
             for i, sep in enumerate(["\u2028", "\u2029", "\u0085", "\x0c"])]
    items = _items(_file(tmp_path, "sep.jsonl", "\n".join(lines) + "\r\n"))
    assert [type(i) for i in items] == [Article] * 4
    assert [i.external_id for i in items if isinstance(i, Article)] == ["0", "1", "2", "3"]


def test_files_without_an_article_say_so(tmp_path: Path) -> None:
    assert "empty JSON list" in _reason(_file(tmp_path, "e.json", "[]"))
    assert "no article in it" in _reason(_file(tmp_path, "e.warc", b"WARC/1.0\r\n\x00garbage"))
    rnd = bytes(random.Random(3).randrange(256) for _ in range(400))
    assert _reason(_file(tmp_path, "r.warc", rnd))
    rss = "<?xml version='1.0'?><rss version='2.0'><channel><title>t</title></channel></rss>"
    assert "no entries" in _reason(_file(tmp_path, "e.rss", rss))


def test_gzip_is_unpacked_and_bounded(tmp_path: Path) -> None:
    article = _one(_file(tmp_path, "a.txt.gz", gzip.compress(TEXT.encode())))
    assert isinstance(article, Article) and article.raw_text == TEXT
    bomb = gzip.compress(b"a" * 30_000_000)
    assert "unpacks to over 20.0 MB" in _reason(_file(tmp_path, "bomb.gz", bomb))
    cut = gzip.compress(TEXT.encode())[:-10]
    assert "gzip" in _reason(_file(tmp_path, "cut.gz", cut))
    records = gzip.compress((json.dumps({"text": TEXT}) + "\n").encode())
    assert isinstance(_one(_file(tmp_path, "r.jsonl.gz", records)), Article)


def test_file_names_that_are_not_utf8_are_read_and_shown_escaped(tmp_path: Path) -> None:
    raw = os.path.join(os.fsencode(tmp_path), b"caf\xe9\x1b[2J.txt")
    with open(raw, "wb") as out:
        out.write(TEXT.encode())
    article = _one(tmp_path)
    assert isinstance(article, Article)
    assert article.path == f"{tmp_path}/caf\\xe9\x1b[2J.txt"
    article.path.encode("utf-8")  # storable
    assert printable(article.path) == f"{tmp_path}/caf\\xe9\\x1b[2J.txt"


def test_a_folder_that_cannot_be_listed_is_rejected(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    _file(locked, "a.txt", TEXT)
    _file(tmp_path, "b.txt", TEXT + " Encore.")
    real = os.scandir

    def scandir(path: object) -> object:  # root lists any folder: refuse as a user's mode would
        if os.fspath(path) == str(locked):  # type: ignore[call-overload]
            raise PermissionError(13, "Permission denied", str(locked))
        return real(path)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "scandir", scandir)
    for given_path in (tmp_path, locked):
        items = _items(given_path)
        refused = [i for i in items if isinstance(i, Rejection)]
        assert [(r.path, r.reason) for r in refused] == [
            (str(locked), "cannot read folder: Permission denied")]


def test_markup_built_to_stall_the_parser_is_refused_at_once() -> None:
    attrs = " ".join(f"a{i}=x" for i in range(200_000))
    started = time.monotonic()
    with pytest.raises(MalformedInput, match="200,000 attributes"):
        check_markup(f"<p {attrs}>{TEXT}</p>", "x.html")
    with pytest.raises(MalformedInput, match="tags is over the limit"):
        check_markup("<b></b>" * 150_000, "x.html")
    assert time.monotonic() - started < 5
    # A long tag that is only a long value (an inline image) is fine.
    check_markup(f'<img src="data:image/png;base64,{"A" * 100_000}" alt="x y z">', "x.html")


def test_tiny_junk_is_no_article() -> None:
    for junk in ("\x8e", "ab", "x9 é", "Ꮁ쀀 ¤"):
        with pytest.raises(EmptyInput, match=r"too little text|no article text left"):
            clean_article(Article(id="j", raw_text=junk, path="j.txt"), min_letters=20)
    assert clean_article(Article(id="g", raw_text=TEXT), min_letters=20).text == TEXT


def test_posted_records_are_named_by_their_place() -> None:
    items = list(iter_records([{"text": TEXT}, [], {"text": TEXT, "url": "http://[::1"}],
                              "request", IngestConfig()))
    assert isinstance(items[0], Article) and items[0].path == "request#1"
    assert [(r.path, r.reason[:27]) for r in items[1:] if isinstance(r, Rejection)] == [
        ("request#2", "a record must be a JSON obj"), ("request#3", "'url' is not a URL (Invalid")]


def test_every_generated_kind_is_read_or_refused_as_expected(tmp_path: Path) -> None:
    """The campaign's generators through ingest alone (the stages are the end-to-end
    test's): no exception, and the kinds refused at the door are refused there."""
    cases = hostile_inputs(tmp_path, random.Random(7), per_kind=3,
                           only=set(kinds()) - {"folders"})
    for case in cases:
        items = _items(case.path)
        assert items, case
        assert all(isinstance(i, (Article, Rejection, Notice)) for i in items)
        if case.expect == STORE:
            assert all(isinstance(i, Article) for i in items), (case, items)
            assert len(items) == case.records
        items = [i for i in items if not isinstance(i, Notice)]
        if case.expect == REJECT and case.kind in ("json-deep", "json-bigint", "json-shapes",
                                                   "record-fields", "gzip"):
            assert all(isinstance(i, Rejection) and i.reason for i in items), (case, items)


# -- properties ------------------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(st.characters(codec=None), max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                   max_size=4),
    max_leaves=20)
_FIELDS = st.sampled_from(["text", "html", "id", "title", "url", "source", "published",
                           "language", "other"])
_VALUES = (_JSON | st.text(st.characters(codec=None), min_size=1, max_size=300)
           | st.just(news_text(random.Random(1))))
_RECORDS = st.dictionaries(_FIELDS, _VALUES, max_size=8) | _JSON


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(_RECORDS, min_size=1, max_size=5))
def test_any_json_records_end_as_articles_or_rejections(records: list[object]) -> None:
    items = [i for i in iter_records(records, "request", IngestConfig())
             if not isinstance(i, Notice)]
    assert len(items) == len(records)
    for item in items:
        assert isinstance(item, (Article, Rejection))
        if isinstance(item, Article):
            # Whatever came in, what goes to the store and the terminal is valid Unicode.
            for value in (item.raw_text, item.html or "", item.title or "", item.url or "",
                          item.external_id or "", item.source or "", item.language or ""):
                value.encode("utf-8")
        else:
            assert item.reason


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=3000),
       name=st.sampled_from(["x.txt", "x.json", "x.jsonl", "x.html", "x.warc", "x.rss",
                             "x.gz", "x.warc.gz", "x", "x.bin"]))
def test_any_bytes_end_as_articles_or_rejections(data: bytes, name: str) -> None:
    items = [i for i in iter_items(name, IngestConfig(), data=data) if not isinstance(i, Notice)]
    assert items
    assert all(isinstance(i, (Article, Rejection)) for i in items)
    assert all(i.reason for i in items if isinstance(i, Rejection))
