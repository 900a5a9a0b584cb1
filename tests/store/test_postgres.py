"""The PostgreSQL store beyond the contract: its schema, its indexes, several writers at once,
and the same report as SQLite end to end (tests/store/test_contract.py runs the rest)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from recoupe import analyze
from recoupe.config import Config, StoreConfig
from recoupe.errors import StoreError
from recoupe.model import Article, Embedding, PublishedDate, to_dict
from recoupe.store import open_store
from recoupe.store.postgres import PostgresStore, migrations

from ..conftest import SEEDS, SHARED_DATA


def _vector_article(i: int, dim: int) -> Article:
    v = np.zeros(dim, np.float32)
    v[i % dim] = 1.0
    return Article(id=f"v{i}", raw_text="x", text="x",
                   published=PublishedDate("2022-02-01", "day", "input"),
                   embedding=Embedding(doc=v, sentences=v[None, :], lead=1))


def test_schema_is_versioned_and_a_newer_one_refused(postgres_url: str) -> None:
    store = PostgresStore(postgres_url)
    assert store.schema_version == migrations()[-1][0] >= 1
    store.close()
    again = PostgresStore(postgres_url)  # reopening migrates nothing
    assert again.schema_version == migrations()[-1][0]
    again.conn.execute("UPDATE recoupe_meta SET version = 999")
    again.close()
    with pytest.raises(StoreError, match="newer than this recoupe"):
        PostgresStore(postgres_url)


def test_a_server_that_does_not_answer_is_a_store_error_without_the_password(
        postgres_server: object) -> None:
    config = StoreConfig(type="postgresql",
                         url="postgresql://someone:s3cret@127.0.0.1:1/recoupe?connect_timeout=2")
    with pytest.raises(StoreError, match="cannot open store") as info:
        open_store(config)
    assert "s3cret" not in str(info.value) and "someone:***@" in str(info.value)


def test_one_hnsw_index_per_vector_table_serves_the_whole_archive(postgres_url: str) -> None:
    store = PostgresStore(postgres_url)
    for i in range(20):
        store.save_article(_vector_article(i, 32))
    (definition,) = store.conn.execute(
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'article_vectors_hnsw'").fetchone()
    assert "hnsw" in definition and "vector(32)" in definition
    store.conn.execute("SET enable_seqscan = off")  # a table of 20 rows would be scanned
    plan = " ".join(r[0] for r in store.conn.execute(
        "EXPLAIN SELECT article_id FROM article_vectors "
        "ORDER BY doc::vector(32) <=> %s::vector(32) LIMIT 5", (np.ones(32, np.float32),)))
    assert "article_vectors_hnsw" in plan
    assert store.search_vectors(np.eye(1, 32, 3, dtype=np.float32)[0], 1, 0)[0][0] == "v3"
    # Another embedder's vectors do not go in silently.
    with pytest.raises(StoreError, match="another dimension"):
        store.save_article(_vector_article(99, 16))
    store.close()


def _report(paths: list[str], store: StoreConfig) -> dict[str, object]:
    config = Config()
    config.store = store
    report = to_dict(analyze(paths, config=config))
    report["run"].pop("seconds")  # the one thing that differs
    return report


def _sample(tmp_path: Path, n: int) -> list[str]:
    """The seeds, and the first ``n`` French ML-Crisis documents when the data is here."""
    paths = [str(SEEDS)]
    documents = SHARED_DATA / "ml_crisis" / "documents.jsonl"
    if documents.exists():
        rows = []
        with documents.open(encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                if row.get("lang") == "fr":
                    rows.append({"id": row["doc_id"], "text": row["text"],
                                 "published": row.get("pub_date")})
                if len(rows) == n:
                    break
        sample = tmp_path / "sample.jsonl"
        sample.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows),
                          encoding="utf-8")
        paths.append(str(sample))
    return paths


def test_the_same_report_as_sqlite_on_the_same_input(tmp_path: Path, postgres_url: str) -> None:
    paths = _sample(tmp_path, 40)
    sqlite = _report(paths, StoreConfig(path=str(tmp_path / "s.db")))
    postgres = _report(paths, StoreConfig(type="postgresql", url=postgres_url))
    assert postgres == sqlite
    assert sqlite["stories"]  # something was compared


def test_writers_running_at_once_give_every_article_one_story(tmp_path: Path,
                                                                postgres_url: str) -> None:
    # Two analyses of overlapping inputs into one database, at the same time: each article
    # is stored once and filed in exactly one story.
    paths = _sample(tmp_path, 30)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    runs = [subprocess.Popen([sys.executable, "-m", "recoupe", "analyze", *paths, "--db",
                              postgres_url, "-q", "--workers", "1"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    for run in runs:
        _, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
    store = PostgresStore(postgres_url)
    articles = store.get_articles()
    members = [a for s in store.stories() for a in s.articles]
    assert sorted(members) == sorted(a.id for a in articles)  # each in one story, none left
    assert store.awaiting_grouping() == []
    store.close()
    alone = _report(paths, StoreConfig(path=str(tmp_path / "alone.db")))
    assert len(articles) == len(alone["articles"])  # type: ignore[arg-type]
