"""The Ray executor, run for real: tests/execute/ray_suite.py in a network namespace that has
only loopback. Ray binds its processes to the machine's outward address even when told
127.0.0.1; in a namespace with loopback alone that address is 127.0.0.1, so a test never
talks past this machine. CI (.ci/run) sets RECOUPE_REQUIRE_RAY: there it is never skipped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from ..conftest import ROOT

_REQUIRED = bool(os.environ.get("RECOUPE_REQUIRE_RAY"))


def _ray_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("ray") is not None


def _namespace() -> list[str]:
    """The command prefix that runs in a new network namespace with loopback up."""
    if shutil.which("unshare") and shutil.which("ip"):
        probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
        if probe.returncode == 0:
            return ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]
    return []


@pytest.mark.skipif(not _ray_installed() and not _REQUIRED, reason="Ray is not installed")
def test_the_ray_suite_in_a_loopback_namespace() -> None:
    prefix = _namespace()
    if not prefix and _REQUIRED:
        pytest.fail("cannot make a network namespace (unshare -n needs root here)")
    if not prefix:
        pytest.skip("no network namespace here (unshare -n needs root)")
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
    run = subprocess.run(
        [*prefix, sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/execute/ray_suite.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "skipped" not in run.stdout
