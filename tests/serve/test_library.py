"""What the web application keeps, and when it lets go of it: after any write to the store,
by this process or another (``recoupe analyze``, another server worker)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from markupsafe import escape

from recoupe import analyze
from recoupe.serve.library import Library
from recoupe.store.base import StoryQuery

from .conftest import config_for, copy_store

LATER = {
    "id": "later-1", "title": "Sécheresse : un plan de soutien aux agriculteurs", "language": "fr",
    "published": "2023-07-10", "source": "wire.example",
    "text": ("Le gouvernement a annoncé lundi un plan de soutien aux agriculteurs touchés par la "
             "sécheresse, doté de 500 millions d'euros, selon le ministère de l'Agriculture. Les "
             "aides seront versées avant la fin de l'été, a précisé le ministre devant la presse."),
}


def test_a_write_by_another_process_drops_what_was_kept(served_store: Path, tmp_path: Path) -> None:
    db = copy_store(served_store, tmp_path)
    library = Library(config_for(db))
    try:
        rows, total = library.stories(StoryQuery(limit=2))
        assert total == 3 and len(rows) == 2
        assert library.stories(StoryQuery(offset=2, limit=2))[0][0].id not in {r.id for r in rows}
        before = library.generation
        assert library.memo(("page", rows[0].id), lambda: "rendered", before) == "rendered"
        assert library.memo(("page", rows[0].id), lambda: "again", before) == "rendered"  # kept

        posted = tmp_path / "later.jsonl"
        posted.write_text(json.dumps(LATER, ensure_ascii=False) + "\n", encoding="utf-8")
        assert not analyze(posted, db=db).rejected  # another connection, as another process

        rows, total = library.stories(StoryQuery())
        assert total == 4 and rows[0].headline.startswith("Sécheresse")  # newest first
        assert library.generation != before
        assert library.memo(("page", rows[1].id), lambda: "again", before) == "again"
        # Computed from reads made before the write: not kept.
        assert library.memo(("page", "x"), lambda: "stale", before) == "stale"
        assert library.memo(("page", "x"), lambda: "fresh", library.generation) == "fresh"
    finally:
        library.close()


def test_workers_serve_with_the_parent_config(served_store: Path, tmp_path: Path) -> None:
    db = copy_store(served_store, tmp_path)
    config = tmp_path / "recoupe.toml"
    config.write_text("[serve]\npage_size = 2\n", encoding="utf-8")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "recoupe", "serve", "--db", str(db), "--port", str(port),
         "--config", str(config), "--workers", "2", "-q"])
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                listing = httpx.get(f"{base}/api/stories", timeout=30)
                break
            except httpx.TransportError:
                assert server.poll() is None, "recoupe serve --workers 2 exited"
                assert time.monotonic() < deadline, "recoupe serve --workers 2 did not start"
                time.sleep(0.3)
        body = listing.json()
        # The config file and --db reached the workers: its page size, this store.
        assert (body["total"], body["limit"], len(body["stories"])) == (3, 2, 2)
        # Several connections: the kernel spreads them over both processes.
        story = body["stories"][0]
        fresh = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(base_url=base, timeout=60, limits=fresh) as c:
            for _ in range(6):
                page = c.get(f"/stories/{story['id']}")
                assert page.status_code == 200 and str(escape(story["headline"])) in page.text
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_search_days_keeps_the_meaning_search_to_the_latest_days(served_store: Path) -> None:
    config = config_for(served_store)
    everything = Library(config)
    config = config_for(served_store)
    config.serve.search_days = 31  # the hostile article (May 2023) is alone in its last 31 days
    recent = Library(config)
    try:
        query = "coup de fil Biden Poutine"  # no article writes it: only meaning finds the call
        found = [h for h in everything.search(query)[0] if "meaning" in h.by]
        december = {h.article.id for h in found if h.article.published.date == "2021-12-30"
                    and h.article.published.basis != "refined"}  # a month's: filed undated
        assert december  # the Biden-Putin call, filed on its day
        latest = [h for h in recent.search(query)[0] if "meaning" in h.by]
        assert "hostile-1" in {h.article.external_id for h in latest}
        # Out of the window now (articles with no exact day stay searchable: undated).
        assert not december & {h.article.id for h in latest}
    finally:
        everything.close()
        recent.close()
