"""``analyze``: inputs in, store updated, report out.

The data flow: ingest (this process, streaming) → learn boilerplate lines
per source (store) → per-article stages (executor) → store, one transaction
per article → re-clean stored articles whose boilerplate was learnt since →
story grouping (online, new articles only) → report of the whole store.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

from .clean.repeated import learnable_lines
from .config import Config
from .execute import Executor, make_executor
from .ingest import iter_inputs
from .model import (
    Article,
    Embedding,
    Rejection,
    Report,
    ReusePair,
    RunStats,
    Story,
    Storyline,
)
from .pipeline import Pipeline
from .reuse import ReuseIndex, ReuseReport
from .store import Store, open_store
from .stories import StoryGrouper, crosscheck
from .summarize import TimelineGroup, TimelineOptions, build_timeline, group_by_date
from .summarize.attach import attach as summarize_stories
from .summarize.attach import copied_passages

log = logging.getLogger(__name__)

Progress = Callable[[str, int], None]
"""Called with (event, count): "read" per article read, "done" per article analysed."""

_CHUNK = 512  # articles read ahead of analysis: bounds memory on huge inputs


def analyze(
    paths: str | Path | Iterable[str | Path],
    db: str | Path | None = None,
    *,
    config: Config | None = None,
    progress: Progress | None = None,
) -> Report:
    """Analyse ``paths`` into the store at ``db`` and report the whole store.

    Never raises for a bad input: it is in ``Report.rejected`` with its reason.
    Raises ``ConfigError`` or ``StoreError`` when it cannot run at all.
    """
    with _analysed(paths, db, config, progress) as (store, analyzer, stats, rejected):
        return build_report(store, rejected, stats, analyzer.config)


@contextmanager
def _analysed(
    paths: str | Path | Iterable[str | Path], db: str | Path | None, config: Config | None,
    progress: Progress | None,
) -> Iterator[tuple[Store, Analyzer, RunStats, list[Rejection]]]:
    """Run the analysis of ``paths`` and hold the store open for what reads it after."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    config = config or Config.load()
    if db is not None:
        config.store.path = str(db)
    store = open_store(config.store)
    try:
        analyzer = Analyzer(config, store, progress)
        stats, rejected = analyzer.run([str(p) for p in paths])
        yield store, analyzer, stats, rejected
    finally:
        store.close()


class Analyzer:
    def __init__(self, config: Config, store: Store, progress: Progress | None = None) -> None:
        self.config = config
        self.store = store
        self.progress = progress or (lambda event, n: None)
        # Checked here, in the parent, so a bad pipeline fails before any work.
        self.pipeline = Pipeline(config.pipeline.stages, config)
        self._executor: Executor | None = None
        self.seen: set[str] = set()  # every article the inputs hold, new or already stored

    def run(self, paths: Sequence[str]) -> tuple[RunStats, list[Rejection]]:
        started = time.perf_counter()
        stats = RunStats()
        rejected: list[Rejection] = []
        added: list[Article] = []
        try:
            for chunk in _chunks(iter_inputs(paths, self.config.ingest), _CHUNK):
                fresh = self._admit(chunk, stats, rejected)
                for item in self._process(fresh):
                    if isinstance(item, Rejection):
                        rejected.append(item)
                        continue
                    self._save(item)
                    added.append(item)
                    self.progress("done", 1)
            recleaned = self._reclean()
            stats.recleaned = len(recleaned)
            # An article cleaned again in this run is indexed once, as it now reads.
            latest = {a.id: a for a in added + recleaned}
            ReuseIndex(self.store, self.config.reuse).add(list(latest.values()))
        finally:
            if self._executor is not None:
                self._executor.close()
        stats.added = len(added)
        stats.rejected = len(rejected)
        stats.stories_touched = len(StoryGrouper(self.store, self.config.stories).add(added))
        crosscheck.refresh_entities(self.store)
        for r in rejected:
            log.warning("rejected %s: %s", r.path, r.reason)
        self.store.record_rejections(uuid.uuid4().hex, rejected)
        stats.seconds = round(time.perf_counter() - started, 3)
        return stats, rejected

    def _admit(
        self, chunk: list[Article | Rejection], stats: RunStats, rejected: list[Rejection]
    ) -> list[Article]:
        """New articles of the chunk, ready to clean; known ones only gain an input path."""
        articles: list[Article] = []
        for item in chunk:
            if isinstance(item, Rejection):
                rejected.append(item)
            else:
                articles.append(item)
        stats.read += len(articles)
        self.seen.update(a.id for a in articles)
        self.progress("read", len(articles))
        known = self.store.known_ids(a.id for a in articles)
        fresh: dict[str, Article] = {}
        for article in articles:
            if article.id in known or article.id in fresh:
                # The same text again: one article, one more input path.
                stats.unchanged += 1
                if article.id in known and article.path:
                    self.store.add_input(article.id, article.path)
                elif article.path:
                    fresh[article.id].metadata.setdefault("also_read_from", article.path)
                self.progress("done", 1)
                continue
            fresh[article.id] = article
        max_chars = self.config.clean.repeated_line_max_chars
        plain = [a for a in fresh.values() if a.html is None and a.source]
        for article in plain:
            self.store.record_lines(
                article.source or "", article.id, learnable_lines(article.raw_text, max_chars)
            )
        self._attach_learnt_boilerplate(plain)
        return list(fresh.values())

    def _attach_learnt_boilerplate(self, articles: list[Article]) -> None:
        """Give each article the lines its source is known to repeat (one query per source)."""
        min_articles = self.config.clean.repeated_line_min_articles
        learnt: dict[str, frozenset[str]] = {}
        for article in articles:
            source = article.source or ""
            if source not in learnt:
                learnt[source] = self.store.repeated_lines(source, min_articles)
            article.learned_boilerplate = learnt[source]

    def _process(self, articles: list[Article]) -> Iterator[Article | Rejection]:
        if not articles:
            return
        if self._executor is None:
            self._executor = make_executor(self.config.executor, len(articles))
        size = self.config.pipeline.batch_size
        batches = [(self.config, articles[i : i + size]) for i in range(0, len(articles), size)]
        for results in self._executor.map(run_batch, batches):
            yield from results

    def _save(self, article: Article) -> None:
        self.store.save_article(article)
        if article.learned_boilerplate:
            self.store.mark_lines_applied(article.id, article.learned_boilerplate)

    def _reclean(self) -> list[Article]:
        """Clean again the stored articles that hold lines learnt as boilerplate since."""
        stale = self.store.stale_boilerplate(self.config.clean.repeated_line_min_articles)
        if not stale:
            return []
        articles = [reset_derived(a) for a in self.store.get_articles(stale)]
        self._attach_learnt_boilerplate(articles)
        done = []
        for item in self._process(articles):
            if isinstance(item, Rejection):
                # Nothing accepted is dropped: the stored version stays as it was.
                log.warning("re-cleaning %s failed, kept as it was: %s", item.path, item.reason)
                continue
            self._save(item)
            done.append(item)
        return done


def reset_derived(article: Article) -> Article:
    """The article as ingest made it, for a fresh pass through the stages."""
    meta = article.metadata
    fresh = Article(
        id=article.id, raw_text=article.raw_text, path=article.path, url=article.url,
        source=article.source, external_id=article.external_id,
        input_format=article.input_format, html=article.html,
    )
    if meta.get("title_from") == "input":
        fresh.title = article.title
    if meta.get("language_from") == "input":
        fresh.language = article.language
    if meta.get("published_from") == "input":
        fresh.published = article.published
    for key in ("title_from", "language_from", "published_from", "encoding", "site_name"):
        if key in meta:
            fresh.metadata[key] = meta[key]
    return fresh


_worker_pipeline: tuple[str, Pipeline] | None = None


def run_batch(job: tuple[Config, list[Article]]) -> list[Article | Rejection]:
    """Run the configured stages over one batch; the pipeline is built once per process."""
    global _worker_pipeline
    config, articles = job
    key = repr(config)
    if _worker_pipeline is None or _worker_pipeline[0] != key:
        _worker_pipeline = (key, Pipeline(config.pipeline.stages, config))
    return _worker_pipeline[1].run(articles)


def timeline(
    paths: str | Path | Iterable[str | Path],
    options: TimelineOptions,
    db: str | Path | None = None,
    *,
    config: Config | None = None,
    progress: Progress | None = None,
) -> tuple[list[TimelineGroup], list[Rejection]]:
    """Analyse ``paths`` into the store, then the timeline of their articles (only theirs)."""
    with _analysed(paths, db, config, progress) as (store, analyzer, _, rejected):
        articles = store.get_articles(analyzer.seen)
        wanted = {a.id for a in articles}
        copied = copied_passages(store.reuse_pairs(wanted), articles)
        entries = build_timeline(articles, options, store.embeddings(wanted),
                                 analyzer.config.embed, copied)
        return group_by_date(entries), rejected


def build_report(store: Store, rejected: list[Rejection], stats: RunStats,
                 config: Config | None = None) -> Report:
    config = config or Config()
    articles = store.get_articles()
    by_id = {a.id: a for a in articles}
    for article in articles:
        article.raw_text = ""
        article.html = None
    stories = store.stories()
    entities = store.entities()
    canon = store.canonical_keys()
    names = {canon[k]: e.name for e in entities for k in e.keys if canon.get(k) == k}
    storylines = store.storylines()
    fill_stories(stories, storylines, by_id, store.reuse_pairs(), store.embeddings(by_id),
                 canon, names, config)
    return Report(
        articles=articles, rejected=rejected, stories=stories, storylines=storylines,
        entities=entities, run=stats,
    )


def fill_stories(
    stories: Sequence[Story], storylines: Sequence[Storyline], by_id: Mapping[str, Article],
    pairs: Sequence[ReusePair], embeddings: Mapping[str, Embedding], canon: dict[str, str],
    names: dict[str, str], config: Config,
) -> None:
    """Everything a report says of ``stories`` beyond their members: their languages and
    sources, reuse, quotes, figures and events, summaries and timelines (and the
    timelines of ``storylines``). ``by_id`` holds at least every member; its articles
    get their reuse shares."""
    articles = list(by_id.values())
    for story in stories:
        members = [by_id[i] for i in story.articles if i in by_id]
        story.languages = sorted({a.language for a in members if a.language})
        story.sources = sorted({a.source for a in members if a.source})
    reuse = ReuseReport(articles, pairs)
    reuse.annotate(articles)
    reuse.attach(stories)
    crosscheck.attach(stories, dict(by_id), canon, names)
    summarize_stories(stories, storylines, by_id, embeddings, pairs, config.embed)


def _chunks(items: Iterable[Article | Rejection], size: int) -> Iterator[list[Article | Rejection]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


__all__ = ["Analyzer", "analyze", "timeline"]
