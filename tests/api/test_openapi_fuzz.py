"""schemathesis over the whole OpenAPI schema, authenticated as an officer, as an administrator and anonymously: no
server errors."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from platewarden.runtime import Platform
from platewarden.server import create_app
from tests.factories import people


@pytest.fixture
def fuzz_target(platform: Platform):  # type: ignore[no-untyped-def]
    who = people(platform)
    app = create_app(platform, session_secret="fuzz", https_only=False)
    tokens = [platform.accounts.issue_token(who[name], "fuzz") for name in ("officer", "admin")]
    return schemathesis.openapi.from_asgi("/openapi.json", app), tokens


def test_no_server_errors(fuzz_target) -> None:  # type: ignore[no-untyped-def]
    schema, tokens = fuzz_target
    failures: list[str] = []
    calls: list[int] = []
    for op_result in schema.get_all_operations():
        op = op_result.ok()
        strategy = op.as_strategy()
        label = f"{op.method.upper()} {op.path}"

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=strategy)
        def check(case) -> None:  # type: ignore[no-untyped-def]
            for headers in [*({"Authorization": f"Bearer {t}"} for t in tokens), {}]:
                response = case.call(headers=headers)
                calls.append(response.status_code)
                if response.status_code >= 500:
                    failures.append(f"{label} -> {response.status_code}")  # noqa: B023 (checked right away)

        check()
    assert failures == []
    assert len(calls) > 200 and any(c < 300 for c in calls)  # it really exercised the API, not only errors
