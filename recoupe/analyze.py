"""``analyze``: inputs in, store updated, report out.

The data flow: ingest (this process, streaming) → learn boilerplate lines
per source (store) → per-article stages (executor) → store and reuse index,
one transaction per group of articles, each article marked as awaiting its
story → re-clean stored articles whose boilerplate was learnt since → story
grouping of every article awaiting it (one transaction, under the store's
writer lock) → entities → report of the whole store.

Grouping is part of an article's unit of work: the mark that it awaits
grouping is written with it and cleared with its story, so a run killed at
any moment leaves a store the next run finishes, ending where one
uninterrupted run would have.
"""

from __future__ import annotations

import copy
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

from .clean.repeated import learnable_lines
from .config import Config
from .errors import StoreError
from .execute import Executor, Failed, make_executor
from .ingest import iter_inputs
from .model import (
    Article,
    Embedding,
    Notice,
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
from .stories.describe import describe_members
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
    Raises ``ConfigError`` or ``StoreError`` when it cannot run at all, and
    KeyboardInterrupt when interrupted (what was stored stays, and the next
    run groups it).
    """
    with _analysed(paths, db, config, progress) as (store, analyzer, stats, rejected):
        report = build_report(store, rejected, stats, analyzer.config)
        report.notices = analyzer.notices
        return report


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
        config.store.point_at(str(db))
    store = open_store(config.store)
    try:
        analyzer = Analyzer(config, store, progress)
        stats, rejected = analyzer.run([str(p) for p in paths])
        yield store, analyzer, stats, rejected
    finally:
        store.close()


class Analyzer:
    def __init__(self, config: Config, store: Store, progress: Progress | None = None,
                 executor: Executor | None = None) -> None:
        self.config = config
        self.store = store
        self.progress = progress or (lambda event, n: None)
        # Checked here, in the parent, so a bad pipeline fails before any work.
        self.pipeline = Pipeline(config.pipeline.stages, config)
        # An executor given is the caller's to close (a server keeps its workers).
        self._executor: Executor | None = executor
        self._own_executor = executor is None
        self._reuse = ReuseIndex(store, config.reuse)
        self.seen: set[str] = set()  # every article the inputs hold, new or already stored
        self.added: list[str] = []  # the articles this run stored, in input order
        self.known: list[str] = []  # ... and those the store already held
        self.notices: list[Notice] = []  # what the inputs said besides their articles
        # The other inputs of this run's new articles that hold the same text, by the
        # path of the one analysed.
        self._copies: dict[str, list[str]] = {}

    def run(self, paths: Sequence[str]) -> tuple[RunStats, list[Rejection]]:
        """Analyse the articles found in ``paths``."""
        return self.run_items(iter_inputs(paths, self.config.ingest))

    def run_items(self, items: Iterable[Article | Rejection | Notice]
                  ) -> tuple[RunStats, list[Rejection]]:
        """Analyse ``items`` (ingest's articles and rejections) into the store."""
        started = time.perf_counter()
        stats = RunStats()
        rejected: list[Rejection] = []
        finished = False
        try:
            for chunk in _chunks(items, _CHUNK):
                fresh = self._admit(chunk, stats, rejected)
                self._store(self._process(fresh), rejected)
            stats.recleaned = self._reclean()
            finished = True
        finally:
            if self._executor is not None and self._own_executor:
                # Interrupted or failing: stop the workers now rather than wait for their
                # tasks. What was stored stays, marked for grouping by the next run.
                (self._executor.close if finished else self._executor.stop)()
                self._executor = None
        stats.added = len(self.added)
        stats.rejected = len(rejected)
        stats.stories_touched = self.group()
        for r in rejected:
            log.warning("rejected %s: %s", r.path, r.reason)
        self.store.record_rejections(uuid.uuid4().hex, rejected)
        stats.seconds = round(time.perf_counter() - started, 3)
        return stats, rejected

    def group(self) -> int:
        """Group every stored article awaiting its story (this run's, and any a killed run
        left), and count the entities again; returns the number of stories touched.

        Under the store's writer lock and in one transaction: two writers never group
        at once, and a kill leaves the marks for the next run."""
        with self.store.exclusive():
            waiting = self.store.awaiting_grouping()
            touched = 0
            if waiting:
                articles = self.store.get_articles(waiting)
                vectors = self.store.embeddings(waiting)
                for article in articles:
                    article.embedding = vectors.get(article.id)
                try:
                    touched = self._group(articles)
                except StoreError:
                    raise
                except Exception:
                    # One article must not keep all the others out of their stories, run
                    # after run: each alone, and the one that fails keeps its mark.
                    log.error("grouping failed; grouping the articles one at a time",
                              exc_info=True)
                    for article in articles:
                        try:
                            touched += self._group([article])
                        except StoreError:
                            raise
                        except Exception as exc:
                            log.error("could not group %s (%s: %s): it stays stored, awaiting "
                                      "its story", article.path or article.id,
                                      type(exc).__name__, exc)
            crosscheck.refresh_entities(self.store)
            self.store.flush()
        return touched

    def _group(self, articles: list[Article]) -> int:
        """File ``articles`` in their stories and clear their marks: all of it, or none."""
        with self.store.batch():
            touched = len(StoryGrouper(self.store, self.config.stories).add(articles))
            self.store.grouped(a.id for a in articles)
        return touched

    def _admit(
        self, chunk: list[Article | Rejection | Notice], stats: RunStats,
        rejected: list[Rejection]
    ) -> list[Article]:
        """New articles of the chunk, ready to clean; known ones only gain an input path."""
        articles: list[Article] = []
        for item in chunk:
            if isinstance(item, Rejection):
                rejected.append(item)
            elif isinstance(item, Notice):
                self.notices.append(item)
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
                if article.id in known:
                    self.known.append(article.id)
                    if article.path:
                        self.store.add_input(article.id, article.path)
                elif article.path:
                    # Filed with the article when it is stored, rejected with it if it is.
                    first = fresh[article.id].path or article.id
                    self._copies.setdefault(first, []).append(article.path)
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
        """Each article analysed, or rejected with its reason, in input order."""
        if not articles:
            return
        if self._executor is None:
            self._executor = make_executor(self.config.executor, len(articles),
                                           init=(warm_worker, (self.config,)))
        jobs = [(self.config, batch) for batch in self._batches(articles)]
        for job, outcome in zip(jobs, self._executor.attempt(run_batch, jobs, self._budget),
                                strict=True):
            if not isinstance(outcome, Failed):
                yield from outcome
            elif len(job[1]) == 1:
                yield _failed(job[1][0], outcome)
            else:
                # Which article was it? Each alone, with its own budget, tells.
                alone = [(self.config, [a]) for a in job[1]]
                for (_, (article,)), again in zip(
                        alone, self._executor.attempt(run_batch, alone, self._budget),
                        strict=True):
                    if isinstance(again, Failed):
                        yield _failed(article, again)
                    else:
                        yield from again

    def _batches(self, articles: list[Article]) -> Iterator[list[Article]]:
        """Batches of at most ``batch_size`` articles and ``task_chars`` characters (a long
        article goes alone, with a budget of its own)."""
        size, most = self.config.pipeline.batch_size, self.config.executor.task_chars
        batch: list[Article] = []
        chars = 0
        for article in articles:
            n = _chars(article)
            if batch and (len(batch) >= size or chars + n > most):
                yield batch
                batch, chars = [], 0
            batch.append(article)
            chars += n
        if batch:
            yield batch

    def _budget(self, job: tuple[Config, list[Article]]) -> float:
        cfg = self.config.executor
        return cfg.task_seconds + sum(_chars(a) for a in job[1]) / cfg.chars_per_second

    def _store(self, analysed: Iterable[Article | Rejection], rejected: list[Rejection]) -> None:
        """Store analysed articles a group at a time: the articles, their reuse links and
        their mark for grouping in one transaction, so a kill loses none of it halfway."""
        group: list[Article] = []
        for item in analysed:
            if isinstance(item, Rejection):
                rejected.append(item)
                rejected.extend(Rejection(p, f"{item.reason} (the same text as {item.path})")
                                for p in self._copies.pop(item.path, []))
                self.progress("done", 1)
                continue
            group.append(item)
            if len(group) >= self.config.pipeline.commit_articles:
                self._commit(group, awaiting=True)
                group = []
        if group:
            self._commit(group, awaiting=True)

    def _commit(self, articles: list[Article], awaiting: bool) -> None:
        with self.store.batch():
            for article in articles:
                self.store.save_article(article)
                for path in self._copies.pop(article.path or article.id, []):
                    self.store.add_input(article.id, path)
                if article.learned_boilerplate:
                    self.store.mark_lines_applied(article.id, article.learned_boilerplate)
            if awaiting:
                self.store.await_grouping(a.id for a in articles)
            self._reuse.add(articles)
        if awaiting:
            self.added.extend(a.id for a in articles)
            self.progress("done", len(articles))

    def _reclean(self) -> int:
        """Clean again the stored articles that hold lines learnt as boilerplate since."""
        stale = self.store.stale_boilerplate(self.config.clean.repeated_line_min_articles)
        if not stale:
            return 0
        done = 0
        for start in range(0, len(stale), _CHUNK):
            articles = [reset_derived(a) for a in self.store.get_articles(stale[start:start + _CHUNK])]
            self._attach_learnt_boilerplate(articles)
            group: list[Article] = []
            for item in self._process(articles):
                if isinstance(item, Rejection):
                    # Nothing accepted is dropped: the stored version stays as it was.
                    log.warning("re-cleaning %s failed, kept as it was: %s", item.path, item.reason)
                    continue
                group.append(item)
            size = self.config.pipeline.commit_articles
            for i in range(0, len(group), size):
                self._commit(group[i:i + size], awaiting=False)
            done += len(group)
        return done


def _chars(article: Article) -> int:
    return len(article.raw_text) + len(article.html or "")


def _failed(article: Article, failure: Failed) -> Rejection:
    return Rejection(article.path or article.id, f"analysis stopped: {failure.reason}")


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


def _pipeline(config: Config) -> Pipeline:
    global _worker_pipeline
    key = repr(config)
    if _worker_pipeline is None or _worker_pipeline[0] != key:
        _worker_pipeline = (key, Pipeline(config.pipeline.stages, config))
    return _worker_pipeline[1]


def run_batch(job: tuple[Config, list[Article]]) -> list[Article | Rejection]:
    """Run the configured stages over one batch; the pipeline is built once per process.

    On copies: a batch stopped halfway (over its time) is tried again article by
    article, from the articles as they came."""
    config, articles = job
    return _pipeline(config).run(copy.deepcopy(articles))


def warm_worker(config: Config) -> None:
    """Build the pipeline and load its models: a worker does it before its first task, so
    that no task's time budget pays for it."""
    from .nlp.embed import embedder
    from .nlp.models import pipeline_for

    _pipeline(config)
    for lang in config.language.models:
        pipeline_for(lang, config.language)
    if "embed" in config.pipeline.stages:
        embedder(config.embed.model, config.embed.threads)


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
        describe_members(story, [by_id[i] for i in story.articles if i in by_id], pairs)
    reuse = ReuseReport(articles, pairs)
    reuse.annotate(articles)
    reuse.attach(stories)
    crosscheck.attach(stories, dict(by_id), canon, names)
    summarize_stories(stories, storylines, by_id, embeddings, pairs, config.embed)


def _chunks(items: Iterable[Article | Rejection | Notice], size: int
            ) -> Iterator[list[Article | Rejection | Notice]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


__all__ = ["Analyzer", "analyze", "timeline"]
