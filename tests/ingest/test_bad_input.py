"""Each kind of bad input: one clear line naming the input and the reason; the batch goes on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import recoupe
from recoupe.ingest import iter_inputs
from recoupe.model import Article, Rejection

GOOD = ("Le chancelier allemand Olaf Scholz a quant à lui annoncé dans la soirée qu'un voyage "
        "à Moscou était programmé pour bientôt.")


def _bad(tmp_path: Path, name: str, data: bytes) -> Path:
    f = tmp_path / name
    f.write_bytes(data)
    return f


def _only_rejection(path: Path | str) -> Rejection:
    items = list(iter_inputs([str(path)]))
    assert len(items) == 1 and isinstance(items[0], Rejection), items
    return items[0]


def test_empty_file(tmp_path: Path) -> None:
    r = _only_rejection(_bad(tmp_path, "empty.txt", b""))
    assert r.path.endswith("empty.txt") and "empty" in r.reason


def test_whitespace_only_file(tmp_path: Path) -> None:
    assert "empty" in _only_rejection(_bad(tmp_path, "blank.txt", b" \n\t\n")).reason


def test_binary_file(tmp_path: Path) -> None:
    data = bytes(range(256)) * 40
    assert "binary" in _only_rejection(_bad(tmp_path, "image.txt", data)).reason


def test_invalid_utf8(tmp_path: Path) -> None:
    data = GOOD.encode() + b" \xff\xfe " + "Moscou dément.".encode()
    r = _only_rejection(_bad(tmp_path, "broken.txt", data))
    assert "invalid UTF-8 at byte" in r.reason


def test_fifty_megabyte_file(tmp_path: Path) -> None:
    f = tmp_path / "huge.txt"
    with f.open("wb") as out:
        out.truncate(50 * 1024 * 1024)
    r = _only_rejection(f)
    assert "52.4 MB" in r.reason and "ingest.max_bytes" in r.reason


def test_unreadable_paths(tmp_path: Path) -> None:
    assert _only_rejection(tmp_path / "missing.txt").reason == "no such file or directory"
    link = tmp_path / "dangling.txt"
    os.symlink(tmp_path / "gone.txt", link)
    assert _only_rejection(link).reason == "broken symbolic link"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_permission_denied(tmp_path: Path) -> None:
    f = _bad(tmp_path, "secret.txt", GOOD.encode())
    f.chmod(0)
    assert "Permission denied" in _only_rejection(f).reason


def test_malformed_html_with_text_is_read(tmp_path: Path, db: Path) -> None:
    f = _bad(tmp_path, "broken.html", f"<html><body><div><p>{GOOD}<p>{GOOD} Encore.<div".encode())
    report = recoupe.analyze([f], db=db)
    assert report.rejected == []
    assert "Olaf Scholz" in report.articles[0].text


def test_html_without_text_is_rejected(tmp_path: Path, db: Path) -> None:
    f = _bad(tmp_path, "empty.html", b"<html><head><script>var x = 1;</script></head><body></body></html>")
    report = recoupe.analyze([f], db=db)
    assert len(report.rejected) == 1
    assert report.rejected[0].path == str(f) and "no text" in report.rejected[0].reason


def test_bad_inputs_do_not_stop_the_batch(seeds: Path, tmp_path: Path, db: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    _bad(bad, "empty.txt", b"")
    _bad(bad, "binary.bin", bytes(range(256)) * 8)
    _bad(bad, "broken.jsonl", b'{"text": "' + GOOD.encode() + b'"}\n{oops\n')
    _bad(bad, "only-chrome.txt", b"Partager\n0\nLire aussi : autre chose")
    report = recoupe.analyze([seeds, bad, tmp_path / "missing"], db=db)
    assert len(report.articles) == 6
    reasons = {Path(r.path).name: r.reason for r in report.rejected}
    assert set(reasons) == {"empty.txt", "binary.bin", "broken.jsonl#2", "only-chrome.txt", "missing"}
    assert "no article text left" in reasons["only-chrome.txt"]
    assert all(isinstance(a, Article) for a in report.articles)
