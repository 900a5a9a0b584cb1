"""A store of the seed articles plus one hostile article, and the app over it."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from recoupe import analyze
from recoupe.config import Config
from recoupe.serve import create_app

from ..conftest import SEEDS

# Article text is untrusted: markup, event handlers and script links must reach pages as text.
HOSTILE = {
    "id": "hostile-1",
    "title": "Alerte <script>alert('title')</script> sur le port de Marseille",
    "url": "javascript:alert('url')",
    "source": "evil.example",
    "published": "2023-05-04",
    "language": "fr",
    "text": (
        "Le port de Marseille a été fermé jeudi après une alerte <img src=x onerror=alert('img')> "
        "lancée par la capitainerie, selon la préfecture maritime. Les navires de commerce "
        "attendent au large <script>alert('body')</script> et les dockers ont été renvoyés chez eux. "
        "La préfecture a précisé qu'un <a href=\"javascript:alert('link')\">cliquez ici</a> "
        "communiqué serait publié dans la soirée, et que la réouverture était prévue vendredi matin "
        "si les contrôles ne révélaient aucune anomalie sur les quais."
    ),
}
TOKEN = "test-token-5f2c"


@pytest.fixture(scope="session")
def served_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("served")
    hostile = root / "hostile.jsonl"
    hostile.write_text(json.dumps(HOSTILE, ensure_ascii=False) + "\n", encoding="utf-8")
    db = root / "recoupe.db"
    # Two runs, as a newsroom feeds it: the seeds, then a later article.
    assert not analyze(SEEDS, db=db).rejected
    assert not analyze(hostile, db=db).rejected
    return db


def config_for(db: Path) -> Config:
    config = Config()
    config.store.path = str(db)
    config.serve.token = TOKEN
    return config


@contextmanager
def running(config: Config) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, in a thread; yields its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(config), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(served_store: Path) -> Iterator[str]:
    with running(config_for(served_store)) as url:
        yield url


@pytest.fixture(scope="session")
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=120) as c:
        yield c


def copy_store(store: Path, directory: Path) -> Path:
    """A copy of the store (and its vector graphs), for tests that write."""
    db = directory / "recoupe.db"
    shutil.copy(store, db)
    ann = Path(f"{store}.ann")
    if ann.exists():
        shutil.copytree(ann, Path(f"{db}.ann"))
    return db


@pytest.fixture
def writable(served_store: Path, tmp_path: Path) -> Iterator[httpx.Client]:
    """The app over a copy of the store, for tests that write."""
    db = copy_store(served_store, tmp_path)
    with running(config_for(db)) as url, httpx.Client(base_url=url, timeout=300) as c:
        yield c
