"""The embedded store: one SQLite file, WAL mode, versioned migrations."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import sqlite3
import struct
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from ..config import StoreConfig
from ..errors import StoreError
from ..model import (
    Article,
    Embedding,
    Entity,
    Fingerprint,
    Granularity,
    Rejection,
    ReusePair,
    Story,
    Storyline,
    article_payload,
    from_dict,
)
from ..nlp.canonical import fold, surname_group
from .ann import UNDATED, PartitionedIndex, days_between, months_between
from .base import (
    HALF_LIFE_DAYS,
    LANGUAGE_WEIGHT,
    UNDATED_AGE,
    EntityRow,
    IndexedFingerprint,
    NameRow,
    Neighbour,
    StoryQuery,
    StoryRow,
    StoryState,
    assemble_entities,
    assemble_storylines,
    canonical_of,
    keys_to_recount,
    own_span,
    register_store,
    shipped_migrations,
    story_filter,
    wrap_errors,
)

_NAMES_VERSION = 4  # the migration that adds article_names: filled from stored articles
_GROUPS_VERSION = 8  # the migration that gives every name key its group
_CHUNK = 500  # host parameters per IN (...) query, well under SQLite's limit

log = logging.getLogger(__name__)


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration shipped, in order."""
    return shipped_migrations("migrations")


class _WriterLock:
    """One writer at a time, across processes: an advisory lock on a file beside the store.

    SQLite's own lock makes a writer that waits longer than its busy timeout fail, and a
    grouping of many articles holds it for minutes; this one waits as long as the other
    writer takes. Re-entrant within one store object (a transaction inside ``exclusive``).
    """

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._fd: int | None = None
        self._depth = 0

    def acquire(self) -> None:
        if self.path is None:
            return
        if self._depth == 0:
            try:
                if self._fd is None:
                    self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            except OSError as exc:
                raise StoreError(f"cannot lock {self.path}: {exc.strerror or exc}") from exc
        self._depth += 1

    def release(self) -> None:
        if self.path is None or self._depth == 0:
            return
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # releases the lock with it
            self._fd, self._depth = None, 0

    @contextmanager
    def held(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()


class SQLiteStore:
    def __init__(self, path: str | Path, readonly: bool = False) -> None:
        self.path = str(path)
        self.readonly = readonly
        self._ann: PartitionedIndex | None = None
        self._story_ann: PartitionedIndex | None = None
        memory = self.path == ":memory:"
        self._lock = _WriterLock(None if memory else self.path + ".lock")
        try:
            if not memory:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            # Our writers queue on the writer lock; this covers any other program's.
            self.conn.execute("PRAGMA busy_timeout=60000")
            # The reuse index inserts random keys into large B-trees: a 64 MiB
            # page cache instead of the 2 MiB default keeps them off the disk.
            self.conn.execute("PRAGMA cache_size=-65536")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open store {self.path}: {exc} (is it a recoupe store?)") from exc
        except OSError as exc:
            raise StoreError(f"cannot open store {self.path}: {exc.strerror or exc}") from exc

    # -- schema

    def _migrate(self) -> None:
        current = self.conn.execute("PRAGMA user_version").fetchone()[0]
        known = migrations()
        latest = known[-1][0] if known else 0
        if current > latest:
            raise StoreError(
                f"store {self.path} has schema version {current}, newer than this recoupe "
                f"knows ({latest}); upgrade recoupe"
            )
        for version, _name, sql in known:
            if version <= current:
                continue
            with self._tx():
                for statement in _statements(sql):
                    self.conn.execute(statement)
                if version == _NAMES_VERSION:
                    self._backfill_names()
                if version == _GROUPS_VERSION:
                    keys = [r[0] for r in self.conn.execute("SELECT key FROM name_keys")]
                    self.conn.executemany("UPDATE name_keys SET surname = ? WHERE key = ?",
                                          [(surname_group(k), k) for k in keys])
                self.conn.execute(f"PRAGMA user_version = {version}")

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        if self.conn.in_transaction:  # inside ``batch``: its transaction holds this one
            yield self.conn
            return
        with self._lock.held():
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:  # the work inside, or the commit itself
                with suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
                # What the vector graphs took in during the transaction is undone in the
                # database only: drop them from memory (unsaved, they are rebuilt from the
                # database when next read).
                self._ann = self._story_ann = None
                raise

    @contextmanager
    def batch(self) -> Iterator[None]:
        with self._tx():
            yield

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._lock.held():
            # Another writer may have filed vectors since this connection read the graphs:
            # save ours and read them again, a graph whose size disagrees with the database
            # being rebuilt from it.
            self.flush()
            self._ann = self._story_ann = None
            yield

    # -- articles

    def known_ids(self, ids: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(list(ids)):
            rows = self.conn.execute(
                f"SELECT id FROM articles WHERE id IN ({_marks(chunk)})", chunk
            )
            found.update(r[0] for r in rows)
        return found

    def add_input(self, article_id: str, path: str) -> None:
        with self._tx():
            self.conn.execute(
                "INSERT OR IGNORE INTO article_inputs(article_id, path) VALUES (?, ?)",
                (article_id, path),
            )

    def await_grouping(self, article_ids: Iterable[str]) -> None:
        with self._tx() as db:
            db.executemany("INSERT OR IGNORE INTO ungrouped(article_id) VALUES (?)",
                           [(i,) for i in article_ids])

    def awaiting_grouping(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT u.article_id FROM ungrouped u JOIN articles a ON a.id = u.article_id "
            "ORDER BY a.seq")]

    def grouped(self, article_ids: Iterable[str]) -> None:
        with self._tx() as db:
            db.executemany("DELETE FROM ungrouped WHERE article_id = ?",
                           [(i,) for i in article_ids])

    def save_article(self, article: Article) -> None:
        pub = article.published
        with self._tx() as db:
            old = db.execute("SELECT payload FROM articles WHERE id = ?", (article.id,)).fetchone()
            if old is not None:
                self._count_terms(json.loads(old[0]).get("terms", {}), -1)
            seq = db.execute(
                """INSERT INTO articles(id, external_id, path, url, source, title, language,
                       published_date, published_granularity, published_basis, input_format,
                       raw_text, html, payload)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                   ON CONFLICT(id) DO UPDATE SET
                       title=excluded.title, language=excluded.language,
                       published_date=excluded.published_date,
                       published_granularity=excluded.published_granularity,
                       published_basis=excluded.published_basis, payload=excluded.payload
                   RETURNING seq""",
                (article.id, article.external_id, article.path, article.url, article.source,
                 article.title, article.language, pub.date, pub.granularity, pub.basis,
                 article.input_format, article.raw_text, article.html, article_payload(article)),
            ).fetchone()[0]
            if old is not None:
                db.execute("DELETE FROM article_search WHERE rowid = ?", (seq,))
            db.execute("INSERT INTO article_search(rowid, title, text) VALUES (?, ?, ?)",
                       (seq, article.title or "", article.text))
            if article.path:
                db.execute(
                    "INSERT OR IGNORE INTO article_inputs(article_id, path) VALUES (?, ?)",
                    (article.id, article.path),
                )
            self._count_terms(article.terms, +1)
            self._save_names(db, article)
            moved = self._file_vectors(article)
        if moved is not None:
            # After the commit: the database is the truth, the index follows it.
            key, filed, old_day, new_day, doc = moved
            index = self._index(len(doc))
            if filed and index.partition(old_day) != index.partition(new_day):
                index.remove(key, old_day)
            index.add(key, new_day, doc)

    def _file_vectors(
        self, article: Article
    ) -> tuple[int, bool, str | None, str | None, Any] | None:
        """Store the article's vectors under its day; what the index must do, if anything."""
        # Filed by its own date only: a date lent by its story says nothing of it.
        span = own_span(article.published)
        first, last = span if span else (None, None)
        day = first if span and first == last else None
        old = self.conn.execute(
            "SELECT key, day, doc, first_day, last_day FROM article_vectors WHERE article_id = ?",
            (article.id,),
        ).fetchone()
        emb = article.embedding
        if emb is None:
            if old is None or (old[1], old[3], old[4]) == (day, first, last):
                return None
            self.conn.execute(
                "UPDATE article_vectors SET day = ?, first_day = ?, last_day = ? "
                "WHERE article_id = ?", (day, first, last, article.id)
            )
            return old[0], True, old[1], day, np.frombuffer(old[2], dtype=np.float32)
        key = self.conn.execute(
            "SELECT seq FROM articles WHERE id = ?", (article.id,)
        ).fetchone()[0]
        doc = np.asarray(emb.doc, dtype=np.float32)
        sentences = np.clip(np.rint(np.asarray(emb.sentences) * 127), -127, 127).astype(np.int8)
        self.conn.execute(
            "INSERT OR REPLACE INTO article_vectors(article_id, key, day, first_day, last_day, "
            "dim, lead, doc, sentences) VALUES (?,?,?,?,?,?,?,?,?)",
            (article.id, key, day, first, last, len(doc), emb.lead, doc.tobytes(),
             sentences.tobytes()),
        )
        return key, old is not None, old[1] if old else None, day, doc

    def _index(self, dim: int | None = None) -> PartitionedIndex:
        if self._ann is None:
            self._ann = PartitionedIndex(self._ann_dir(), dim or self._dim(), self._count_filed,
                                         self._load_filed, readonly=self.readonly)
        return self._ann

    def _story_index(self, dim: int | None = None) -> PartitionedIndex:
        if self._story_ann is None:
            self._story_ann = PartitionedIndex(
                self._ann_dir(), dim or self._dim(), self._count_stories, self._load_stories,
                by="month", prefix="stories-", readonly=self.readonly)
        return self._story_ann

    def _ann_dir(self) -> Path | None:
        return None if self.path == ":memory:" else Path(self.path + ".ann")

    def _dim(self) -> int:
        row = self.conn.execute("SELECT dim FROM article_vectors LIMIT 1").fetchone()
        return int(row[0]) if row else 512

    def _story_where(self, partition: str) -> tuple[str, tuple[str, ...]]:
        if partition == UNDATED:
            return "vector IS NOT NULL AND date IS NULL", ()
        return "vector IS NOT NULL AND date >= ? AND date < ?", (partition, partition + "-99")

    def _count_stories(self, partition: str) -> int:
        where, args = self._story_where(partition)
        return int(self.conn.execute(f"SELECT COUNT(*) FROM stories WHERE {where}", args)
                   .fetchone()[0])

    def _load_stories(self, partition: str) -> tuple[Any, Any]:
        where, args = self._story_where(partition)
        rows = list(self.conn.execute(f"SELECT seq, vector FROM stories WHERE {where}", args))
        if not rows:
            return np.zeros(0, dtype=np.uint64), np.zeros((0, self._dim()), np.float32)
        return (np.asarray([r[0] for r in rows], dtype=np.uint64),
                np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows]))

    def nearest_stories(self, vector: Any, start: str, end: str, k: int
                        ) -> list[tuple[str, str | None, float]]:
        return self.nearest_stories_many([vector], [(start, end)], k)[0]

    def nearest_stories_many(self, vectors: Sequence[Any], windows: Sequence[tuple[str, str]],
                             k: int) -> list[list[tuple[str, str | None, float]]]:
        if not len(vectors):
            return []
        index = self._story_index(len(vectors[0]))
        searched = index.search_many(
            np.asarray(vectors, dtype=np.float32),
            [[*months_between(start, end), UNDATED] for start, end in windows], k)
        founds = [dict(zip(keys.tolist(), sims.tolist(), strict=True)) for keys, sims in searched]
        stories: dict[int, tuple[str, str | None]] = {}
        for chunk in _chunks(sorted({seq for found in founds for seq in found})):
            for seq, story_id, day in self.conn.execute(
                f"SELECT seq, id, date FROM stories WHERE seq IN ({_marks(chunk)})", chunk
            ):
                stories[seq] = (story_id, day)
        out = []
        for (start, end), found in zip(windows, founds, strict=True):
            near = []
            for seq, sim in found.items():
                story_id, day = stories.get(seq, ("", None))
                if story_id and (day is None or start <= day <= end):
                    near.append((story_id, day, sim))
            out.append(sorted(near, key=lambda r: -r[2]))
        return out

    def _filed_where(self, partition: str) -> tuple[str, tuple[str, ...]]:
        if partition == UNDATED:
            return "day IS NULL", ()
        return "day = ?", (partition,)

    def _count_filed(self, partition: str) -> int:
        where, args = self._filed_where(partition)
        return int(
            self.conn.execute(f"SELECT COUNT(*) FROM article_vectors WHERE {where}", args)
            .fetchone()[0]
        )

    def _load_filed(self, partition: str) -> tuple[Any, Any]:
        where, args = self._filed_where(partition)
        rows = self.conn.execute(f"SELECT key, doc FROM article_vectors WHERE {where}", args)
        keys, docs = [], []
        for key, doc in rows:
            keys.append(key)
            docs.append(np.frombuffer(doc, dtype=np.float32))
        if not keys:
            return np.zeros(0, dtype=np.uint64), np.zeros((0, self._index().dim), np.float32)
        return np.asarray(keys, dtype=np.uint64), np.vstack(docs)

    def _count_terms(self, terms: dict[str, Any], delta: int) -> None:
        if not terms:
            return
        self.conn.executemany(
            "INSERT INTO term_df(term, df) VALUES (?, ?) "
            "ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
            [(t, delta) for t in terms],
        )

    def _rows(self, query: str, ids: Iterable[str] | None) -> list[tuple[Any, ...]]:
        """Rows of ``query`` (whose first column is ``seq``), all or for ``ids``, by seq."""
        if ids is None:
            return list(self.conn.execute(query + " ORDER BY seq"))
        rows: list[tuple[Any, ...]] = []
        for chunk in _chunks(list(ids)):
            rows.extend(self.conn.execute(query + f" WHERE id IN ({_marks(chunk)})", chunk))
        return sorted(rows, key=lambda r: r[0])

    def get_articles(self, ids: Iterable[str] | None = None) -> list[Article]:
        rows = self._rows("SELECT seq, raw_text, html, payload FROM articles", ids)
        out = []
        for _seq, raw_text, html, payload in rows:
            article = from_dict(Article, {**json.loads(payload), "raw_text": raw_text, "html": html})
            out.append(article)
        return out

    def count_articles(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def set_published(self, article_id: str, date: str, granularity: Granularity, basis: str) -> None:
        with self._tx() as db:
            row = db.execute("SELECT payload FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row is None:
                raise StoreError(f"no article {article_id} in the store")
            payload = json.loads(row[0])
            payload["published"] = {"date": date, "granularity": granularity, "basis": basis}
            db.execute(
                "UPDATE articles SET published_date=?, published_granularity=?, published_basis=?, "
                "payload=? WHERE id=?",
                (date, granularity, basis, json.dumps(payload, ensure_ascii=False), article_id),
            )

    # -- boilerplate learnt per source

    def record_lines(self, source: str, article_id: str, hashes: Iterable[str]) -> None:
        with self._tx() as db:
            db.executemany(
                "INSERT OR IGNORE INTO source_lines(source, line_hash, article_id) VALUES (?,?,?)",
                [(source, h, article_id) for h in hashes],
            )

    def repeated_lines(self, source: str, min_articles: int) -> frozenset[str]:
        rows = self.conn.execute(
            "SELECT line_hash FROM source_lines WHERE source = ? GROUP BY line_hash "
            "HAVING COUNT(*) >= ?",
            (source, min_articles),
        )
        return frozenset(r[0] for r in rows)

    def mark_lines_applied(self, article_id: str, hashes: Iterable[str]) -> None:
        with self._tx() as db:
            db.executemany(
                "UPDATE source_lines SET applied = 1 WHERE article_id = ? AND line_hash = ?",
                [(article_id, h) for h in hashes],
            )

    def stale_boilerplate(self, min_articles: int) -> list[str]:
        rows = self.conn.execute(
            """SELECT DISTINCT sl.article_id FROM source_lines sl
               JOIN (SELECT source, line_hash FROM source_lines GROUP BY source, line_hash
                     HAVING COUNT(*) >= ?) rep
                 ON rep.source = sl.source AND rep.line_hash = sl.line_hash
               JOIN articles a ON a.id = sl.article_id
               WHERE sl.applied = 0 ORDER BY a.seq""",
            (min_articles,),
        )
        return [r[0] for r in rows]

    # -- grouping

    def document_frequencies(self, terms: Iterable[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for chunk in _chunks(list(terms)):
            rows = self.conn.execute(
                f"SELECT term, df FROM term_df WHERE term IN ({_marks(chunk)})", chunk
            )
            out.update((t, int(df)) for t, df in rows)
        return out

    def embeddings(self, ids: Iterable[str]) -> dict[str, Embedding]:
        out: dict[str, Embedding] = {}
        for chunk in _chunks(list(ids)):
            for article_id, dim, lead, doc, sentences in self.conn.execute(
                "SELECT article_id, dim, lead, doc, sentences FROM article_vectors "
                f"WHERE article_id IN ({_marks(chunk)})", chunk
            ):
                rows = np.frombuffer(sentences, dtype=np.int8).reshape(-1, dim)
                out[article_id] = Embedding(
                    doc=np.frombuffer(doc, dtype=np.float32),
                    sentences=rows.astype(np.float32) / 127.0, lead=lead,
                )
        return out

    def nearest(self, vector: Any, start: str | None, end: str | None, k: int) -> list[Neighbour]:
        return self.nearest_many([vector], [(start, end)], k)[0]

    def nearest_many(self, vectors: Sequence[Any], windows: Sequence[tuple[str | None, str | None]],
                     k: int, limit: int | None = None) -> list[list[Neighbour]]:
        if not len(vectors):
            return []
        index = self._index(len(vectors[0]))
        recent: list[str] | None = None
        partitions = []
        for start, end in windows:
            if start is not None and end is not None:
                partitions.append([*days_between(start, end), UNDATED])
                continue
            if recent is None:  # undated: nothing to place it by but recency
                latest = self.conn.execute("SELECT MAX(day) FROM article_vectors").fetchone()[0]
                recent = [UNDATED]
                if latest:
                    first = (date.fromisoformat(latest) - timedelta(days=7)).isoformat()
                    recent += days_between(first, latest)
            partitions.append(recent)
        found = []
        for keys, sims in index.search_many(np.stack(vectors), partitions, k):
            order = np.argsort(-sims, kind="stable")[:limit]
            found.append((keys[order].tolist(), sims[order].tolist()))
        filed: dict[int, tuple[str, str | None, str | None, str | None]] = {}
        for chunk in _chunks(sorted({key for keys, _ in found for key in keys})):
            for key, article_id, day, first, last in self.conn.execute(
                "SELECT key, article_id, day, first_day, last_day FROM article_vectors "
                f"WHERE key IN ({_marks(chunk)})", chunk,
            ):
                filed[key] = (article_id, day, first, last)
        out = []
        for (start, end), (keys, sims) in zip(windows, found, strict=True):
            mine = []
            for key, similarity in zip(keys, sims, strict=True):
                if (row := filed.get(key)) is None:
                    continue
                their_id, day, first_day, last_day = row
                if day and start and end and not start <= day <= end:
                    continue
                mine.append(Neighbour(their_id, first_day, last_day, similarity))
            out.append(mine)
        return out

    def story_of(self, article_ids: Iterable[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(list(article_ids)):
            out.update(self.conn.execute(
                "SELECT article_id, story_id FROM story_articles "
                f"WHERE article_id IN ({_marks(chunk)})", chunk,
            ))
        return out

    def story_spans(self, story_ids: Iterable[str]
                    ) -> dict[str, tuple[tuple[str, str] | None, tuple[str, str] | None]]:
        out: dict[str, tuple[tuple[str, str] | None, tuple[str, str] | None]] = {}
        for chunk in _chunks(list(story_ids)):
            for story_id, first, last, lo, hi in self.conn.execute(
                "SELECT sa.story_id, MIN(v.day), MAX(v.day), "
                "MAX(CASE WHEN v.day IS NULL THEN v.first_day END), "
                "MIN(CASE WHEN v.day IS NULL THEN v.last_day END) FROM story_articles sa "
                "JOIN article_vectors v ON v.article_id = sa.article_id "
                f"WHERE sa.story_id IN ({_marks(chunk)}) GROUP BY sa.story_id", chunk,
            ):
                out[story_id] = ((first, last) if first else None, (lo, hi) if lo else None)
        return out

    def stories(self) -> list[Story]:
        return [s.story for s in self.story_states()]

    def story_states(self, ids: Sequence[str] | None = None) -> list[StoryState]:
        rows = self._rows(
            "SELECT seq, id, headline, date, date_granularity, vector, storyline, coverage "
            "FROM stories", ids
        )
        wanted = [r[1] for r in rows]
        members: dict[str, list[str]] = {}
        aliases: dict[str, list[str]] = {}
        for chunk in [None] if ids is None else list(_chunks(wanted)):
            where = "1" if chunk is None else f"story_id IN ({_marks(chunk)})"
            args = chunk or ()
            for story_id, article_id in self.conn.execute(
                "SELECT sa.story_id, sa.article_id FROM story_articles sa JOIN articles a "
                f"ON a.id = sa.article_id WHERE {where.replace('story_id', 'sa.story_id')} "
                "ORDER BY a.seq", args
            ):
                members.setdefault(story_id, []).append(article_id)
            for story_id, old_id in self.conn.execute(
                f"SELECT story_id, old_id FROM story_aliases WHERE {where} ORDER BY old_id", args
            ):
                aliases.setdefault(story_id, []).append(old_id)
        return [
            StoryState(
                Story(id=i, articles=members.get(i, []), headline=h, date=d, date_granularity=g,
                      storyline=line, aliases=aliases.get(i, []), coverage=c),
                None if v is None else np.frombuffer(v, dtype=np.float32),
            )
            for _seq, i, h, d, g, v, line, c in rows
        ]

    def save_stories(self, states: Sequence[StoryState]) -> None:
        # One transaction, and one index insertion per month: story by story, the
        # insertions' call overhead was most of the cost of saving.
        if not states:
            return
        with self._tx() as db:
            filed = [self._write_story(db, state) for state in states]
        # After the writes: the database is the truth, the index follows it.
        index = self._story_index(
            next((len(s.vector) for s in states if s.vector is not None), None))
        for state, (seq, old_day, had_vector) in zip(states, filed, strict=True):
            moved = state.vector is None or index.partition(old_day) != index.partition(
                state.story.date)
            if had_vector and moved:
                index.remove(seq, old_day)
        kept = [(seq, s) for s, (seq, _, _) in zip(states, filed, strict=True)
                if s.vector is not None]
        if kept:
            index.add_many([seq for seq, _ in kept], [s.story.date for _, s in kept],
                           np.vstack([np.asarray(s.vector, np.float32) for _, s in kept]))

    def set_storyline(self, story_id: str, storyline: str | None) -> None:
        with self._tx() as db:
            db.execute("UPDATE stories SET storyline = ? WHERE id = ?", (storyline, story_id))

    def _write_story(self, db: sqlite3.Connection, state: StoryState
                     ) -> tuple[int, str | None, bool]:
        """Write one story's row and members: (its index key, the day it was filed under,
        whether it had a vector there)."""
        story = state.story
        vector = None if state.vector is None else np.asarray(state.vector, np.float32).tobytes()
        before = db.execute("SELECT date, vector FROM stories WHERE id = ?",
                            (story.id,)).fetchone()
        db.execute(
            """INSERT INTO stories(id, headline, date, date_granularity, centroid, vector,
                   storyline, coverage, language_count)
               VALUES (?,?,?,?,'{}',?,?,?,?)
               ON CONFLICT(id) DO UPDATE SET headline=excluded.headline, date=excluded.date,
                   date_granularity=excluded.date_granularity, vector=excluded.vector,
                   storyline=excluded.storyline, coverage=excluded.coverage,
                   language_count=excluded.language_count,
                   updated_at=strftime('%Y-%m-%dT%H:%M:%SZ', 'now')""",
            (story.id, story.headline, story.date, story.date_granularity, vector,
             story.storyline, story.coverage, len(story.languages)),
        )
        db.executemany(
            "INSERT INTO story_articles(article_id, story_id) VALUES (?, ?) "
            "ON CONFLICT(article_id) DO UPDATE SET story_id = excluded.story_id",
            [(a, story.id) for a in story.articles],
        )
        seq = db.execute("SELECT seq FROM stories WHERE id = ?", (story.id,)).fetchone()[0]
        had = before is not None and before[1] is not None
        return int(seq), (before[0] if before is not None else None), had

    def retire_story(self, old_id: str, new_id: str) -> None:
        if old_id == new_id:
            return
        row = self.conn.execute("SELECT seq, date, vector FROM stories WHERE id = ?",
                                (old_id,)).fetchone()
        with self._tx() as db:
            db.execute("UPDATE story_articles SET story_id = ? WHERE story_id = ?",
                       (new_id, old_id))
            db.execute("DELETE FROM stories WHERE id = ?", (old_id,))
            db.execute("UPDATE story_aliases SET story_id = ? WHERE story_id = ?",
                       (new_id, old_id))
            db.execute("DELETE FROM story_aliases WHERE old_id = ?", (new_id,))
            db.execute("INSERT OR REPLACE INTO story_aliases(old_id, story_id) VALUES (?, ?)",
                       (old_id, new_id))
        if row is not None and row[2] is not None:
            self._story_index(len(row[2]) // 4).remove(row[0], row[1] or "")

    def resolve_story(self, story_id: str) -> str | None:
        if self.conn.execute("SELECT 1 FROM stories WHERE id = ?", (story_id,)).fetchone():
            return story_id
        row = self.conn.execute(
            "SELECT story_id FROM story_aliases WHERE old_id = ?", (story_id,)
        ).fetchone()
        return None if row is None else str(row[0])

    def storylines(self, ids: Sequence[str] | None = None) -> list[Storyline]:
        lines: list[tuple[str, str]] = []
        members: list[tuple[str, str, str | None]] = []
        for chunk in [None] if ids is None else list(_chunks(list(ids))):
            where = "" if chunk is None else f" WHERE id IN ({_marks(chunk)})"
            lines.extend(self.conn.execute("SELECT id, title FROM storylines" + where,
                                           chunk or ()))
            member_where = ("storyline IS NOT NULL" if chunk is None
                            else f"storyline IN ({_marks(chunk)})")
            members.extend(self.conn.execute(
                f"SELECT id, storyline, date FROM stories WHERE {member_where} "
                "ORDER BY date IS NULL, date, id", chunk or ()))
        return assemble_storylines(lines, members)

    def save_storyline(self, storyline: Storyline) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO storylines(id, title) VALUES (?, ?) "
                "ON CONFLICT(id) DO UPDATE SET title = excluded.title",
                (storyline.id, storyline.title),
            )

    def rename_storyline(self, old_id: str, new_id: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE stories SET storyline = ? WHERE storyline = ?", (new_id, old_id))
            db.execute("INSERT OR IGNORE INTO storylines(id, title) "
                       "SELECT ?, title FROM storylines WHERE id = ?", (new_id, old_id))
            db.execute("DELETE FROM storylines WHERE id = ?", (old_id,))

    # -- entities

    def _save_names(self, db: sqlite3.Connection, article: Article) -> None:
        # The keys the article named before count again too: it may name them no more.
        db.execute("UPDATE name_keys SET stale = 1 WHERE key IN "
                   "(SELECT key FROM article_names WHERE article_id = ?)", (article.id,))
        db.execute("DELETE FROM article_names WHERE article_id = ?", (article.id,))
        counts = Counter((m.key, " ".join(m.text.split())) for m in article.mentions if m.key)
        db.executemany("INSERT INTO article_names(article_id, key, name, n) VALUES (?, ?, ?, ?)",
                       [(article.id, k, name, n) for (k, name), n in counts.items()])
        db.executemany(
            "INSERT INTO name_keys(key, surname) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET stale = 1",
            [(k, surname_group(k)) for k in {k for k, _ in counts}],
        )

    def _backfill_names(self) -> None:
        ids = [r[0] for r in self.conn.execute("SELECT id FROM articles ORDER BY seq")]
        for chunk in _chunks(ids):  # a chunk at a time: a large store never sits in memory
            for article in self.get_articles(chunk):
                self._save_names(self.conn, article)

    def stale_names(self) -> list[NameRow]:
        stale = [r[0] for r in self.conn.execute("SELECT key FROM name_keys WHERE stale = 1")]
        def existing(keys: list[str], groups: list[str]) -> set[str]:
            found: set[str] = set()
            for column, values in (("key", keys), ("surname", groups)):
                for chunk in _chunks(values):
                    found.update(r[0] for r in self.conn.execute(
                        f"SELECT key FROM name_keys WHERE {column} IN ({_marks(chunk)})", chunk))
            return found

        keys = keys_to_recount(stale, existing)
        rows: list[tuple[int, NameRow]] = []
        for chunk in _chunks(sorted(keys)):
            rows.extend((seq, NameRow(a, k, name, n)) for seq, a, k, name, n in self.conn.execute(
                "SELECT a.seq, an.article_id, an.key, an.name, an.n FROM article_names an "
                f"JOIN articles a ON a.id = an.article_id WHERE an.key IN ({_marks(chunk)})", chunk))
        rows.sort(key=lambda r: (r[0], r[1].key, r[1].name))
        return [r for _, r in rows]

    def save_entities(self, entities: Sequence[Entity], canonical: dict[str, str]) -> None:
        with self._tx() as db:
            # A stale key no article names any more goes, with its entity.
            gone = [r[0] for r in db.execute(
                "SELECT key FROM name_keys nk WHERE stale = 1 AND NOT EXISTS "
                "(SELECT 1 FROM article_names an WHERE an.key = nk.key)")]
            db.executemany("DELETE FROM entities WHERE key = ?", [(k,) for k in gone])
            db.executemany("DELETE FROM name_keys WHERE key = ?", [(k,) for k in gone])
            db.executemany("UPDATE name_keys SET canonical = ?, stale = 0 WHERE key = ?",
                           [(c, k) for k, c in canonical.items()])
            db.executemany("DELETE FROM entities WHERE key = ?",
                           [(k,) for k, c in canonical.items() if k != c])
            db.executemany(
                "INSERT INTO entities(id, key, type, name, aliases, articles, former_ids) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                "type = excluded.type, name = excluded.name, aliases = excluded.aliases, "
                "articles = excluded.articles, former_ids = excluded.former_ids",
                [(e.id, canonical_of(e, canonical), e.type, e.name,
                  json.dumps(e.aliases, ensure_ascii=False), len(e.articles),
                  json.dumps(e.former_ids)) for e in entities],
            )

    def entities(self, ids: Sequence[str] | None = None) -> list[Entity]:
        rows = self._rows(
            "SELECT rowid AS seq, id, key, type, name, aliases, former_ids FROM entities", ids)
        keys = sorted({r[2] for r in rows})
        named = [row for chunk in _chunks(keys) for row in self.conn.execute(
            "SELECT nk.canonical, nk.key, an.article_id, a.seq FROM name_keys nk "
            "JOIN article_names an ON an.key = nk.key JOIN articles a ON a.id = an.article_id "
            f"WHERE nk.canonical IN ({_marks(chunk)})", chunk)]
        named.sort(key=lambda r: r[3])
        return assemble_entities(rows, (r[:3] for r in named))

    def canonical_keys(self, keys: Iterable[str] | None = None) -> dict[str, str]:
        query = "SELECT key, canonical FROM name_keys WHERE canonical IS NOT NULL"
        if keys is None:
            return dict(self.conn.execute(query))
        out: dict[str, str] = {}
        for chunk in _chunks(sorted(set(keys))):
            out.update(self.conn.execute(query + f" AND key IN ({_marks(chunk)})", chunk))
        return out

    def entity_names(self, keys: Iterable[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(sorted(set(keys))):
            out.update(self.conn.execute(
                f"SELECT key, name FROM entities WHERE key IN ({_marks(chunk)})", chunk))
        return out

    def entity_page(self, text: str | None, offset: int, limit: int
                    ) -> tuple[list[EntityRow], int]:
        query = "SELECT id, name, type, articles, aliases FROM entities ORDER BY articles DESC, name, id"
        if not text:
            total = self.conn.execute("SELECT COUNT(*) FROM entities").fetchone()[0]
            rows = self.conn.execute(query + " LIMIT ? OFFSET ?", (limit, offset)).fetchall()
        else:
            # Folded in Python: SQLite's LIKE folds ASCII case only, not accents.
            wanted = fold(text)
            rows = [r for r in self.conn.execute(query)
                    if wanted in fold(r[1]) or wanted in fold(r[4])]
            total, rows = len(rows), rows[offset : offset + limit]
        return [EntityRow(i, n, t, c) for i, n, t, c, _ in rows], int(total)

    def flush(self) -> None:
        for index in (self._ann, self._story_ann):
            if index is not None:
                index.save()

    # -- reuse index

    def save_fingerprints(self, rows: Sequence[IndexedFingerprint]) -> None:
        with self._tx() as db:
            old = self.fingerprints(r.article_id for r in rows)
            for prev in old.values():
                db.executemany("DELETE FROM reuse_bands WHERE key = ? AND article_id = ?",
                               [(k, prev.article_id) for k in prev.band_keys])
                db.executemany("DELETE FROM reuse_winnow WHERE hash = ? AND article_id = ?",
                               [(h, prev.article_id) for h in prev.fingerprint.winnow])
            db.executemany(
                """INSERT OR REPLACE INTO reuse_fingerprints(article_id, text_hash, canonical_url,
                       minhash, bands, winnow, tokens) VALUES (?,?,?,?,?,?,?)""",
                [(r.article_id, r.fingerprint.text_hash, r.canonical_url, r.fingerprint.minhash,
                  _pack(r.band_keys), _pack(r.fingerprint.winnow), r.fingerprint.tokens)
                 for r in rows],
            )
            db.executemany(
                "INSERT OR IGNORE INTO reuse_bands(key, article_id) VALUES (?, ?)",
                [(k, r.article_id) for r in rows for k in r.band_keys],
            )
            db.executemany(
                "INSERT OR IGNORE INTO reuse_winnow(hash, article_id) VALUES (?, ?)",
                [(h, r.article_id) for r in rows for h in r.fingerprint.winnow],
            )

    def fingerprints(self, ids: Iterable[str]) -> dict[str, IndexedFingerprint]:
        out: dict[str, IndexedFingerprint] = {}
        for chunk in _chunks(list(ids)):
            rows = self.conn.execute(
                "SELECT article_id, text_hash, canonical_url, minhash, bands, winnow, tokens "
                f"FROM reuse_fingerprints WHERE article_id IN ({_marks(chunk)})", chunk,
            )
            for article_id, text_hash, url, minhash, bands, winnow, tokens in rows:
                fp = Fingerprint(text_hash, minhash, _unpack(winnow), tokens)
                out[article_id] = IndexedFingerprint(article_id, fp, url, _unpack(bands))
        return out

    def text_members(self, hashes: Iterable[str]) -> dict[str, list[str]]:
        return self._members("reuse_fingerprints", "text_hash", hashes)

    def url_members(self, urls: Iterable[str]) -> dict[str, list[str]]:
        return self._members("reuse_fingerprints", "canonical_url", urls)

    def band_members(self, keys: Iterable[int]) -> dict[int, list[str]]:
        return self._members("reuse_bands", "key", keys)

    def winnow_members(self, hashes: Iterable[int]) -> dict[int, list[str]]:
        return self._members("reuse_winnow", "hash", hashes)

    def _members(self, table: str, column: str, keys: Iterable[Any]) -> dict[Any, list[str]]:
        out: dict[Any, list[str]] = {}
        for chunk in _chunks(sorted(set(keys))):
            # One row per key (ids joined by SQLite): far fewer Python objects to build.
            rows = self.conn.execute(
                f"SELECT {column}, group_concat(article_id, ' ') FROM {table} "
                f"WHERE {column} IN ({_marks(chunk)}) GROUP BY {column}", chunk,
            )
            out.update((key, ids.split(" ")) for key, ids in rows)
        return out

    def texts(self, ids: Iterable[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(list(ids)):
            rows = self.conn.execute(
                f"SELECT id, json_extract(payload, '$.text') FROM articles "
                f"WHERE id IN ({_marks(chunk)})", chunk,
            )
            out.update((i, t or "") for i, t in rows)
        return out

    def save_pairs(self, article_ids: Sequence[str], pairs: Sequence[ReusePair]) -> None:
        with self._tx() as db:
            for chunk in _chunks(list(article_ids)):
                marks = _marks(chunk)
                db.execute(
                    f"DELETE FROM reuse_pairs WHERE a IN ({marks}) OR b IN ({marks})", chunk + chunk
                )
            db.executemany(
                "INSERT OR REPLACE INTO reuse_pairs(a, b, kind, similarity, reason, spans) "
                "VALUES (?,?,?,?,?,?)",
                [(p.a, p.b, p.kind, p.similarity, p.reason, json.dumps(p.spans)) for p in pairs],
            )

    def reuse_pairs(self, ids: Iterable[str] | None = None) -> list[ReusePair]:
        query = "SELECT a, b, kind, similarity, reason, spans FROM reuse_pairs"
        if ids is None:
            rows = list(self.conn.execute(query + " ORDER BY a, b"))
        else:
            wanted = set(ids)
            rows = []
            for chunk in _chunks(sorted(wanted)):
                rows.extend(r for r in self.conn.execute(
                    query + f" WHERE a IN ({_marks(chunk)})", chunk) if r[1] in wanted)
            rows.sort(key=lambda r: (r[0], r[1]))
        return [
            ReusePair(a, b, kind, sim, reason, [tuple(s) for s in json.loads(spans)])
            for a, b, kind, sim, reason, spans in rows
        ]

    # -- reading, for the web API

    def story_order(self, query: StoryQuery) -> array[int]:
        clause, args = story_filter(query, "?")
        if query.sort == "coverage":
            # ``coverage_rank``, with the age taken from the newest story of the store.
            newest = self.conn.execute(
                "SELECT date FROM stories WHERE date IS NOT NULL "
                "ORDER BY date IS NULL, date DESC, seq DESC LIMIT 1").fetchone()
            return array("q", (r[0] for r in self.conn.execute(
                "SELECT s.seq FROM stories s WHERE " + clause + " ORDER BY "
                "(s.coverage + ? * MAX(s.language_count - 1, 0)) / (1.0 + "
                "MAX(COALESCE(julianday(?) - julianday(s.date), ?), 0) / ?) DESC, "
                "s.date IS NULL, s.date DESC, s.seq DESC",
                [*args, LANGUAGE_WEIGHT, newest[0] if newest else None, UNDATED_AGE,
                 HALF_LIFE_DAYS])))
        # Unfiltered, this walks the stories_newest index; it never reads the story rows,
        # which carry vectors.
        return array("q", (r[0] for r in self.conn.execute(
            f"SELECT s.seq FROM stories s WHERE {clause} "
            "ORDER BY s.date IS NULL, s.date DESC, s.seq DESC", args)))

    def story_rows(self, keys: Sequence[int]) -> list[StoryRow]:
        keys = list(keys)
        found: dict[int, StoryRow] = {}
        for chunk in _chunks(keys):
            # One statement returning one JSON value: Python's sqlite3 lets go of the GIL
            # at each row it steps through, and under a loaded server taking it back costs
            # more than the query itself.
            (page,) = self.conn.execute(
                "SELECT json_group_array(json_array(s.seq, s.id, s.headline, s.date, "
                "s.storyline, s.coverage, "
                "(SELECT json_array(COUNT(*), json_group_array(DISTINCT a.language),"
                " json_group_array(DISTINCT a.source)) FROM story_articles sa JOIN articles a "
                "ON a.id = sa.article_id WHERE sa.story_id = s.id))) "
                f"FROM stories s WHERE s.seq IN ({_marks(chunk)})", chunk,
            ).fetchone()
            for seq, story_id, headline, day, line, cover, (n, languages, sources) in json.loads(
                    page):
                found[seq] = StoryRow(
                    id=story_id, headline=headline, date=day, storyline=line, articles=n,
                    coverage=cover,
                    languages=sorted(x for x in languages if x),
                    sources=sorted(x for x in sources if x))
        return [found[k] for k in keys if k in found]

    def search_text(self, text: str, limit: int) -> list[tuple[str, float]]:
        # Every word as a quoted term: user input never reaches FTS5's query syntax.
        terms = re.findall(r"\w+", text)
        if not terms:
            return []
        match = " ".join('"' + t.replace('"', "") + '"' for t in terms)
        rows = self.conn.execute(
            "SELECT a.id, bm25(article_search, 3.0, 1.0) FROM article_search "
            "JOIN articles a ON a.seq = article_search.rowid "
            "WHERE article_search MATCH ? ORDER BY bm25(article_search, 3.0, 1.0) LIMIT ?",
            (match, limit),
        )
        return [(i, -float(score)) for i, score in rows]  # bm25: lower is better

    def search_vectors(self, vector: Any, limit: int, days: int) -> list[tuple[str, float]]:
        first, last = self.conn.execute(
            "SELECT MIN(day), MAX(day) FROM article_vectors").fetchone()
        if last is not None and days > 0:
            first = max(first, (date.fromisoformat(last) - timedelta(days=days - 1)).isoformat())
        found = self.nearest_many([vector], [(first, last)], limit, limit)[0]
        return [(n.article_id, n.similarity) for n in found]

    # -- runs

    def record_rejections(self, run_id: str, rejections: Sequence[Rejection]) -> None:
        with self._tx() as db:
            db.executemany(
                "INSERT INTO rejections(run_id, path, reason) VALUES (?,?,?)",
                [(run_id, r.path, r.reason) for r in rejections],
            )

    def version(self) -> int:
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        try:
            if not self.readonly:
                with self._lock.held():
                    self.flush()
        except Exception:  # a graph left unsaved is rebuilt from the database next time
            log.warning("could not save the vector index of %s", self.path, exc_info=True)
        finally:
            self._lock.close()
            with suppress(sqlite3.Error):
                self.conn.close()


wrap_errors(SQLiteStore, sqlite3.Error)


@register_store("sqlite")
def _open(config: StoreConfig, readonly: bool = False) -> SQLiteStore:
    return SQLiteStore(config.path, readonly=readonly)


def _pack(values: Sequence[int]) -> bytes:
    return struct.pack(f"<{len(values)}q", *values)


def _unpack(data: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(data) // 8}q", data))


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def _marks(items: Sequence[Any]) -> str:
    return ",".join("?" * len(items))


def _statements(sql: str) -> list[str]:
    # Migrations hold no triggers, so statements end at ";" on a line's end.
    body = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return [s.strip() for s in body.split(";\n") if s.strip().strip(";")]



