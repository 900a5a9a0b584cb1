"""The embedded store: one SQLite file, WAL mode, versioned migrations."""

from __future__ import annotations

import json
import sqlite3
import struct
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from ..config import StoreConfig
from ..errors import StoreError
from ..model import (
    Article,
    Fingerprint,
    Granularity,
    Rejection,
    ReusePair,
    Story,
    article_payload,
    from_dict,
)
from .base import IndexedFingerprint, StoryState, register_store

_CHUNK = 500  # host parameters per IN (...) query, well under SQLite's limit


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration shipped, in order."""
    out = []
    for entry in resources.files(__package__).joinpath("migrations").iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            out.append((version, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(out)


class SQLiteStore:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA busy_timeout=10000")
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
                self.conn.execute(f"PRAGMA user_version = {version}")

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

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

    def save_article(self, article: Article) -> None:
        pub = article.published
        with self._tx() as db:
            old = db.execute("SELECT payload FROM articles WHERE id = ?", (article.id,)).fetchone()
            if old is not None:
                self._count_terms(json.loads(old[0]).get("terms", {}), -1)
            db.execute(
                """INSERT INTO articles(id, external_id, path, url, source, title, language,
                       published_date, published_granularity, published_basis, input_format,
                       raw_text, html, payload)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                   ON CONFLICT(id) DO UPDATE SET
                       title=excluded.title, language=excluded.language,
                       published_date=excluded.published_date,
                       published_granularity=excluded.published_granularity,
                       published_basis=excluded.published_basis, payload=excluded.payload""",
                (article.id, article.external_id, article.path, article.url, article.source,
                 article.title, article.language, pub.date, pub.granularity, pub.basis,
                 article.input_format, article.raw_text, article.html, article_payload(article)),
            )
            if article.path:
                db.execute(
                    "INSERT OR IGNORE INTO article_inputs(article_id, path) VALUES (?, ?)",
                    (article.id, article.path),
                )
            self._count_terms(article.terms, +1)

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

    def stories(self) -> list[Story]:
        return [s.story for s in self.story_states()]

    def story_states(self, ids: Sequence[str] | None = None) -> list[StoryState]:
        rows = self._rows(
            "SELECT seq, id, headline, date, date_granularity, centroid FROM stories", ids
        )
        members: dict[str, list[str]] = {}
        for story_id, article_id in self.conn.execute(
            "SELECT sa.story_id, sa.article_id FROM story_articles sa "
            "JOIN articles a ON a.id = sa.article_id ORDER BY a.seq"
        ):
            members.setdefault(story_id, []).append(article_id)
        return [
            StoryState(
                Story(id=i, articles=members.get(i, []), headline=h, date=d, date_granularity=g),
                json.loads(c),
            )
            for _seq, i, h, d, g, c in rows
        ]

    def save_story(self, state: StoryState) -> None:
        story = state.story
        with self._tx() as db:
            db.execute(
                """INSERT INTO stories(id, headline, date, date_granularity, centroid)
                   VALUES (?,?,?,?,?)
                   ON CONFLICT(id) DO UPDATE SET headline=excluded.headline, date=excluded.date,
                       date_granularity=excluded.date_granularity, centroid=excluded.centroid,
                       updated_at=strftime('%Y-%m-%dT%H:%M:%SZ', 'now')""",
                (story.id, story.headline, story.date, story.date_granularity,
                 json.dumps(state.centroid)),
            )
            db.executemany(
                "INSERT INTO story_articles(article_id, story_id) VALUES (?, ?) "
                "ON CONFLICT(article_id) DO UPDATE SET story_id = excluded.story_id",
                [(a, story.id) for a in story.articles],
            )

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

    def reuse_pairs(self) -> list[ReusePair]:
        rows = self.conn.execute(
            "SELECT a, b, kind, similarity, reason, spans FROM reuse_pairs ORDER BY a, b"
        )
        return [
            ReusePair(a, b, kind, sim, reason, [tuple(s) for s in json.loads(spans)])
            for a, b, kind, sim, reason, spans in rows
        ]

    # -- runs

    def record_rejections(self, run_id: str, rejections: Sequence[Rejection]) -> None:
        with self._tx() as db:
            db.executemany(
                "INSERT INTO rejections(run_id, path, reason) VALUES (?,?,?)",
                [(run_id, r.path, r.reason) for r in rejections],
            )

    def close(self) -> None:
        self.conn.close()


@register_store("sqlite")
def _open(config: StoreConfig) -> SQLiteStore:
    return SQLiteStore(config.path)


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



