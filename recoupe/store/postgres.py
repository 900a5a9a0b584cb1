"""The shared store: PostgreSQL with pgvector, for several machines and several writers.

The same protocol as the SQLite store (``base.Store``) and the same answers on the same
writes (``tests/store/test_contract.py`` runs both). What differs is the engine's:

- Vectors live in pgvector columns with one store-wide HNSW index each (articles,
  stories), made when the first vector gives the dimension; a day's or a month's
  neighbours are a filtered query, not a file per day.
- Writers on several machines queue on one advisory lock: each write transaction takes
  it, and ``exclusive`` holds it across grouping, so every article still gets exactly one
  story. Readers never wait.
- Full-text search is a ``tsvector`` of the title (weight A) and the text, accents folded
  by a table of accented Latin letters (the server's ``unaccent`` is an extension not every
  install has) and case by ``to_tsvector``; queries are folded the same way.
- ``version`` is a counter every write transaction moves.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date, timedelta
from typing import Any

import numpy as np

from ..config import StoreConfig
from ..errors import ConfigError, StoreError
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
from .ann import days_between, months_between
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

try:  # an optional dependency: only this backend needs it
    import psycopg
    from pgvector.psycopg import register_vector
except ImportError:  # pragma: no cover - reported when the backend is chosen
    psycopg = None  # type: ignore[assignment]

# The advisory lock every writer takes (any 64-bit number no other program uses).
_WRITER_LOCK = 0x7265636F757065  # "recoupe"
_RECENT_DAYS = 7
# A day's filter the planner cannot answer from the day's btree (nearest_many).
_DAY_FILTER = "(v.day || '') = p.day"

log = logging.getLogger(__name__)


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every PostgreSQL migration shipped, in order."""
    return shipped_migrations("pg_migrations")


class PostgresStore:
    def __init__(self, url: str, readonly: bool = False) -> None:
        if psycopg is None:
            raise ConfigError("[store] type = \"postgresql\" needs psycopg and pgvector "
                              "(pip install 'psycopg[binary]' pgvector)")
        self.url = url
        self.readonly = readonly
        self._depth = 0  # nested write transactions join the outermost
        self._held = 0  # nested ``exclusive`` blocks
        self._dims: dict[str, int] = {}
        try:
            self.conn = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise StoreError(f"cannot open store {_safe(url)}: {exc}") from exc
        try:
            self._migrate()
            register_vector(self.conn)
            # A day's neighbours are a filtered search: let the HNSW scan go on until it
            # has found enough rows that pass the filter.
            self.conn.execute("SET hnsw.iterative_scan = relaxed_order")
        except psycopg.Error as exc:
            self.conn.close()
            raise StoreError(f"cannot open store {_safe(url)}: {exc}") from exc

    @property
    def path(self) -> str:
        return _safe(self.url)

    # -- schema

    def _migrate(self) -> None:
        known = migrations()
        latest = known[-1][0] if known else 0
        if self.conn.execute("SELECT to_regclass('recoupe_meta')").fetchone() != (None,):
            current = int(self._value("SELECT version FROM recoupe_meta"))
            if current == latest:
                return  # nothing to do: no lock taken, so a reader never waits on a writer
        with self.conn.transaction():
            # Two processes opening a new database at once: one migrates, the other waits.
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITER_LOCK,))
            self.conn.execute("CREATE TABLE IF NOT EXISTS recoupe_meta (version INTEGER NOT NULL,"
                              " writes BIGINT NOT NULL)")
            row = self.conn.execute("SELECT version FROM recoupe_meta").fetchone()
            if row is None:
                self.conn.execute("INSERT INTO recoupe_meta(version, writes) VALUES (0, 0)")
            current = int(row[0]) if row else 0
            if current > latest:
                raise StoreError(
                    f"store {self.path} has schema version {current}, newer than this recoupe "
                    f"knows ({latest}); upgrade recoupe")
            for version, _name, sql in known:
                if version > current:
                    self.conn.execute(sql.encode())
                    self.conn.execute("UPDATE recoupe_meta SET version = %s", (version,))

    def _value(self, sql: str) -> Any:
        """The one value a query of one row gives."""
        row = self.conn.execute(sql.encode()).fetchone()
        if row is None:
            raise StoreError(f"store {self.path}: no row for {sql!r}")
        return row[0]

    @property
    def schema_version(self) -> int:
        return int(self._value("SELECT version FROM recoupe_meta"))

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        # One pipeline per transaction: statements whose results nobody reads go out
        # without waiting for each other. Their errors arrive when it ends: wrapped here.
        try:
            with self.conn.pipeline(), self.conn.transaction():
                self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITER_LOCK,))
                self._depth = 1
                try:
                    yield self.conn
                    self.conn.execute("UPDATE recoupe_meta SET writes = writes + 1")
                finally:
                    self._depth = 0
        except psycopg.Error as exc:
            raise StoreError(f"store {self.path}: {exc}") from exc

    @contextmanager
    def batch(self) -> Iterator[None]:
        with self._tx():
            yield

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        if self._held == 0:
            self.conn.execute("SELECT pg_advisory_lock(%s)", (_WRITER_LOCK,))
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if self._held == 0:
                with suppress(psycopg.Error):
                    self.conn.execute("SELECT pg_advisory_unlock(%s)", (_WRITER_LOCK,))

    # -- articles

    def known_ids(self, ids: Iterable[str]) -> set[str]:
        return {r[0] for r in self.conn.execute(
            "SELECT id FROM articles WHERE id = ANY(%s)", (list(ids),))}

    def add_input(self, article_id: str, path: str) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO article_inputs(article_id, path) VALUES (%s, %s) "
                       "ON CONFLICT DO NOTHING", (article_id, _text(path)))

    def await_grouping(self, article_ids: Iterable[str]) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO ungrouped(article_id) SELECT unnest(%s::text[]) "
                       "ON CONFLICT DO NOTHING", (list(article_ids),))

    def awaiting_grouping(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT u.article_id FROM ungrouped u JOIN articles a ON a.id = u.article_id "
            "ORDER BY a.seq")]

    def grouped(self, article_ids: Iterable[str]) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM ungrouped WHERE article_id = ANY(%s)", (list(article_ids),))

    def save_article(self, article: Article) -> None:
        pub = article.published
        # No statement here waits for a result: in the pipeline of ``_tx`` they all go to
        # the server at once (round trips were most of the cost of a save).
        with self._tx() as db:
            # A replaced article's terms count off before its new ones count in.
            db.execute("UPDATE term_df t SET df = t.df - 1 FROM articles a "
                       "WHERE a.id = %s AND t.term = ANY(a.terms)", (article.id,))
            db.execute(
                """INSERT INTO articles(id, external_id, path, url, source, title, language,
                       published_date, published_granularity, published_basis, input_format,
                       raw_text, html, payload, terms, search)
                   VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,
                       setweight(to_tsvector('simple', %s), 'A')
                       || setweight(to_tsvector('simple', %s), 'D'))
                   ON CONFLICT(id) DO UPDATE SET
                       title=excluded.title, language=excluded.language,
                       published_date=excluded.published_date,
                       published_granularity=excluded.published_granularity,
                       published_basis=excluded.published_basis, payload=excluded.payload,
                       terms=excluded.terms, search=excluded.search""",
                (article.id, _text(article.external_id), _text(article.path),
                 _text(article.url), _text(article.source), _text(article.title),
                 article.language, pub.date, pub.granularity, pub.basis, article.input_format,
                 article.raw_text.encode("utf-8", "surrogatepass"),
                 None if article.html is None else article.html.encode("utf-8", "surrogatepass"),
                 article_payload(article), [_text(t) for t in article.terms],
                 _searchable(article.title or ""), _searchable(article.text)),
            )
            if article.path:
                db.execute("INSERT INTO article_inputs(article_id, path) VALUES (%s, %s) "
                           "ON CONFLICT DO NOTHING", (article.id, _text(article.path)))
            self._count_terms(article.terms, +1)
            self._save_names(db, article)
            self._file_vectors(article)

    def _file_vectors(self, article: Article) -> None:
        # Filed by its own date only: a date lent by its story says nothing of it.
        span = own_span(article.published)
        first, last = span if span else (None, None)
        day = first if span and first == last else None
        emb = article.embedding
        if emb is None:
            self.conn.execute("UPDATE article_vectors SET day = %s, first_day = %s, "
                              "last_day = %s WHERE article_id = %s",
                              (day, first, last, article.id))
            return
        doc = np.asarray(emb.doc, dtype=np.float32)
        self._vector_index("article_vectors", "doc", len(doc))
        sentences = np.clip(np.rint(np.asarray(emb.sentences) * 127), -127, 127).astype(np.int8)
        self.conn.execute(
            """INSERT INTO article_vectors(article_id, key, day, first_day, last_day, dim, lead,
                   doc, sentences)
               SELECT %s, seq, %s, %s, %s, %s, %s, %s, %s FROM articles WHERE id = %s
               ON CONFLICT(article_id) DO UPDATE SET day=excluded.day,
                   first_day=excluded.first_day, last_day=excluded.last_day, dim=excluded.dim,
                   lead=excluded.lead, doc=excluded.doc, sentences=excluded.sentences""",
            (article.id, day, first, last, len(doc), emb.lead, doc, sentences.tobytes(),
             article.id),
        )

    def _vector_index(self, table: str, column: str, dim: int) -> None:
        """The HNSW index of ``table.column``, for vectors of ``dim``: one per store,
        made with the first vector (pgvector indexes a column of one dimension)."""
        if self._dims.get(table) == dim:
            return
        name = f"{table}_hnsw"
        found = self.conn.execute(
            "SELECT pg_get_indexdef(c.oid) FROM pg_class c WHERE c.relname = %s",
            (name,)).fetchone()
        if found is None:
            self.conn.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING hnsw "
                f"(({column}::vector({dim})) vector_cosine_ops)")
        elif f"vector({dim})" not in found[0]:
            raise StoreError(f"store {self.path} holds vectors of another dimension than "
                             f"{dim}: it was built with another embedder")
        self._dims[table] = dim

    def _dim(self, table: str) -> int | None:
        if table not in self._dims:
            found = self.conn.execute(
                "SELECT pg_get_indexdef(c.oid) FROM pg_class c WHERE c.relname = %s",
                (f"{table}_hnsw",)).fetchone()
            m = re.search(r"vector\((\d+)\)", found[0]) if found else None
            if m is None:
                return None
            self._dims[table] = int(m.group(1))
        return self._dims[table]

    def _count_terms(self, terms: dict[str, Any], delta: int) -> None:
        if not terms:
            return
        self.conn.execute(
            "INSERT INTO term_df(term, df) SELECT unnest(%s::text[]), %s "
            "ON CONFLICT(term) DO UPDATE SET df = term_df.df + excluded.df",
            (list(terms), delta))

    def _rows(self, query: str, ids: Iterable[str] | None) -> list[tuple[Any, ...]]:
        """Rows of ``query`` (whose first column is ``seq``), all or for ``ids``, by seq."""
        if ids is None:
            return list(self.conn.execute(query + " ORDER BY seq"))
        return list(self.conn.execute(query + " WHERE id = ANY(%s) ORDER BY seq", (list(ids),)))

    def get_articles(self, ids: Iterable[str] | None = None) -> list[Article]:
        rows = self._rows("SELECT seq, raw_text, html, payload FROM articles", ids)
        return [from_dict(Article, {**json.loads(payload),
                                    "raw_text": bytes(raw).decode("utf-8", "surrogatepass"),
                                    "html": None if html is None
                                    else bytes(html).decode("utf-8", "surrogatepass")})
                for _seq, raw, html, payload in rows]

    def count_articles(self) -> int:
        return int(self._value("SELECT COUNT(*) FROM articles"))

    def set_published(self, article_id: str, date: str, granularity: Granularity, basis: str) -> None:
        with self._tx() as db:
            row = db.execute("SELECT payload FROM articles WHERE id = %s",
                             (article_id,)).fetchone()
            if row is None:
                raise StoreError(f"no article {article_id} in the store")
            payload = json.loads(row[0])
            payload["published"] = {"date": date, "granularity": granularity, "basis": basis}
            db.execute(
                "UPDATE articles SET published_date=%s, published_granularity=%s, "
                "published_basis=%s, payload=%s WHERE id=%s",
                (date, granularity, basis, json.dumps(payload, ensure_ascii=False), article_id))

    # -- boilerplate learnt per source

    def record_lines(self, source: str, article_id: str, hashes: Iterable[str]) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO source_lines(source, line_hash, article_id) "
                       "SELECT %s, unnest(%s::text[]), %s ON CONFLICT DO NOTHING",
                       (_text(source), list(hashes), article_id))

    def repeated_lines(self, source: str, min_articles: int) -> frozenset[str]:
        return frozenset(r[0] for r in self.conn.execute(
            "SELECT line_hash FROM source_lines WHERE source = %s GROUP BY line_hash "
            "HAVING COUNT(*) >= %s", (_text(source), min_articles)))

    def mark_lines_applied(self, article_id: str, hashes: Iterable[str]) -> None:
        with self._tx() as db:
            db.execute("UPDATE source_lines SET applied = true WHERE article_id = %s "
                       "AND line_hash = ANY(%s)", (article_id, list(hashes)))

    def stale_boilerplate(self, min_articles: int) -> list[str]:
        return [r[0] for r in self.conn.execute(
            """SELECT sl.article_id FROM source_lines sl
               JOIN (SELECT source, line_hash FROM source_lines GROUP BY source, line_hash
                     HAVING COUNT(*) >= %s) rep
                 ON rep.source = sl.source AND rep.line_hash = sl.line_hash
               JOIN articles a ON a.id = sl.article_id
               WHERE NOT sl.applied GROUP BY sl.article_id ORDER BY MIN(a.seq)""",
            (min_articles,))]

    # -- grouping

    def document_frequencies(self, terms: Iterable[str]) -> dict[str, int]:
        return {t: int(df) for t, df in self.conn.execute(
            "SELECT term, df FROM term_df WHERE term = ANY(%s)", (list(terms),))}

    def embeddings(self, ids: Iterable[str]) -> dict[str, Embedding]:
        out: dict[str, Embedding] = {}
        for article_id, dim, lead, doc, sentences in self.conn.execute(
                "SELECT article_id, dim, lead, doc, sentences FROM article_vectors "
                "WHERE article_id = ANY(%s)", (list(ids),)):
            rows = np.frombuffer(sentences, dtype=np.int8).reshape(-1, dim)
            out[article_id] = Embedding(doc=np.asarray(doc, dtype=np.float32),
                                        sentences=rows.astype(np.float32) / 127.0, lead=lead)
        return out

    @contextmanager
    def _on_the_graph(self) -> Iterator[None]:
        """Vector searches with a filter on the HNSW graph: left to itself, the planner
        reads every row the filter keeps and sorts them (140 ms for three days of 10,000
        articles, against 15 ms on the graph)."""
        self.conn.execute("SELECT set_config('enable_seqscan', 'off', false)")
        try:
            yield
        finally:
            self.conn.execute("SELECT set_config('enable_seqscan', 'on', false)")

    def nearest(self, vector: Any, start: str | None, end: str | None, k: int) -> list[Neighbour]:
        return self.nearest_many([vector], [(start, end)], k)[0]

    def nearest_many(self, vectors: Sequence[Any], windows: Sequence[tuple[str | None, str | None]],
                     k: int, limit: int | None = None) -> list[list[Neighbour]]:
        if not len(vectors):
            return []
        dim = self._dim("article_vectors")
        if dim is None:
            return [[] for _ in vectors]
        recent: list[str] | None = None
        out = []
        for vector, (start, end) in zip(vectors, windows, strict=True):
            if start is not None and end is not None:
                days = days_between(start, end)
            else:
                if recent is None:  # undated: nothing to place it by but recency
                    latest = self._value("SELECT MAX(day) FROM article_vectors")
                    recent = []
                    if latest:
                        first = (date.fromisoformat(latest)
                                 - timedelta(days=_RECENT_DAYS)).isoformat()
                        recent = days_between(first, latest)
                days = recent
            # The k nearest of each day, and of the undated: one search each, on the HNSW
            # graph filtered by the day. "day || ''" keeps the planner off the day's btree,
            # with which it read every vector of the day and sorted them all.
            near = (f"SELECT article_id, first_day, last_day, "
                    f"1 - (doc::vector({dim}) <=> %(q)s::vector({dim})) AS sim "
                    f"FROM article_vectors v WHERE {{where}} "
                    f"ORDER BY doc::vector({dim}) <=> %(q)s::vector({dim}) LIMIT %(k)s")
            on_day, undated = near.format(where=_DAY_FILTER), near.format(where="v.day IS NULL")
            with self._on_the_graph():
                rows = self.conn.execute(
                    # Only the days that hold articles: a filtered search that finds nothing
                    # walks the whole graph first.
                    "SELECT n.* FROM (SELECT d AS day FROM unnest(%(days)s::text[]) d WHERE "
                    "EXISTS (SELECT 1 FROM article_vectors e WHERE e.day = d)) p "
                    f"CROSS JOIN LATERAL ({on_day}) n UNION ALL ({undated})",
                    {"q": _vec(vector), "k": k, "days": days}).fetchall()
            rows.sort(key=lambda r: -r[3])
            out.append([Neighbour(a, f, last, float(s)) for a, f, last, s in rows[:limit]])
        return out

    def nearest_stories(self, vector: Any, start: str, end: str, k: int
                        ) -> list[tuple[str, str | None, float]]:
        return self.nearest_stories_many([vector], [(start, end)], k)[0]

    def nearest_stories_many(self, vectors: Sequence[Any], windows: Sequence[tuple[str, str]],
                             k: int) -> list[list[tuple[str, str | None, float]]]:
        if not len(vectors):
            return []
        dim = self._dim("stories")
        if dim is None:
            return [[] for _ in vectors]
        out = []
        for vector, (start, end) in zip(vectors, windows, strict=True):
            # Per month of the window and the undated, as the SQLite store's partitions.
            months = months_between(start, end)
            # On the HNSW graph, filtered (see nearest_many for the "|| ''").
            month = "(s.date || '') >= p.month AND (s.date || '') < p.month || '-99'"
            undated = "s.date IS NULL"
            query = (f"SELECT id, date, 1 - (vector::vector({dim}) <=> %(q)s::vector({dim})) "
                     f"FROM stories s WHERE s.vector IS NOT NULL AND {{where}} "
                     f"ORDER BY vector::vector({dim}) <=> %(q)s::vector({dim}) LIMIT %(k)s")
            with self._on_the_graph():
                rows = self.conn.execute(
                    "SELECT n.* FROM (SELECT m AS month FROM unnest(%(months)s::text[]) m "
                    "WHERE EXISTS (SELECT 1 FROM stories e WHERE e.date >= m "
                    "AND e.date < m || '-99' AND e.vector IS NOT NULL)) p CROSS JOIN LATERAL "
                    f"({query.format(where=month)}) n UNION ALL ({query.format(where=undated)})",
                    {"q": _vec(vector), "k": k, "months": months}).fetchall()
            near = [(i, d, float(s)) for i, d, s in rows if d is None or start <= d <= end]
            out.append(sorted(near, key=lambda r: -r[2]))
        return out

    def story_of(self, article_ids: Iterable[str]) -> dict[str, str]:
        return dict(self.conn.execute(
            "SELECT article_id, story_id FROM story_articles WHERE article_id = ANY(%s)",
            (list(article_ids),)).fetchall())

    def story_spans(self, story_ids: Iterable[str]
                    ) -> dict[str, tuple[tuple[str, str] | None, tuple[str, str] | None]]:
        out: dict[str, tuple[tuple[str, str] | None, tuple[str, str] | None]] = {}
        for story_id, first, last, lo, hi in self.conn.execute(
                "SELECT sa.story_id, MIN(v.day), MAX(v.day), "
                "MAX(CASE WHEN v.day IS NULL THEN v.first_day END), "
                "MIN(CASE WHEN v.day IS NULL THEN v.last_day END) FROM story_articles sa "
                "JOIN article_vectors v ON v.article_id = sa.article_id "
                "WHERE sa.story_id = ANY(%s) GROUP BY sa.story_id", (list(story_ids),)):
            out[story_id] = ((first, last) if first else None, (lo, hi) if lo else None)
        return out

    def stories(self) -> list[Story]:
        return [s.story for s in self.story_states()]

    def story_states(self, ids: Sequence[str] | None = None) -> list[StoryState]:
        rows = self._rows("SELECT seq, id, headline, date, date_granularity, vector, "
                          "storyline, coverage FROM stories", ids)
        wanted = [r[1] for r in rows]
        where, args = ("", ()) if ids is None else (" WHERE sa.story_id = ANY(%s)", (wanted,))
        members: dict[str, list[str]] = {}
        for story_id, article_id in self.conn.execute(
                "SELECT sa.story_id, sa.article_id FROM story_articles sa JOIN articles a "
                f"ON a.id = sa.article_id{where} ORDER BY a.seq", args):
            members.setdefault(story_id, []).append(article_id)
        aliases: dict[str, list[str]] = {}
        alias_where = "" if ids is None else " WHERE story_id = ANY(%s)"
        for story_id, old_id in self.conn.execute(
                f"SELECT story_id, old_id FROM story_aliases{alias_where} "
                "ORDER BY old_id COLLATE \"C\"", args):
            aliases.setdefault(story_id, []).append(old_id)
        return [
            StoryState(
                Story(id=i, articles=members.get(i, []), headline=h, date=d, date_granularity=g,
                      storyline=line, aliases=aliases.get(i, []), coverage=c),
                None if v is None else np.asarray(v, dtype=np.float32))
            for _seq, i, h, d, g, v, line, c in rows
        ]

    def save_stories(self, states: Sequence[StoryState]) -> None:
        if not states:
            return
        dim = next((len(s.vector) for s in states if s.vector is not None), None)
        with self._tx() as db:
            if dim is not None:
                self._vector_index("stories", "vector", dim)
            db.cursor().executemany(
                """INSERT INTO stories(id, headline, date, date_granularity, vector, storyline,
                       coverage, language_count) VALUES (%s,%s,%s,%s,%s,%s,%s,%s)
                   ON CONFLICT(id) DO UPDATE SET headline=excluded.headline, date=excluded.date,
                       date_granularity=excluded.date_granularity, vector=excluded.vector,
                       storyline=excluded.storyline, coverage=excluded.coverage,
                       language_count=excluded.language_count, updated_at=now()""",
                [(s.story.id, _text(s.story.headline), s.story.date, s.story.date_granularity,
                  None if s.vector is None else _vec(s.vector), s.story.storyline,
                  s.story.coverage, len(s.story.languages)) for s in states])
            db.cursor().executemany(
                "INSERT INTO story_articles(article_id, story_id) VALUES (%s, %s) "
                "ON CONFLICT(article_id) DO UPDATE SET story_id = excluded.story_id",
                [(a, s.story.id) for s in states for a in s.story.articles])

    def set_storyline(self, story_id: str, storyline: str | None) -> None:
        with self._tx() as db:
            db.execute("UPDATE stories SET storyline = %s WHERE id = %s", (storyline, story_id))

    def retire_story(self, old_id: str, new_id: str) -> None:
        if old_id == new_id:
            return
        with self._tx() as db:
            db.execute("UPDATE story_articles SET story_id = %s WHERE story_id = %s",
                       (new_id, old_id))
            db.execute("DELETE FROM stories WHERE id = %s", (old_id,))
            db.execute("UPDATE story_aliases SET story_id = %s WHERE story_id = %s",
                       (new_id, old_id))
            db.execute("DELETE FROM story_aliases WHERE old_id = %s", (new_id,))
            db.execute("INSERT INTO story_aliases(old_id, story_id) VALUES (%s, %s) "
                       "ON CONFLICT(old_id) DO UPDATE SET story_id = excluded.story_id",
                       (old_id, new_id))

    def resolve_story(self, story_id: str) -> str | None:
        if self.conn.execute("SELECT 1 FROM stories WHERE id = %s", (story_id,)).fetchone():
            return story_id
        row = self.conn.execute("SELECT story_id FROM story_aliases WHERE old_id = %s",
                                (story_id,)).fetchone()
        return None if row is None else str(row[0])

    def storylines(self, ids: Sequence[str] | None = None) -> list[Storyline]:
        where, args = ("", ()) if ids is None else (" WHERE id = ANY(%s)", (list(ids),))
        lines = self.conn.execute("SELECT id, title FROM storylines" + where, args).fetchall()
        member_where = ("storyline IS NOT NULL" if ids is None else "storyline = ANY(%s)")
        return assemble_storylines(lines, self.conn.execute(
            f"SELECT id, storyline, date FROM stories WHERE {member_where} "
            "ORDER BY date IS NULL, date COLLATE \"C\", id COLLATE \"C\"", args))

    def save_storyline(self, storyline: Storyline) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO storylines(id, title) VALUES (%s, %s) "
                       "ON CONFLICT(id) DO UPDATE SET title = excluded.title",
                       (storyline.id, _text(storyline.title)))

    def rename_storyline(self, old_id: str, new_id: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE stories SET storyline = %s WHERE storyline = %s", (new_id, old_id))
            db.execute("INSERT INTO storylines(id, title) SELECT %s, title FROM storylines "
                       "WHERE id = %s ON CONFLICT DO NOTHING", (new_id, old_id))
            db.execute("DELETE FROM storylines WHERE id = %s", (old_id,))

    # -- entities

    def _save_names(self, db: Any, article: Article) -> None:
        # The keys the article named before count again too: it may name them no more.
        db.execute("UPDATE name_keys SET stale = true WHERE key IN "
                   "(SELECT key FROM article_names WHERE article_id = %s)", (article.id,))
        db.execute("DELETE FROM article_names WHERE article_id = %s", (article.id,))
        counts = Counter((m.key, _text(" ".join(m.text.split())))
                         for m in article.mentions if m.key)
        if not counts:
            return
        db.cursor().executemany(
            "INSERT INTO article_names(article_id, key, name, n) VALUES (%s, %s, %s, %s)",
            [(article.id, k, name, n) for (k, name), n in counts.items()])
        db.cursor().executemany(
            "INSERT INTO name_keys(key, surname) VALUES (%s, %s) "
            "ON CONFLICT(key) DO UPDATE SET stale = true",
            [(k, surname_group(k)) for k in sorted({k for k, _ in counts})])

    def stale_names(self) -> list[NameRow]:
        stale = [r[0] for r in self.conn.execute("SELECT key FROM name_keys WHERE stale")]
        keys = keys_to_recount(stale, lambda keys, groups: {r[0] for r in self.conn.execute(
            "SELECT key FROM name_keys WHERE key = ANY(%s) OR surname = ANY(%s)",
            (keys, groups))})
        rows = [(seq, NameRow(a, k, name, n)) for seq, a, k, name, n in self.conn.execute(
            "SELECT a.seq, an.article_id, an.key, an.name, an.n FROM article_names an "
            "JOIN articles a ON a.id = an.article_id WHERE an.key = ANY(%s)", (sorted(keys),))]
        rows.sort(key=lambda r: (r[0], r[1].key, r[1].name))
        return [r for _, r in rows]

    def save_entities(self, entities: Sequence[Entity], canonical: dict[str, str]) -> None:
        with self._tx() as db:
            # A stale key no article names any more goes, with its entity.
            gone = [r[0] for r in db.execute(
                "SELECT key FROM name_keys nk WHERE stale AND NOT EXISTS "
                "(SELECT 1 FROM article_names an WHERE an.key = nk.key)")]
            db.execute("DELETE FROM entities WHERE key = ANY(%s)", (gone,))
            db.execute("DELETE FROM name_keys WHERE key = ANY(%s)", (gone,))
            db.cursor().executemany(
                "UPDATE name_keys SET canonical = %s, stale = false WHERE key = %s",
                [(c, k) for k, c in canonical.items()])
            db.execute("DELETE FROM entities WHERE key = ANY(%s)",
                       ([k for k, c in canonical.items() if k != c],))
            db.cursor().executemany(
                "INSERT INTO entities(id, key, type, name, aliases, articles, former_ids) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT(id) DO UPDATE SET "
                "key = excluded.key, type = excluded.type, name = excluded.name, "
                "aliases = excluded.aliases, articles = excluded.articles, "
                "former_ids = excluded.former_ids",
                [(e.id, canonical_of(e, canonical), e.type, _text(e.name),
                  json.dumps(e.aliases, ensure_ascii=False), len(e.articles),
                  json.dumps(e.former_ids)) for e in entities])

    def entities(self, ids: Sequence[str] | None = None) -> list[Entity]:
        rows = self._rows(
            "SELECT seq, id, key, type, name, aliases, former_ids FROM entities", ids)
        return assemble_entities(rows, self.conn.execute(
            "SELECT nk.canonical, nk.key, an.article_id FROM name_keys nk "
            "JOIN article_names an ON an.key = nk.key JOIN articles a ON a.id = an.article_id "
            "WHERE nk.canonical = ANY(%s) ORDER BY a.seq", (sorted({r[2] for r in rows}),)))

    def canonical_keys(self, keys: Iterable[str] | None = None) -> dict[str, str]:
        query = "SELECT key, canonical FROM name_keys WHERE canonical IS NOT NULL"
        if keys is None:
            return dict(self.conn.execute(query).fetchall())
        return dict(self.conn.execute(query + " AND key = ANY(%s)",
                                      (sorted(set(keys)),)).fetchall())

    def entity_names(self, keys: Iterable[str]) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, name FROM entities WHERE key = ANY(%s)",
                                      (sorted(set(keys)),)).fetchall())

    def entity_page(self, text: str | None, offset: int, limit: int
                    ) -> tuple[list[EntityRow], int]:
        query = ("SELECT id, name, type, articles, aliases FROM entities "
                 "ORDER BY articles DESC, name COLLATE \"C\", id COLLATE \"C\"")
        if not text:
            total = self._value("SELECT COUNT(*) FROM entities")
            rows = self.conn.execute(query + " LIMIT %s OFFSET %s", (limit, offset)).fetchall()
        else:
            # Folded as recoupe folds names (``fold``), the same on every backend.
            wanted = fold(text)
            rows = [r for r in self.conn.execute(query)
                    if wanted in fold(r[1]) or wanted in fold(r[4])]
            total, rows = len(rows), rows[offset : offset + limit]
        return [EntityRow(i, n, t, c) for i, n, t, c, _ in rows], int(total)

    def flush(self) -> None:
        """Nothing is kept in memory: the indexes are the server's."""

    # -- reuse index

    def save_fingerprints(self, rows: Sequence[IndexedFingerprint]) -> None:
        with self._tx() as db:
            ids = [r.article_id for r in rows]
            db.execute("DELETE FROM reuse_bands WHERE article_id = ANY(%s)", (ids,))
            db.execute("DELETE FROM reuse_winnow WHERE article_id = ANY(%s)", (ids,))
            db.cursor().executemany(
                """INSERT INTO reuse_fingerprints(article_id, text_hash, canonical_url, minhash,
                       bands, winnow, tokens) VALUES (%s,%s,%s,%s,%s,%s,%s)
                   ON CONFLICT(article_id) DO UPDATE SET text_hash=excluded.text_hash,
                       canonical_url=excluded.canonical_url, minhash=excluded.minhash,
                       bands=excluded.bands, winnow=excluded.winnow, tokens=excluded.tokens""",
                [(r.article_id, r.fingerprint.text_hash, _text(r.canonical_url),
                  r.fingerprint.minhash, list(r.band_keys), list(r.fingerprint.winnow),
                  r.fingerprint.tokens) for r in rows])
            for table, column, pairs in (
                    ("reuse_bands", "key", [(k, r.article_id) for r in rows for k in r.band_keys]),
                    ("reuse_winnow", "hash",
                     [(h, r.article_id) for r in rows for h in r.fingerprint.winnow])):
                if pairs:
                    db.execute(
                        f"INSERT INTO {table}({column}, article_id) "
                        "SELECT * FROM unnest(%s::bigint[], %s::text[]) ON CONFLICT DO NOTHING",
                        ([p[0] for p in pairs], [p[1] for p in pairs]))

    def fingerprints(self, ids: Iterable[str]) -> dict[str, IndexedFingerprint]:
        out: dict[str, IndexedFingerprint] = {}
        for article_id, text_hash, url, minhash, bands, winnow, tokens in self.conn.execute(
                "SELECT article_id, text_hash, canonical_url, minhash, bands, winnow, tokens "
                "FROM reuse_fingerprints WHERE article_id = ANY(%s)", (list(ids),)):
            fp = Fingerprint(text_hash, bytes(minhash), list(winnow), tokens)
            out[article_id] = IndexedFingerprint(article_id, fp, url, list(bands))
        return out

    def text_members(self, hashes: Iterable[str]) -> dict[str, list[str]]:
        return self._members("reuse_fingerprints", "text_hash", "text", hashes)

    def url_members(self, urls: Iterable[str]) -> dict[str, list[str]]:
        return self._members("reuse_fingerprints", "canonical_url", "text", urls)

    def band_members(self, keys: Iterable[int]) -> dict[int, list[str]]:
        return self._members("reuse_bands", "key", "bigint", keys)

    def winnow_members(self, hashes: Iterable[int]) -> dict[int, list[str]]:
        return self._members("reuse_winnow", "hash", "bigint", hashes)

    def _members(self, table: str, column: str, kind: str, keys: Iterable[Any]
                 ) -> dict[Any, list[str]]:
        return {key: ids for key, ids in self.conn.execute(
            f"SELECT {column}, array_agg(article_id ORDER BY article_id COLLATE \"C\") "
            f"FROM {table} WHERE {column} = ANY(%s::{kind}[]) GROUP BY {column}",
            (sorted(set(keys)),))}

    def texts(self, ids: Iterable[str]) -> dict[str, str]:
        return {i: t or "" for i, t in self.conn.execute(
            "SELECT id, payload::jsonb ->> 'text' FROM articles WHERE id = ANY(%s)",
            (list(ids),))}

    def save_pairs(self, article_ids: Sequence[str], pairs: Sequence[ReusePair]) -> None:
        with self._tx() as db:
            ids = list(article_ids)
            db.execute("DELETE FROM reuse_pairs WHERE a = ANY(%s) OR b = ANY(%s)", (ids, ids))
            db.cursor().executemany(
                "INSERT INTO reuse_pairs(a, b, kind, similarity, reason, spans) "
                "VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT(a, b) DO UPDATE SET kind=excluded.kind, "
                "similarity=excluded.similarity, reason=excluded.reason, spans=excluded.spans",
                [(p.a, p.b, p.kind, p.similarity, p.reason, json.dumps(p.spans)) for p in pairs])

    def reuse_pairs(self, ids: Iterable[str] | None = None) -> list[ReusePair]:
        query = "SELECT a, b, kind, similarity, reason, spans FROM reuse_pairs"
        order = " ORDER BY a COLLATE \"C\", b COLLATE \"C\""
        if ids is None:
            rows = self.conn.execute(query + order).fetchall()
        else:
            wanted = list(set(ids))
            rows = self.conn.execute(query + " WHERE a = ANY(%s) AND b = ANY(%s)" + order,
                                     (wanted, wanted)).fetchall()
        return [ReusePair(a, b, kind, sim, reason, [tuple(s) for s in json.loads(spans)])
                for a, b, kind, sim, reason, spans in rows]

    # -- reading, for the web API

    def story_order(self, query: StoryQuery) -> array[int]:
        clause, args = story_filter(query, "%s")
        newest_first = "s.date IS NULL, s.date COLLATE \"C\" DESC, s.seq DESC"
        if query.sort == "coverage":
            newest = self.conn.execute(
                "SELECT date FROM stories WHERE date IS NOT NULL "
                "ORDER BY date COLLATE \"C\" DESC, seq DESC LIMIT 1").fetchone()
            # ``coverage_rank``; a date that is not a day has no age, as in SQLite's julianday.
            age = ("CASE WHEN s.date ~ '^\\d{4}-\\d{2}-\\d{2}$' AND %s ~ '^\\d{4}-\\d{2}-\\d{2}$' "
                   "THEN (%s::date - s.date::date) END")
            newest_day = newest[0] if newest else None
            return array("q", (r[0] for r in self.conn.execute(
                f"SELECT s.seq FROM stories s WHERE {clause} ORDER BY "
                "(s.coverage + %s * GREATEST(s.language_count - 1, 0)) / (1.0 + "
                f"GREATEST(COALESCE({age}, %s), 0) / %s) DESC, {newest_first}",
                [*args, LANGUAGE_WEIGHT, newest_day, newest_day, UNDATED_AGE,
                 HALF_LIFE_DAYS])))
        return array("q", (r[0] for r in self.conn.execute(
            f"SELECT s.seq FROM stories s WHERE {clause} ORDER BY {newest_first}", args)))

    def story_rows(self, keys: Sequence[int]) -> list[StoryRow]:
        keys = list(keys)
        found: dict[int, StoryRow] = {}
        for seq, story_id, headline, day, line, cover, n, languages, sources in self.conn.execute(
                "SELECT s.seq, s.id, s.headline, s.date, s.storyline, s.coverage, "
                "(SELECT COUNT(*) FROM story_articles sa WHERE sa.story_id = s.id), "
                "(SELECT array_agg(DISTINCT a.language) FROM story_articles sa JOIN articles a "
                " ON a.id = sa.article_id WHERE sa.story_id = s.id), "
                "(SELECT array_agg(DISTINCT a.source) FROM story_articles sa JOIN articles a "
                " ON a.id = sa.article_id WHERE sa.story_id = s.id) "
                "FROM stories s WHERE s.seq = ANY(%s)", (keys,)):
            found[seq] = StoryRow(
                id=story_id, headline=headline, date=day, storyline=line, articles=int(n),
                coverage=cover, languages=sorted(x for x in languages or [] if x),
                sources=sorted(x for x in sources or [] if x))
        return [found[k] for k in keys if k in found]

    def search_text(self, text: str, limit: int) -> list[tuple[str, float]]:
        terms = [t.translate(_UNACCENT_MAP).lower()
                 for t in re.findall(r"\w+", unicodedata.normalize("NFC", text))]
        if not terms:
            return []
        # Every word a quoted lexeme, all required: user input never reaches tsquery syntax.
        query = " & ".join("'" + t.replace("'", "''").replace("\\", "") + "'" for t in terms)
        rows = self.conn.execute(
            "SELECT id, ts_rank('{0.1, 0.2, 0.4, 1.0}', search, q) AS r "
            "FROM articles, to_tsquery('simple', %s) q WHERE search @@ q "
            "ORDER BY r DESC, seq LIMIT %s", (query, limit))
        return [(i, float(score)) for i, score in rows]

    def search_vectors(self, vector: Any, limit: int, days: int) -> list[tuple[str, float]]:
        dim = self._dim("article_vectors")
        if dim is None:
            return []
        last = self._value("SELECT MAX(day) FROM article_vectors")
        since = None
        if last is not None and days > 0:
            since = (date.fromisoformat(last) - timedelta(days=days - 1)).isoformat()
        # One store-wide HNSW search, the window as its filter.
        rows = self.conn.execute(
            f"SELECT article_id, 1 - (doc::vector({dim}) <=> %s::vector({dim})) FROM "
            "article_vectors WHERE %s::text IS NULL OR day IS NULL OR day >= %s "
            f"ORDER BY doc::vector({dim}) <=> %s::vector({dim}) LIMIT %s",
            (_vec(vector), since, since, _vec(vector), limit)).fetchall()
        return [(a, float(s)) for a, s in rows]

    # -- runs

    def record_rejections(self, run_id: str, rejections: Sequence[Rejection]) -> None:
        with self._tx() as db:
            db.cursor().executemany(
                "INSERT INTO rejections(run_id, path, reason) VALUES (%s,%s,%s)",
                [(run_id, _text(r.path), _text(r.reason)) for r in rejections])

    def version(self) -> int:
        return int(self._value("SELECT writes FROM recoupe_meta"))

    def close(self) -> None:
        with suppress(psycopg.Error):
            self.conn.close()


if psycopg is not None:
    wrap_errors(PostgresStore, psycopg.Error)


@register_store("postgresql")
def _open(config: StoreConfig, readonly: bool = False) -> PostgresStore:
    if not config.url:
        raise ConfigError('[store] type = "postgresql" needs url = "postgresql://…"')
    return PostgresStore(config.url, readonly=readonly)


def _vec(vector: Any) -> Any:
    return np.asarray(vector, dtype=np.float32)


def _text(value: str | None) -> str | None:
    """A value for a text column: PostgreSQL's text holds no NUL character."""
    return None if value is None else value.replace("\x00", "\ufffd")


def _unaccent_table() -> tuple[str, str]:
    """(accented, plain): every Latin letter with diacritics and the ASCII letter it bears.
    One ``str.translate`` with it folds a text in C, where ``fold`` (a decomposition and a
    filter per character) was a third of the cost of a save; ``to_tsvector`` lowercases."""
    accented, plain = [], []
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)[:1]
        if base != char and base.isascii() and base.isalpha():
            accented.append(char)
            plain.append(base)
    return "".join(accented), "".join(plain)


def _searchable(text: str) -> str:
    # Composed first, so that "e" + combining acute is the "é" the table folds.
    return unicodedata.normalize("NFC", text.replace("\x00", " ")).translate(_UNACCENT_MAP)


_UNACCENT = _unaccent_table()
_UNACCENT_MAP = str.maketrans(*_UNACCENT)


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(//[^:/@]+):[^@/]*@", r"\1:***@", url)
