from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

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
