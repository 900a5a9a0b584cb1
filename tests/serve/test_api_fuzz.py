"""The API fuzzed from its own OpenAPI description (schemathesis): whatever the request,
no server error, and every error is the JSON error with the security headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from .conftest import TOKEN, config_for, copy_store, running

# Examples per operation: enough to hit the edges (huge numbers, odd strings, bodies of
# every shape) while the whole run stays under a minute or two.
EXAMPLES = 30


def test_no_request_gets_a_server_error(served_store: Path, tmp_path: Path) -> None:
    db = copy_store(served_store, tmp_path)
    failures: list[str] = []
    calls = 0
    with running(config_for(db)) as url:
        schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 9

        for operation in operations:
            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy())
            def fuzz(case: Any) -> None:
                nonlocal calls
                calls += 1
                response = case.call(base_url=url, timeout=120,
                                     headers={"Authorization": f"Bearer {TOKEN}"})
                where = f"{case.method} {case.formatted_path} {case.query or ''}"
                if response.status_code >= 500:
                    failures.append(f"{where}: {response.status_code} {response.text[:300]}")
                csp = response.headers.get("content-security-policy") or []
                if "default-src 'none'" not in " ".join(csp if isinstance(csp, list) else [csp]):
                    failures.append(f"{where}: no CSP")
                if response.status_code >= 400:
                    body = response.json()
                    # A write that stored nothing lists each record's reason instead.
                    if not (body.get("error", {}).get("message") or body.get("rejected")):
                        failures.append(f"{where}: an error without its message")

            fuzz()
    assert calls >= 5 * len(operations)
    if failures:
        pytest.fail("\n".join(failures[:20]))
