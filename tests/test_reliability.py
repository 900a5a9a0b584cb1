"""Nothing lost, nothing stuck: ``recoupe analyze`` killed at any moment, two writers and a
web server on one store, and a folder of hostile files.

These run the real command in subprocesses, on real articles (the seeds and a
sample of ML-Crisis), and compare whole reports.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from .conftest import SEEDS, ml_crisis_documents
from .hostile import EITHER, REJECT, STORE, hostile_inputs, write_jsonl
from .serve.conftest import config_for, running

RECOUPE = [sys.executable, "-m", "recoupe.cli"]
# Small commit groups and batches: a kill finds many moments between two commits.
CONFIG = """
[pipeline]
batch_size = 4
commit_articles = 6
[executor]
workers = 2
min_parallel = 0
"""


def _records(n: int, seed: int = 5) -> list[dict[str, Any]]:
    """``n`` ML-Crisis articles of three busy weeks (Egypt, February 2011), as input
    records, shuffled: stories, copies and learnt boilerplate all have something to do."""
    docs = [json.loads(line) for line in
            ml_crisis_documents().read_text(encoding="utf-8").splitlines()]
    chosen = [d for d in docs if d["topic"] == "egypt" and "2011-02-01" <= d["pub_date"]
              <= "2011-02-20"]
    random.Random(seed).shuffle(chosen)
    return [{"id": d["doc_id"], "text": d["text"], "published": d["pub_date"],
             "language": d["lang"]} for d in chosen[:n]]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    folder = root / "input"
    (folder / "seeds").mkdir(parents=True)
    for seed in SEEDS.glob("*.txt"):
        (folder / "seeds" / seed.name).write_bytes(seed.read_bytes())
    write_jsonl(folder / "egypt.jsonl", _records(44))
    (root / "recoupe.toml").write_text(CONFIG, encoding="utf-8")
    return root


def _analyze(root: Path, db: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*RECOUPE, "analyze", str(root / "input"), "--db", str(db), "--config",
         str(root / "recoupe.toml"), "--quiet", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_as_from_a_terminal)


def _as_from_a_terminal() -> None:
    # A shell starts background jobs with SIGINT ignored, and the child would inherit that:
    # the command runs here as it does when a user starts it, Ctrl-C delivered.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _report(root: Path, db: Path) -> dict[str, Any]:
    """The JSON report of the store after a run over the corpus (adds nothing new when the
    store already holds it all): everything but what the run itself did."""
    proc = _analyze(root, db, "--json")
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode()
    report = json.loads(out)
    report.pop("run")
    report.pop("rejected")
    return dict(report)


def _count(db: Path, query: str) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1)
        try:
            return int(conn.execute(query).fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return -1  # not there yet, or mid-migration


def _integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def _kill_when(proc: subprocess.Popen[bytes], ready: Any, timeout: float = 300) -> bool:
    """SIGKILL ``proc`` as soon as ``ready()``; False when it finished first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if ready():
            tree = psutil.Process(proc.pid).children(recursive=True)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            _gone(tree)
            return True
        time.sleep(0.02)
    raise AssertionError("the run neither finished nor reached the moment")


def _gone(processes: list[psutil.Process], timeout: float = 20) -> None:
    """Every worker (and the fork server) dies with the killed parent."""
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    assert not alive, f"left behind: {[p.pid for p in alive]}"


ARTICLES = "SELECT COUNT(*) FROM articles"
WAITING = "SELECT COUNT(*) FROM ungrouped"


@pytest.fixture(scope="module")
def uninterrupted(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("whole") / "recoupe.db"
    report = _report(corpus, db)
    assert len(report["articles"]) == 49 and report["stories"]
    assert _count(db, WAITING) == 0
    return report


# The moments: before anything is stored, after the first commits, halfway, once all is
# stored (re-cleaning, reuse, grouping), and at a random time.
MOMENTS = {
    "first-commit": lambda db: _count(db, ARTICLES) >= 1,
    "halfway": lambda db: _count(db, ARTICLES) >= 25,
    "all-stored": lambda db: _count(db, ARTICLES) >= 49,
}


@pytest.mark.parametrize("moment", [*MOMENTS, "random"])
def test_a_killed_run_is_finished_by_the_next(
    moment: str, corpus: Path, uninterrupted: dict[str, Any], tmp_path: Path,
) -> None:
    db = tmp_path / "recoupe.db"
    proc = _analyze(corpus, db)
    if moment == "random":
        started, delay = time.monotonic(), random.Random(os.getpid()).uniform(2, 12)
        killed = _kill_when(proc, lambda: time.monotonic() - started > delay)
    else:
        killed = _kill_when(proc, lambda: MOMENTS[moment](db))
    if moment != "random":
        assert killed, "the run ended before the moment came"
    assert _integrity(db) == "ok"
    # Once more, then again: the store ends as the uninterrupted run left it.
    assert _report(corpus, db) == uninterrupted
    assert _count(db, WAITING) == 0


def test_a_killed_grouping_loses_no_story(corpus: Path, uninterrupted: dict[str, Any],
                                         tmp_path: Path) -> None:
    """Killed after every article is stored, before their stories: a store like those the
    campaign found with 0 stories for 398 articles. The next run, given nothing new,
    groups them."""
    db = tmp_path / "recoupe.db"
    proc = _analyze(corpus, db)
    assert _kill_when(proc, lambda: _count(db, ARTICLES) >= 49 and _count(db, WAITING) > 0)
    assert _count(db, "SELECT COUNT(*) FROM story_articles") < 49
    assert _report(corpus, db) == uninterrupted


def test_sigterm_and_sigint_leave_no_worker(corpus: Path, tmp_path: Path) -> None:
    for sig, code in ((signal.SIGTERM, 143), (signal.SIGINT, 130)):
        db = tmp_path / f"{sig.name}.db"
        proc = _analyze(corpus, db)
        deadline = time.monotonic() + 120
        while _count(db, ARTICLES) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        tree = psutil.Process(proc.pid).children(recursive=True)
        assert tree, "the workers should be running"
        sent = time.monotonic()
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
        assert time.monotonic() - sent < 20, "it should stop within seconds"
        assert proc.returncode == code, err.decode()
        assert b"Traceback" not in err and b"interrupted" in err
        _gone(tree)


# -- two writers and a server --------------------------------------------------------


@pytest.fixture
def halves(tmp_path: Path) -> tuple[Path, Path]:
    records = _records(40, seed=9)
    return (write_jsonl(tmp_path / "half0.jsonl", records[::2]),
            write_jsonl(tmp_path / "half1.jsonl", records[1::2]))


def test_two_writers_and_a_server_share_one_store(halves: tuple[Path, Path],
                                                  tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    proc = subprocess.run([*RECOUPE, "analyze", str(SEEDS), "--db", str(db), "--quiet"],
                          capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    errors: list[str] = []
    reads = 0
    stop = threading.Event()

    def read(base: str) -> None:
        nonlocal reads
        with httpx.Client(base_url=base, timeout=60) as client:
            while not stop.is_set():
                for path in ("/api/stories", "/api/search?q=Moubarak", "/", "/api/entities"):
                    r = client.get(path)
                    reads += 1
                    if r.status_code != 200:
                        errors.append(f"{path}: {r.status_code} {r.text[:200]}")
                stories = client.get("/api/stories").json()["stories"]
                for row in stories[:3]:
                    r = client.get(f"/stories/{row['id']}")
                    reads += 1
                    if r.status_code not in (200, 404):  # merged away between two reads
                        errors.append(f"story {row['id']}: {r.status_code}")

    with running(config_for(db)) as base:
        reader = threading.Thread(target=read, args=(base,))
        reader.start()
        writers = [subprocess.Popen([*RECOUPE, "analyze", str(h), "--db", str(db), "--quiet"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                   for h in halves]
        outcomes = [w.communicate(timeout=600) for w in writers]
        stop.set()
        reader.join(timeout=120)
    for w, (_, err) in zip(writers, outcomes, strict=True):
        assert w.returncode == 0, err.decode()
    assert not errors, errors[:5]
    assert reads > 20
    # Every article in exactly one story, none left waiting, the file sound.
    assert _integrity(db) == "ok"
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 45
    assert conn.execute("SELECT COUNT(DISTINCT article_id) FROM story_articles").fetchone()[0] == 45
    assert conn.execute("SELECT COUNT(*) FROM ungrouped").fetchone()[0] == 0
    conn.close()


# -- hostile files ---------------------------------------------------------------------


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[tuple[Path, list[Any]]]:
    folder = tmp_path / "hostile"
    cases = hostile_inputs(folder, random.Random(21), per_kind=2)
    yield folder, cases
    for case in cases:  # the unreadable folders, so that pytest can clean up
        if case.path.is_dir():
            case.path.chmod(0o755)


def test_hostile_files_end_stored_or_rejected(hostile: tuple[Path, list[Any]],
                                              tmp_path: Path) -> None:
    folder, cases = hostile
    db = tmp_path / "h.db"
    config = tmp_path / "budget.toml"
    # A short budget: the files made to stall the stages are stopped, not waited for.
    config.write_text("[executor]\ntask_seconds = 10.0\nchars_per_second = 50000.0\n",
                      encoding="utf-8")
    started = time.monotonic()
    proc = subprocess.run([*RECOUPE, "analyze", str(folder), "--db", str(db), "--json",
                           "--config", str(config)], capture_output=True, timeout=900)
    assert time.monotonic() - started < 600
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 1, err
    assert "Traceback" not in err
    assert "\x1b" not in err and "\x07" not in err  # names are escaped on the terminal
    report = json.loads(proc.stdout)
    rejected = {r["path"] for r in report["rejected"]}
    conn = sqlite3.connect(db)
    inputs = [r[0] for r in conn.execute("SELECT path FROM article_inputs")]
    conn.close()
    for case in cases:
        name = os.fsencode(case.path).decode("utf-8", "backslashreplace")
        stored = sum(1 for p in inputs if p == name or p.startswith(name + "#")
                     or p.startswith(name + "/"))
        refused = any(r == name or r.startswith(name + "#") or r.startswith(name + "/")
                      for r in rejected)
        assert stored or refused, f"{case.kind}: {name} neither stored nor rejected"
        if case.expect == STORE:
            assert stored == case.records and not refused, f"{case.kind}: {name} not kept"
        elif case.expect == REJECT:
            assert refused and not stored, f"{case.kind}: {name} should be rejected"
        else:
            assert case.expect == EITHER
    assert all(r["reason"] for r in report["rejected"])
