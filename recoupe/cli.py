"""The ``recoupe`` command.

Exit codes:
  0  every input was accepted
  1  some inputs were rejected (each named on stderr and in ``rejected``)
  2  usage or configuration error
  3  the store could not be opened or written
  4  internal error
  130 interrupted
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .analyze import analyze as run_analyze
from .config import Config
from .errors import RecoupeError
from .model import is_day
from .report import print_summary, render_html, render_markdown
from .report.terminal import printable

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.split("\n")[0])
err = Console(stderr=True)


@app.callback()
def _root() -> None:
    """recoupe: turn piles and streams of news articles into cross-checked stories."""


@app.command()
def analyze(
    paths: Annotated[list[str], typer.Argument(help="Files, folders (recursive), globs, or - for stdin.")],
    db: Annotated[str | None, typer.Option("--db", metavar="FILE|URL", help="The store: a SQLite file (default: ./recoupe.db) or a postgresql:// URL.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the JSON report on stdout.")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="Write a static HTML report.")] = None,
    markdown: Annotated[Path | None, typer.Option("--markdown", help="Write a Markdown report.")] = None,
    config_file: Annotated[Path | None, typer.Option("--config", help="TOML config file.")] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=0, help="Worker processes (0: one per core).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each step on stderr.")] = False,
) -> None:
    """Ingest PATHs into the store, update stories, print a summary."""
    _logging(quiet, verbose)
    try:
        config = Config.load(config_file)
        if workers is not None:
            config.executor.workers = workers
        with _progress(quiet) as progress:
            read = progress.add_task("reading", total=None)
            done = progress.add_task("analysing", total=0)

            def tick(event: str, n: int) -> None:
                if event == "read":
                    progress.update(read, advance=n)
                    progress.update(done, total=(progress.tasks[done].total or 0) + n)
                else:
                    progress.update(done, advance=n)

            report = run_analyze(paths, db, config=config, progress=tick)
    except KeyboardInterrupt:
        raise _interrupted() from None
    except RecoupeError as exc:
        _say(f"error: {exc}")
        raise typer.Exit(exc.exit_code) from None
    for r in report.rejected:
        _say(f"rejected: {r.path}: {r.reason}")
    for n in report.notices:
        _say(f"note: {n.path}: {n.message}")
    if html:
        _write(html, render_html(report), quiet)
    if markdown:
        _write(markdown, render_markdown(report), quiet)
    if json_out:
        sys.stdout.write(report.to_json() + "\n")
    elif not quiet:
        print_summary(report, Console())
    raise typer.Exit(1 if report.rejected else 0)


@app.command()
def timeline(
    paths: Annotated[list[str], typer.Argument(help="Files, folders (recursive), globs, or - for stdin.")],
    dates: Annotated[int, typer.Option("--dates", min=1, help="How many dates.")],
    sentences: Annotated[int, typer.Option("--sentences", min=1, help="Sentences per date.")] = 1,
    start: Annotated[str | None, typer.Option("--from", help="First date (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last date (YYYY-MM-DD).")] = None,
    db: Annotated[str | None, typer.Option("--db", metavar="FILE|URL", help="The store: a SQLite file (default: ./recoupe.db) or a postgresql:// URL.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the timeline as JSON.")] = False,
    config_file: Annotated[Path | None, typer.Option("--config", help="TOML config file.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")] = False,
) -> None:
    """The dated timeline of PATHs' articles: the most reported dates, each with cited sentences."""
    from .analyze import timeline as run_timeline
    from .summarize import TimelineOptions

    _logging(quiet, verbose=False)
    for name, value in (("--from", start), ("--to", end)):
        if value is not None and not is_day(value):
            _say(f"error: {name} {value!r}: expected a date as YYYY-MM-DD")
            raise typer.Exit(2)
    if start and end and start > end:
        _say(f"error: --from {start} is after --to {end}")
        raise typer.Exit(2)
    try:
        config = Config.load(config_file)
        groups, rejected = run_timeline(
            paths, TimelineOptions(dates=dates, per_date=sentences, start=start, end=end), db,
            config=config)
    except KeyboardInterrupt:
        raise _interrupted() from None
    except RecoupeError as exc:
        _say(f"error: {exc}")
        raise typer.Exit(exc.exit_code) from None
    for r in rejected:
        _say(f"rejected: {r.path}: {r.reason}")
    if json_out:
        sys.stdout.write(json.dumps(
            [{"date": g.date, "sentences": g.sentences, "articles": g.articles,
              "passages": [[c.article, c.start, c.end] for c in g.passages]} for g in groups],
            ensure_ascii=False, indent=2) + "\n")
    else:
        console = Console()
        for g in groups:
            console.print(f"[bold]{g.date}[/bold]")
            for sentence in g.sentences:
                console.print(f"  {sentence}", markup=False, highlight=False)
    raise typer.Exit(1 if rejected else 0)


@app.command()
def serve(
    db: Annotated[str | None, typer.Option("--db", metavar="FILE|URL", help="The store: a SQLite file (default: ./recoupe.db) or a postgresql:// URL.")] = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    config_file: Annotated[Path | None, typer.Option("--config", help="TOML config file.")] = None,
    threads: Annotated[int | None, typer.Option("--threads", min=1, help="Request threads per process (each with its own store connection).")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Server processes (one per core serves the most readers).")] = 1,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")] = False,
) -> None:
    """Serve the store: web pages at /, the HTTP API at /api (OpenAPI at /docs)."""
    import uvicorn

    from .serve import create_app
    from .serve.app import CONFIG_VARIABLE

    _logging(quiet, verbose=False)
    try:
        config = Config.load(config_file)
        if db is not None:
            config.store.point_at(db)
        if threads is not None:
            config.serve.threads = threads
        if config.store.type == "sqlite" and not Path(config.store.path).exists():
            _say(f"error: no store at {config.store.path}: run `recoupe analyze` first")
            raise typer.Exit(3)
    except RecoupeError as exc:
        _say(f"error: {exc}")
        raise typer.Exit(exc.exit_code) from None
    if not quiet:
        where = config.store.path if config.store.type == "sqlite" else "the PostgreSQL store"
        err.print(f"recoupe: serving {where} on http://{host}:{port}/")
    level = "warning" if quiet else "info"
    if workers == 1:
        uvicorn.run(create_app(config), host=host, port=port, log_level=level)
        return
    # Each worker process builds its own app from the import string; the config travels
    # in the environment, which the workers inherit.
    os.environ[CONFIG_VARIABLE] = json.dumps(dataclasses.asdict(config))
    uvicorn.run("recoupe.serve.app:app_from_environment", factory=True, workers=workers,
                host=host, port=port, log_level=level)


eval_app = typer.Typer(no_args_is_help=True, help="Measure recoupe against labelled or generated data.")
app.add_typer(eval_app, name="eval")


@eval_app.command("reuse")
def eval_reuse(
    documents: Annotated[Path, typer.Argument(help="Articles, ML-Crisis JSONL format.")],
    cases: Annotated[int, typer.Option("--cases", min=4, help="Generated copies.")] = 120,
    negatives: Annotated[int, typer.Option("--negatives", min=0, help="Real same-day articles.")] = 120,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the edits.")] = 13,
    json_out: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Duplicates and copied passages on copies generated from real articles."""
    from .eval.reuse import evaluate

    _logging(quiet=True, verbose=False)
    docs = _read_jsonl(documents)
    with _eval_errors(documents, (KeyError,),
                      "records need doc_id, topic, pub_date, lang and text ({} missing)"):
        scores = evaluate(docs, n=cases, negatives=negatives, seed=seed)
    _print_scores(scores, json_out)


@eval_app.command("time")
def eval_time(
    documents: Annotated[Path, typer.Argument(help="French TimeBank-format JSONL (text, dct, timex3).")],
    lang: Annotated[str, typer.Option("--lang", help="Language of the documents.")] = "fr",
    baseline: Annotated[bool, typer.Option("--baseline/--no-baseline",
                                           help="Score dateparser in the same run.")] = True,
    errors: Annotated[bool, typer.Option("--errors", help="List missed, spurious and wrong values.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Temporal expressions: span, type and value scores against gold TIMEX3 annotations."""
    from .eval.time import evaluate

    _logging(quiet=True, verbose=False)
    docs = _read_jsonl(documents)
    _require(documents, docs, ("text",), "records need text, dct and timex3")
    with _eval_errors(documents, (KeyError, TypeError), "malformed timex3 annotation ({})"):
        scores = evaluate(docs, lang=lang, baseline=baseline, errors=errors)
    _print_scores(scores, json_out)


@eval_app.command("clustering")
def eval_clustering(
    documents: Annotated[Path, typer.Argument(help="Articles, ML-Crisis JSONL format.")],
    labels: Annotated[list[Path], typer.Option(
        "--labels", help="JSONL: doc_id -> event (and window, kind). Repeat for several.")],
    baseline: Annotated[bool, typer.Option("--baseline/--no-baseline",
                                           help="Score the baselines in the same run.")] = True,
    lowo: Annotated[bool, typer.Option(
        "--lowo/--no-lowo", help="Also score each window (the labels' `window`) by a linker "
                                 "trained on the other windows only.")] = True,
    train_out: Annotated[Path | None, typer.Option(
        "--train", help="Train the story linker on all the labels, write it here, and score "
                        "with it (ship it as recoupe/stories/linker_model.json).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Stories against event labels: B-cubed and pairwise P/R/F1, overall, per language, per
    window and on kind=event articles only, beside every-article-alone and embedding-only;
    and leave-one-window-out, the scores to quote for anything learnt."""
    from .config import Config
    from .eval.linker import leave_one_window_out, train_linker
    from .eval.stories import Labels, evaluate

    _logging(quiet=True, verbose=False)
    docs = _read_jsonl(documents)
    _require(documents, docs, ("doc_id", "text"), "records need doc_id and text")
    gold: list[Any] = []
    seen: dict[str, Path] = {}
    for path in labels:
        rows = _read_jsonl(path)
        _require(path, rows, ("doc_id", "event"), "records need doc_id and event")
        for row in rows:
            if (first := seen.setdefault(str(row["doc_id"]), path)) is not path:
                _say(f"error: {path}: doc_id {row['doc_id']} is labelled in {first} already")
                raise typer.Exit(2)
        gold.extend(rows)
    marks = Labels.read(gold)
    chosen = [d for d in docs if str(d["doc_id"]) in marks.event]
    config = Config()
    names = " + ".join(p.name for p in labels)
    with _eval_errors(names, (ValueError,), "{}"):
        if train_out is not None:
            linker = train_linker(chosen, marks, config, f"{names}: {len(chosen)} articles")
            _write(train_out, linker.to_json(), quiet=json_out)
            config.stories.linker = str(train_out)  # the scoring below uses it
        scores = evaluate(docs, gold, config=config, baseline=baseline)
        if lowo and len(set(marks.window.values())) >= 2:
            scores["leave_one_window_out"] = leave_one_window_out(chosen, marks, config)
    _print_scores(scores, json_out)


@eval_app.command("whowhat")
def eval_whowhat(
    gold: Annotated[list[Path], typer.Argument(
        help="Annotations, JSONL: doc_id, quotes, figures, events, ignore; or records written "
             "under whowhat_rules.md (speaker, where, value). One file or several.")],
    documents: Annotated[list[Path], typer.Option(
        "--documents", help="Articles: ML-Crisis JSONL (doc_id, text), or text files or folders "
                            "(doc_id = file name). Repeat for several.")],
    aliases: Annotated[Path | None, typer.Option(
        "--aliases", help="JSON list of alias groups, to score entity merges.")] = None,
    errors: Annotated[bool, typer.Option("--errors", help="List missed, spurious and wrong items.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Quotes (with speakers), figures (with values), entity merges and events against annotations."""
    from .eval.whowhat import evaluate, gold_record

    _logging(quiet=True, verbose=False)
    rows = []
    for path in gold:
        found_rows = _read_jsonl(path)
        _require(path, found_rows, ("doc_id",), "records need doc_id")
        with _eval_errors(path, (KeyError, TypeError, ValueError), "malformed annotation ({})"):
            for row in found_rows:  # read here, so that an error names its own file
                gold_record(row)
        rows.extend(found_rows)
    records: list[Any] = []
    paths: list[str] = []
    for source in documents:
        if source.is_file() and source.suffix in (".jsonl", ".ndjson"):
            found = _read_jsonl(source)
            _require(source, found, ("doc_id", "text"), "records need doc_id and text")
            records.extend(found)
        elif source.exists():
            paths.append(str(source))
        else:
            _say(f"error: {source}: no such file or folder")
            raise typer.Exit(2)
    groups = None
    if aliases is not None:
        try:
            groups = json.loads(aliases.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            _say(f"error: cannot read {aliases}: {exc}")
            raise typer.Exit(2) from None
        if not isinstance(groups, list) or not all(isinstance(g, list) for g in groups):
            _say(f"error: {aliases}: expected a JSON list of lists of names")
            raise typer.Exit(2)
    with _eval_errors(", ".join(map(str, gold)), (KeyError, TypeError, ValueError),
                      "malformed annotation ({})"):
        scores = evaluate(rows, records, paths, aliases=groups, errors=errors)
    _print_scores(scores, json_out)


@eval_app.command("clean")
def eval_clean(
    documents: Annotated[Path, typer.Argument(help="Pages, ML-Crisis JSONL format (doc_id, text, lang, pub_date).")],
    gold: Annotated[list[Path], typer.Option(
        "--gold", help="JSONL of marked pages: doc_id, body_lines [first, last]. Repeat for several.")],
    extra: Annotated[list[Path] | None, typer.Option(
        "--extra", help="More marked pages, for training only (with --train).")] = None,
    heldout: Annotated[list[Path] | None, typer.Option(
        "--heldout", help="Marked pages never trained on, scored apart as a second "
                          "validation set.")] = None,
    train_out: Annotated[Path | None, typer.Option(
        "--train", help="Train the body model on the tuning half (and --extra), write it here, "
                        "and score with it.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Cleaning against hand-marked article bodies: word P/R/F1 of the kept text and title
    accuracy, per language and per half (tuning, validation), and the dating of the corpus."""
    from .eval.clean import evaluate

    _logging(quiet=True, verbose=False)
    docs = _read_jsonl(documents)
    _require(documents, docs, ("doc_id", "text"), "records need doc_id and text")
    marked, more = _marked_pages(gold), _marked_pages(extra or [])
    with _eval_errors(documents, (KeyError, TypeError, ValueError), "{}"):
        scores = evaluate(docs, marked, more, train_out, heldout=_marked_pages(heldout or []))
    _print_scores(scores, json_out)


@eval_app.command("timeline")
def eval_timeline(
    folder: Annotated[Path, typer.Argument(help="ML-Crisis-format folder: documents.jsonl and timelines.jsonl.")],
    db: Annotated[Path | None, typer.Option("--db", help="Keep the analysed store here (reused when run again).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Timelines: date F1 and concat, agreement and align+ m:1 ROUGE-1/2 against reference timelines."""
    from .eval.summaries import evaluate

    _logging(quiet=True, verbose=False)
    for name in ("documents.jsonl", "timelines.jsonl"):
        if not (folder / name).is_file():
            _say(f"error: {folder}: no {name} in it")
            raise typer.Exit(2)
    docs = _read_jsonl(folder / "documents.jsonl")
    refs = _read_jsonl(folder / "timelines.jsonl")
    _require(folder / "documents.jsonl", docs, ("doc_id", "text", "lang", "topic"),
             "records need doc_id, text, lang and topic")
    _require(folder / "timelines.jsonl", refs, ("lang", "topic", "timeline"),
             "records need lang, topic and timeline")
    with _eval_errors(folder / "timelines.jsonl", (KeyError, TypeError, ValueError),
                      "malformed timeline ({})"):
        scores = evaluate(docs, refs, db=db)
    _print_scores(scores, json_out)


@contextmanager
def _eval_errors(path: Path | str, bad: tuple[type[Exception], ...], reason: str
                 ) -> Iterator[None]:
    """Exit 2 naming ``path`` when its records raise ``bad``; a RecoupeError keeps its code."""
    try:
        yield
    except RecoupeError as exc:
        _say(f"error: {exc}")
        raise typer.Exit(exc.exit_code) from None
    except bad as exc:
        _say(f"error: {path}: {reason.format(exc)}")
        raise typer.Exit(2) from None


def _marked_pages(paths: list[Path]) -> list[Any]:
    """The marked pages of every file in ``paths`` (doc_id, body_lines)."""
    rows: list[Any] = []
    for path in paths:
        found = _read_jsonl(path)
        _require(path, found, ("doc_id", "body_lines"), "records need doc_id and body_lines")
        rows += found
    return rows


def _require(path: Path, rows: list[Any], keys: tuple[str, ...], need: str) -> None:
    """Exit 2, naming the file and the first bad line, unless every record has ``keys``."""
    bad = next((i + 1 for i, r in enumerate(rows)
                if not isinstance(r, dict) or any(k not in r for k in keys)), None)
    if bad is not None:
        _say(f"error: {path}: {need} (line {bad} does not)")
        raise typer.Exit(2)


def _print_scores(scores: dict[str, Any], json_out: bool) -> None:
    if json_out:
        sys.stdout.write(json.dumps(scores, indent=2, ensure_ascii=False) + "\n")
    else:
        Console().print_json(data=scores)


def _read_jsonl(path: Path) -> list[Any]:
    try:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip()]
    except (OSError, ValueError) as exc:
        _say(f"error: cannot read {path}: {exc}")
        raise typer.Exit(2) from None


def _write(path: Path, text: str, quiet: bool) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        _say(f"error: cannot write {path}: {exc.strerror or exc}")
        raise typer.Exit(2) from None
    if not quiet:
        _say(f"wrote {path.resolve()}")


def _say(line: str) -> None:
    # One unwrapped line each, for people and for grep; file names and reasons come from
    # the inputs, so no control character reaches the terminal.
    sys.stderr.write(printable(line) + "\n")


def _progress(quiet: bool) -> Progress:
    return Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed}"),
        TextColumn("/ {task.total}"), TimeElapsedColumn(),
        console=err, transient=True, disable=quiet,
    )


class _Printable(logging.Filter):
    """Log messages name inputs: their control characters are escaped before the terminal."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = printable(record.getMessage()), None
        return True


def _logging(quiet: bool, verbose: bool) -> None:
    level = logging.ERROR if quiet else logging.INFO if verbose else logging.WARNING
    handler = RichHandler(console=err, show_path=False, show_time=verbose, markup=False)
    handler.addFilter(_Printable())
    logging.basicConfig(level=level, format="%(message)s", handlers=[handler], force=True)
    # Rejections are printed once, by us, after the run.
    logging.getLogger("recoupe.analyze").setLevel(logging.ERROR if not verbose else logging.INFO)
    for noisy in ("trafilatura", "htmldate", "courlan", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


_signal_received: list[int] = []


def _terminate(signum: int, frame: object) -> None:
    # SIGTERM takes the path Ctrl-C takes: workers stopped, what is stored kept.
    _signal_received.append(signum)
    raise KeyboardInterrupt


def _interrupted() -> typer.Exit:
    """Say what an interruption leaves; the exit code tells Ctrl-C (130) from SIGTERM (143)."""
    _say("interrupted: the articles stored so far are kept; the next run groups them "
         "into stories")
    return typer.Exit(128 + (_signal_received[-1] if _signal_received else signal.SIGINT))


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    app()


if __name__ == "__main__":
    main()
