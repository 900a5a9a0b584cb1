"""The reliability campaign: hostile files, kills, concurrent writers, hostile requests.

Parts (``--parts``, all by default):

- ``files``: over a thousand hostile files (``tests/hostile.py``: every class of fault
  found so far, random damage to good files, and good files in every format) in one
  ``recoupe analyze`` run, then a sample of them one per run (the in-process path).
  Counted: crashes (a traceback, or an exit code other than 0/1), hangs (a run past
  its time limit), silent drops (a file neither stored nor rejected), good files lost,
  files that should have been refused and were stored.
- ``kills``: ML-Crisis records analysed once without interruption, then 20 times with
  a ``kill -9`` at a random moment followed by a run to finish; each final report
  must equal the uninterrupted one, and no process may outlive its parent.
- ``writers``: two ``analyze`` processes and ``recoupe serve`` on one store, with
  readers hammering the web pages and the API meanwhile: errors counted.
- ``requests``: hostile HTTP requests (huge and malformed numbers, traversal, bad
  bodies, bad tokens, odd methods) and a schemathesis run over the OpenAPI
  description: answers 500 counted, and answers without the security headers.

    python benchmarks/reliability.py [--parts files,kills,writers,requests] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import psutil
from common import documents, machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.hostile import (  # noqa: E402
    EITHER,
    REJECT,
    STORE,
    Case,
    hostile_inputs,
    kinds,
    write_jsonl,
)

RECOUPE = [sys.executable, "-m", "recoupe.cli"]
SEEDS = ROOT / "examples" / "ukraine-2022"


def _display(path: Path) -> str:
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _account(cases: list[Case], db: Path, rejected: list[dict[str, str]]) -> dict[str, Any]:
    conn = sqlite3.connect(db)
    inputs = [r[0] for r in conn.execute("SELECT path FROM article_inputs")]
    conn.close()
    refused = [r["path"] for r in rejected]
    out = {"silent_drops": [], "good_lost": [], "should_be_refused": []}
    for case in cases:
        name = _display(case.path)

        def mine(p: str, name: str = name) -> bool:
            return p == name or p.startswith((name + "#", name + "/"))

        stored = sum(1 for p in inputs if mine(p))
        said = any(mine(r) for r in refused)
        if not stored and not said:
            out["silent_drops"].append(f"{case.kind}: {name}")
        if case.expect == STORE and (stored != case.records or said):
            out["good_lost"].append(f"{case.kind}: {name}")
        if case.expect == REJECT and stored:
            out["should_be_refused"].append(f"{case.kind}: {name}")
    return out


def files_part(tmp: Path, per_kind: int, alone: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    # The files built to stall the stages cost their whole time budget each: a few of
    # each shape, and many of everything else.
    counts = {"text-stall": 6, "html-elements": 10, "html-attributes": 10, "text-huge": 10,
              "gzip": 30, "folders": 4}
    folder = tmp / "hostile"
    cases = hostile_inputs(folder, rng, per_kind=per_kind, counts=counts)
    db = tmp / "hostile.db"
    started = time.monotonic()
    limit = 3600
    try:
        proc = subprocess.run([*RECOUPE, "analyze", str(folder), "--db", str(db), "--json"],
                              capture_output=True, timeout=limit)
        hung = False
    except subprocess.TimeoutExpired:
        hung = True
    seconds = time.monotonic() - started
    out: dict[str, Any] = {"files": len(cases), "kinds": len(kinds()),
                           "expected": {k: sum(1 for c in cases if c.expect == k)
                                        for k in (STORE, REJECT, EITHER)},
                           "folder_run_seconds": round(seconds, 1), "hangs": int(hung)}
    if not hung:
        err = proc.stderr.decode("utf-8", "replace")
        out["exit_code"] = proc.returncode
        out["crashes"] = int("Traceback" in err or proc.returncode not in (0, 1))
        out["raw_escapes_on_terminal"] = int("\x1b" in err or "\x07" in err)
        report = json.loads(proc.stdout)
        accounted = _account(cases, db, report["rejected"])
        out.update({k: len(v) for k, v in accounted.items()})
        out["examples"] = {k: v[:5] for k, v in accounted.items() if v}
        out["stored_articles"] = len(report["articles"])
        out["rejected"] = len(report["rejected"])
        out["rejected_over_time"] = sum(1 for r in report["rejected"]
                                        if "took longer than" in r["reason"])
    # Alone, each in its own run: the in-process path (small jobs) with its own budget.
    sample = random.Random(seed).sample([c for c in cases if c.kind != "folders"],
                                        min(alone, len(cases)))
    crashes, hangs, drops, lost, times = 0, 0, 0, 0, []
    for case in sample:
        one_db = tmp / "one.db"
        for stale in tmp.glob("one.db*"):
            if stale.is_file():
                stale.unlink()
        started = time.monotonic()
        try:
            proc = subprocess.run([*RECOUPE, "analyze", str(case.path), "--db", str(one_db),
                                   "--json"], capture_output=True, timeout=600)
        except subprocess.TimeoutExpired:
            hangs += 1
            continue
        times.append(time.monotonic() - started)
        err = proc.stderr.decode("utf-8", "replace")
        if "Traceback" in err or proc.returncode not in (0, 1):
            crashes += 1
            continue
        accounted = _account([case], one_db, json.loads(proc.stdout)["rejected"])
        drops += len(accounted["silent_drops"])
        lost += len(accounted["good_lost"])
    out["alone"] = {"runs": len(sample), "crashes": crashes, "hangs": hangs,
                    "silent_drops": drops, "good_lost": lost,
                    "max_seconds": round(max(times), 1) if times else None}
    return out


def _records(n: int, seed: int) -> list[dict[str, Any]]:
    docs = documents()
    random.Random(seed).shuffle(docs)
    return [{"id": d["doc_id"], "text": d["text"], "published": d["pub_date"],
             "language": d["lang"]} for d in docs[:n]]


def _report(folder: Path, db: Path) -> dict[str, Any]:
    proc = subprocess.run([*RECOUPE, "analyze", str(folder), "--db", str(db), "--json", "-q"],
                          capture_output=True, timeout=3600)
    if proc.returncode not in (0, 1):
        raise RuntimeError(proc.stderr.decode())
    report = json.loads(proc.stdout)
    report.pop("run")
    report.pop("rejected")
    return dict(report)


def _counts(db: Path) -> tuple[int, int]:
    """(articles stored, articles awaiting their story) in ``db``."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return (conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0],
                    conn.execute("SELECT COUNT(*) FROM ungrouped").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0, 0  # killed before the store was made


def kills_part(tmp: Path, n: int, moments: int, seed: int) -> dict[str, Any]:
    folder = tmp / "input"
    folder.mkdir()
    for f in SEEDS.glob("*.txt"):
        (folder / f.name).write_bytes(f.read_bytes())
    write_jsonl(folder / "records.jsonl", _records(n, seed))
    started = time.monotonic()
    whole = _report(folder, tmp / "whole.db")
    run_seconds = time.monotonic() - started
    rng = random.Random(seed)
    total = len(whole["articles"])
    equal, killed, orphans = 0, 0, 0
    phases = {"nothing stored": 0, "storing": 0, "all stored, not grouped": 0, "grouped": 0}
    for k in range(moments):
        db = tmp / f"killed{k}.db"
        proc = subprocess.Popen([*RECOUPE, "analyze", str(folder), "--db", str(db), "-q"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # A quarter of the moments at a random time; the others when a random share of
        # the articles is stored (all of them: before their stories are committed).
        started, delay = time.monotonic(), rng.uniform(1.0, run_seconds * 0.95)
        share = rng.choice([rng.uniform(0.02, 0.98), 1.0])
        while proc.poll() is None:
            if k % 4 == 0:
                if time.monotonic() - started >= delay:
                    break
            else:
                stored, waiting = _counts(db)
                if stored >= share * total and (share < 1.0 or waiting):
                    break
            time.sleep(0.02)
        if proc.poll() is None:
            tree = psutil.Process(proc.pid).children(recursive=True)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            killed += 1
            _, alive = psutil.wait_procs(tree, timeout=20)
            orphans += len(alive)
            stored, waiting = _counts(db)
            phases["nothing stored" if not stored else "storing" if stored < total
                   else "all stored, not grouped" if waiting else "grouped"] += 1
        if _report(folder, db) == whole:
            equal += 1
    return {"records": n + 5, "uninterrupted_seconds": round(run_seconds, 1),
            "runs": moments, "killed": killed, "kill_phases": phases,
            "equal_to_uninterrupted": equal, "processes_left_behind": orphans}


def _tracebacks(log: str) -> list[str]:
    """The last line of each traceback in a server's log: what raised."""
    out, lines = [], log.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Traceback"):
            end = next((j for j in range(i + 1, len(lines)) if not lines[j].startswith(" ")),
                       len(lines) - 1)
            out.append(lines[end][:300])
    return out[:10]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Server:
    """``recoupe serve`` in a subprocess on a free loopback port."""

    def __init__(self, db: Path, token: str = "campaign-token") -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "RECOUPE_TOKEN": token}
        self.proc = subprocess.Popen(
            [*RECOUPE, "serve", "--db", str(db), "--port", str(self.port), "-q"], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(self.url + "/api/stories", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.2)

    def close(self) -> str:
        self.proc.send_signal(signal.SIGINT)
        try:
            _, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err.decode("utf-8", "replace")


def writers_part(tmp: Path, n: int, seed: int) -> dict[str, Any]:
    db = tmp / "shared.db"
    subprocess.run([*RECOUPE, "analyze", str(SEEDS), "--db", str(db), "-q"], check=True,
                   capture_output=True)
    records = _records(n, seed + 1)
    halves = [write_jsonl(tmp / "half0.jsonl", records[::2]),
              write_jsonl(tmp / "half1.jsonl", records[1::2])]
    server = _Server(db)
    errors: list[str] = []
    reads = [0]
    stop = threading.Event()

    def read() -> None:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            while not stop.is_set():
                for path in ("/", "/api/stories", "/api/search?q=Egypte", "/api/entities",
                             "/storylines"):
                    r = client.get(path)
                    reads[0] += 1
                    if r.status_code >= 500:
                        errors.append(f"{path}: {r.status_code}")
                for row in client.get("/api/stories").json()["stories"][:4]:
                    r = client.get(f"/stories/{row['id']}")
                    reads[0] += 1
                    if r.status_code >= 500:
                        errors.append(f"story: {r.status_code}")

    readers = [threading.Thread(target=read) for _ in range(3)]
    try:
        for t in readers:
            t.start()
        started = time.monotonic()
        procs = [subprocess.Popen([*RECOUPE, "analyze", str(h), "--db", str(db), "-q"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                 for h in halves]
        outs = [p.communicate(timeout=3600)[1].decode("utf-8", "replace") for p in procs]
        seconds = time.monotonic() - started
    finally:
        stop.set()
        for t in readers:
            t.join()
        server_log = server.close()
    conn = sqlite3.connect(db)
    articles = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    grouped = conn.execute("SELECT COUNT(DISTINCT article_id) FROM story_articles").fetchone()[0]
    waiting = conn.execute("SELECT COUNT(*) FROM ungrouped").fetchone()[0]
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    conn.close()
    return {"records": n, "seconds": round(seconds, 1), "reads": reads[0],
            "read_errors": len(errors), "examples": errors[:5],
            "writer_exit_codes": [p.returncode for p in procs],
            "writer_tracebacks": sum("Traceback" in o for o in outs),
            "server_tracebacks": int("Traceback" in server_log),
            "articles": articles, "articles_in_a_story": grouped, "left_ungrouped": waiting,
            "integrity": integrity}


_STRINGS = ["<script>alert(1)</script>", "' OR 1=1 --", '"; DROP TABLE stories; --',
            "../../../../etc/passwd", "%2e%2e%2f%2e%2e%2f", "\u202e\u0000x", "a" * 5000,
            "NEAR(\"a\" \"b\")", "*", "\"", "AND OR NOT", "𝕳𝖊𝖑𝖑𝖔", "%00", "{{7*7}}",
            "${jndi:ldap://x}", "\ud7ff\ue000", "é" * 300, "-1", "9" * 400, "1e309", ""]
_NUMBERS = ["-1", "0", "9223372036854775808", "1" + "0" * 100, "abc", "1e9", "１２", "0x10",
            " 5", "5 ", "NaN", "Infinity", "0-" + "9" * 5000, "10-5", "3-3"]


def _hostile_requests(rng: random.Random, ids: dict[str, list[str]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    lists = ["/api/stories", "/api/entities", "/", "/entities"]
    filters = ["start", "end", "language", "source", "entity", "storyline", "q"]
    for _ in range(300):
        params = {rng.choice(["offset", "limit"]): rng.choice(_NUMBERS)}
        params[rng.choice(filters)] = rng.choice(_STRINGS + _NUMBERS)
        out.append({"method": "GET", "url": rng.choice(lists), "params": params})
    for _ in range(250):
        kind = rng.choice(["stories", "articles", "entities", "storylines"])
        ident = rng.choice(_STRINGS[:-1] + ids.get(kind, ["x"]))
        prefix = rng.choice(["/api/", "/"])
        params = {"mark": rng.choice(_NUMBERS)} if kind == "articles" else {}
        # Quoted as a browser would send it, "/" and "." kept: traversal is the point.
        url = f"{prefix}{kind}/{quote(ident, safe='/.%')}"
        out.append({"method": "GET", "url": url, "params": params})
    for _ in range(200):
        out.append({"method": "GET", "url": "/api/search" if rng.random() < .5 else "/search",
                    "params": {"q": rng.choice(_STRINGS)} if rng.random() < .9 else {},
                    })
    for path in ("/static/../recoupe.db", "/static/%2e%2e/%2e%2e/etc/passwd",
                 "/static/app.css%00.js", "/..%2f..%2fetc%2fpasswd", "/openapi.json", "/docs",
                 "/api", "/api/", "//api/stories", "/api/stories/", "/robots.txt"):
        out.append({"method": "GET", "url": path, "params": {}})
    for _ in range(150):
        out.append({"method": rng.choice(["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE",
                                          "HEAD", "PROPFIND"]),
                    "url": rng.choice([*lists, "/api/articles", "/api/search"]), "params": {}})
    token = "campaign-token"
    bodies: list[bytes] = [
        b"[" * 100_000 + b"]" * 100_000, b'{"id": ' + b"9" * 5000 + b', "text": "x"}',
        b'{"text": "\\ud800 sur le port", "title": "\\udfff"}', b"\xff\xfe\x00", b"", b"null",
        b"[]", b"{}", b'"text"', b"1" * 10_000, b'{"articles": {"text": "x"}}',
        json.dumps([{"text": "Un texte de test assez long pour un article."}] * 1001).encode(),
    ]
    for record in ({"url": "http://[::1"}, {"published": "9999-12-31"},
                   {"published": "0001-01-01"}, {"language": "x" * 10_000},
                   {"id": {"a": 1}}, {"text": 12}, {"html": "<p " + "a=1 " * 5000 + ">x</p>"}):
        body = {"text": "Le conseil municipal a voté mardi un budget en hausse de 3 %.", **record}
        bodies.append(json.dumps(body).encode())
    for _ in range(400):
        headers = {"Authorization": rng.choice([f"Bearer {token}", "Bearer nope", "", "Basic x",
                                                f"Bearer {token}x", "Bearer " + "a" * 10_000])}
        headers["Content-Type"] = rng.choice(["application/json", "text/plain", "",
                                              "multipart/form-data; boundary=x"])
        out.append({"method": "POST", "url": "/api/articles", "params": {},
                    "content": rng.choice(bodies), "headers": headers})
    out.append({"method": "POST", "url": "/api/articles", "params": {},
                "content": b"[" + b" " * 10_000_001 + b"]",
                "headers": {"Authorization": f"Bearer {token}"}})
    return out


# Requests no well-behaved client sends, written on the socket as they are.
_RAW = [
    b"GET /api/stories?offset=\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /stories/\xc3\x28 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /api/articles/%00 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST /api/articles HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"POST /api/articles HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    b"POST /api/articles HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n{",
    b"POST /api/articles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer campaign-token\r\n"
    b"Content-Length: 40\r\n\r\n{\"text\": ",
    b"GET /api/stories HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n",
    b"BREW /api/stories HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /api/stories HTTP/9.9\r\nHost: x\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS hello on the plain port
]


def _raw(port: int, request: bytes) -> int | None:
    """The status the server answers ``request`` with (None: it closed without one)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_WR)
        data = b""
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    parts = data.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def requests_part(tmp: Path, seed: int, fuzz_examples: int) -> dict[str, Any]:
    db = tmp / "served.db"
    subprocess.run([*RECOUPE, "analyze", str(SEEDS), "--db", str(db), "-q"], check=True,
                   capture_output=True)
    server = _Server(db)
    try:
        out = _send_all(server, seed, fuzz_examples)
    finally:
        log = server.close()
    return {**out, "server_tracebacks": log.count("Traceback"), "server_log": _tracebacks(log)}


def _send_all(server: _Server, seed: int, fuzz_examples: int) -> dict[str, Any]:
    with httpx.Client(base_url=server.url, timeout=300) as c:
        stories = [s["id"] for s in c.get("/api/stories").json()["stories"]]
        detail = c.get(f"/api/stories/{stories[0]}").json()
        ids = {"stories": stories, "articles": [a["id"] for a in detail["articles"]],
               "entities": [e["id"] for e in c.get("/api/entities").json()["entities"][:5]],
               "storylines": [s["id"] for s in c.get("/api/storylines").json()["storylines"]]}
        requests = _hostile_requests(random.Random(seed), ids)
        statuses: dict[int, int] = {}
        server_errors: list[str] = []
        no_csp, unsent = 0, 0
        for req in requests:
            try:
                built = c.build_request(req["method"], req["url"], params=req["params"],
                                        content=req.get("content"), headers=req.get("headers"))
            except (httpx.InvalidURL, UnicodeError, ValueError):
                unsent += 1  # no client sends this (a NUL in a URL, say)
                continue
            try:
                r = c.send(built)
            except httpx.HTTPError as exc:
                server_errors.append(f"{req['method']} {req['url']}: {type(exc).__name__}")
                continue
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            if r.status_code >= 500:
                server_errors.append(f"{req['method']} {req['url']} {req['params']}: "
                                     f"{r.status_code} {r.text[:200]}")
            if "default-src 'none'" not in r.headers.get("content-security-policy", ""):
                no_csp += 1
        raw = [_raw(server.port, request) for request in _RAW]
        server_errors += [f"raw request {i}: {code}" for i, code in enumerate(raw)
                          if code is not None and code >= 500]
    fuzz = _schemathesis(server.url, fuzz_examples)
    return {"requests": len(requests) - unsent + len(_RAW), "not_sendable": unsent,
            "raw_statuses": raw,
            "statuses": dict(sorted(statuses.items())),
            "server_errors": len(server_errors), "examples": server_errors[:5],
            "without_csp": no_csp, "fuzz": fuzz}


def _schemathesis(url: str, examples: int) -> dict[str, Any]:
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    calls, errors = [0], []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=examples, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def fuzz(case: Any) -> None:
            calls[0] += 1
            r = case.call(base_url=url, timeout=300,
                          headers={"Authorization": "Bearer campaign-token"})
            if r.status_code >= 500:
                errors.append(f"{case.method} {case.formatted_path}: {r.status_code}")

        fuzz()
    return {"calls": calls[0], "server_errors": len(errors), "examples": errors[:5]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="files,kills,writers,requests")
    parser.add_argument("--per-kind", type=int, default=75, help="hostile files per kind")
    parser.add_argument("--alone", type=int, default=40, help="hostile files run one by one")
    parser.add_argument("--records", type=int, default=400, help="ML-Crisis records to kill")
    parser.add_argument("--moments", type=int, default=20, help="kill -9 moments")
    parser.add_argument("--fuzz-examples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    out: dict[str, Any] = {"machine": machine()}
    with tempfile.TemporaryDirectory(prefix="recoupe-campaign-") as tmp_name:
        tmp = Path(tmp_name)
        try:
            if "files" in parts:
                (tmp / "files").mkdir()
                out["files"] = files_part(tmp / "files", args.per_kind, args.alone, args.seed)
                print(json.dumps(out["files"], indent=1), file=sys.stderr)
            if "kills" in parts:
                (tmp / "kills").mkdir()
                out["kills"] = kills_part(tmp / "kills", args.records, args.moments, args.seed)
                print(json.dumps(out["kills"], indent=1), file=sys.stderr)
            if "writers" in parts:
                (tmp / "writers").mkdir()
                out["writers"] = writers_part(tmp / "writers", 2 * args.records // 3, args.seed)
                print(json.dumps(out["writers"], indent=1), file=sys.stderr)
            if "requests" in parts:
                (tmp / "requests").mkdir()
                out["requests"] = requests_part(tmp / "requests", args.seed, args.fuzz_examples)
                print(json.dumps(out["requests"], indent=1), file=sys.stderr)
        finally:
            for path in tmp.rglob("*"):  # the unreadable folders, so the cleanup can go in
                if path.is_dir():
                    path.chmod(0o755)
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
