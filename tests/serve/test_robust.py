"""A server that cannot get stuck: JSON errors with the security headers on every failure,
bad numbers refused, HEAD answered, writes that say what was stored, readers that write
nothing beside the store, and a broken connection dropped rather than kept."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import numpy as np
import pytest

from recoupe.errors import StoreError
from recoupe.serve.library import Library
from recoupe.store.ann import PartitionedIndex
from recoupe.store.base import StoryQuery

from .conftest import TOKEN, config_for, copy_store, running

AUTH = {"Authorization": f"Bearer {TOKEN}"}
GOOD = {"id": "posted-2", "language": "fr", "published": "2023-06-02",
        "text": ("Le préfet a ordonné mercredi la fermeture des plages de la commune après une "
                 "pollution aux hydrocarbures, selon un communiqué de la préfecture maritime.")}


def _json_error(r: httpx.Response, status: int) -> str:
    assert r.status_code == status, r.text
    assert "default-src 'none'" in r.headers["content-security-policy"]
    message = r.json()["error"]["message"]
    assert isinstance(message, str) and message
    return message


def test_bad_numbers_are_422_not_500(client: httpx.Client) -> None:
    for path in ("/api/entities", "/api/stories"):
        r = client.get(path, params={"offset": 9223372036854775808})
        assert "offset" in _json_error(r, 422)
        r = client.get(path, params={"limit": 10**30})
        assert "limit" in _json_error(r, 422)
    article = client.get("/api/stories").json()["stories"][0]
    story = client.get(f"/api/stories/{article['id']}").json()
    first = story["articles"][0]["id"]
    r = client.get(f"/articles/{first}", params={"mark": "0-" + "9" * 5000})
    assert r.status_code == 422 and "mark" in r.text


def test_head_is_answered_like_get_without_a_body(client: httpx.Client) -> None:
    for path in ("/", "/api/stories", "/static/app.css"):
        r = client.head(path)
        assert r.status_code == 200, path
        assert r.content == b"" and r.headers["content-security-policy"]


def test_hostile_bodies_are_refused_or_stored_never_500(writable: httpx.Client) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    assert "nested too deeply" in _json_error(
        writable.post("/api/articles", content=deep, headers=AUTH), 400)
    r = writable.post("/api/articles", content=b'{"text": "\xff\xfe"}', headers=AUTH)
    assert "UTF-8" in _json_error(r, 400)
    # Each record judged alone: the bad ones rejected with their reasons, nothing half-stored.
    bad = [{"text": GOOD["text"], "url": "http://[::1"},
           {"text": GOOD["text"] + " Deux.", "published": "9999-12-31"},
           {"text": GOOD["text"] + " Trois.", "published": "0001-01-01"}]
    r = writable.post("/api/articles", json=bad, headers=AUTH)
    body = r.json()
    assert r.status_code == 422 and body["stored"] == [] and body["articles"] == []
    assert [x["path"] for x in body["rejected"]] == ["request#1", "request#2", "request#3"]
    total = writable.get("/api/stories").json()["total"]
    # A lone surrogate is valid JSON: stored, as U+FFFD.
    lone = json.dumps({**GOOD, "title": "Plages \ud800 fermées"}).encode("utf-8", "surrogatepass")
    r = writable.post("/api/articles", content=lone, headers=AUTH)
    assert r.status_code == 201, r.text
    stored = r.json()["stored"]
    assert len(stored) == 1 and r.json()["rejected"] == []
    assert writable.get(f"/api/articles/{stored[0]}").json()["title"] == "Plages \ufffd fermées"
    assert writable.get("/api/stories").json()["total"] == total + 1
    # The same again: already stored, nothing new.
    again = writable.post("/api/articles", content=lone, headers=AUTH)
    assert again.status_code == 200
    assert again.json()["stored"] == [] and again.json()["already_stored"] == stored


def test_an_unexpected_error_is_a_json_500_with_the_headers(
    served_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Library, query: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(Library, "stories", broken)
    with running(config_for(served_store)) as url, httpx.Client(base_url=url) as c:
        assert "internal error" in _json_error(c.get("/api/stories"), 500)
        assert c.get("/api/entities").status_code == 200  # and the server goes on


def test_readers_write_nothing_beside_the_store(served_store: Path, tmp_path: Path) -> None:
    db = copy_store(served_store, tmp_path)
    ann = Path(f"{db}.ann")
    # As a killed run leaves it: graphs marked unsaved. A reader rebuilds them in memory.
    (ann / "UNSAVED").touch()
    before = {p.name: p.stat().st_mtime_ns for p in ann.iterdir()}
    folder = {p.name for p in tmp_path.iterdir()}
    with running(config_for(db)) as url, httpx.Client(base_url=url, timeout=60) as c:
        for _ in range(3):
            assert c.get("/api/search", params={"q": "Biden Macron"}).json()["articles"]
            assert c.get("/api/stories").status_code == 200
    assert {p.name: p.stat().st_mtime_ns for p in ann.iterdir()} == before
    assert {p.name for p in tmp_path.iterdir()} <= folder | {"recoupe.db-wal", "recoupe.db-shm"}


def test_a_failed_connection_is_dropped_and_reopened(served_store: Path) -> None:
    library = Library(config_for(served_store))
    try:
        rows, _ = library.stories(StoryQuery())
        assert rows
        store = library.store

        def failing(*args: object) -> object:
            raise StoreError("disk I/O error")

        store.story_order = failing  # type: ignore[method-assign]
        with pytest.raises(StoreError):
            library.stories(StoryQuery(language="fr"))
        # The failed connection is gone: the next call opens a new one and works.
        assert library.store is not store
        assert library.stories(StoryQuery(language="fr"))[0]
        # A connection closed underneath is noticed at the next request, and replaced.
        library.store.close()
        assert library.stories(StoryQuery())[0] == rows
    finally:
        library.close()


def test_index_files_are_written_under_unique_names(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real_replace = Path.replace

    def spy(self: Path, target: os.PathLike[str] | str) -> Path:
        seen.append(self.name)
        return real_replace(self, target)

    index = PartitionedIndex(tmp_path, 4, lambda p: 0, lambda p: (np.zeros(0, np.uint64),
                                                                 np.zeros((0, 4), np.float32)))
    index.add(1, "2022-01-01", np.ones(4, np.float32))
    monkeypatch.setattr(Path, "replace", spy)
    index.save()
    monkeypatch.undo()
    # Two writers saving one graph never share a temporary file.
    assert seen and all(str(os.getpid()) in name and name.endswith(".tmp") for name in seen)
    assert (tmp_path / "2022-01-01.usearch").exists()
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))
