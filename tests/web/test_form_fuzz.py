"""Every console form, fuzzed with hypothesis as a signed-in person with the right CSRF token (so the handlers
themselves are reached, not only the CSRF check): arbitrary text, control characters, huge fields, ids that are no
ids. No answer may be a server error."""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from platewarden.domain.clock import ManualClock
from platewarden.runtime import Platform
from platewarden.server import create_app
from tests.factories import console_sign_in, people

TEXT = st.one_of(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
                 st.sampled_from(["", "x" * 5000, "2026-11-02T08:00", "2026-13-45", "KX7204", "<script>", "\x00",
                                  "00000000-0000-4000-8000-000000000000", "approve", "reject", "uphold", "misread",
                                  "deactivate", "reset_mfa", "../../etc/passwd", "1e309", "NaN"]))
FORMS = {
    "/login": ["username", "password", "code"],
    "/account/mfa": ["code"],
    "/accounts/{id}": ["action"],
    "/alerts/{id}/disposition": ["disposition", "note"],
    "/approvals/{id}": ["action", "reason"],
    "/approvals/camera/{id}": ["action", "reason", "density_exception"],
    "/approvals/zone/{id}": ["action", "reason"],
    "/searches/new": ["case_number", "offence", "time_from", "time_to", "purpose", "justification", "plates",
                      "pattern", "pattern_reason", "cameras", "exigent"],
    "/searches/{id}/run": ["plate"],
    "/public/complaint": ["plate", "date", "place", "what_happened", "contact"],
    "/public/cameras/{id}/comment": ["author", "text"],
    "/logout": [],
}


def test_console_forms_never_fail_with_a_server_error(platform: Platform, clock: ManualClock) -> None:
    p = platform
    people(p)
    app = create_app(p, session_secret="fuzz", https_only=False)
    failures: list[str] = []
    statuses: list[int] = []
    for name in ("officer", "admin", "head"):
        client = TestClient(app)
        console_sign_in(client, p, clock, name, {})
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text).group(1)  # type: ignore[union-attr]
        for path, fields in FORMS.items():

            @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            @given(ident=TEXT.filter(lambda s: bool(s.strip()) and s not in (".", "..")),
                   values=st.lists(TEXT, min_size=len(fields), max_size=len(fields)))
            def post(ident: str, values: list[str]) -> None:
                url = path.replace("{id}", quote(ident, safe=""))  # noqa: B023 (runs right away)
                data = {"csrf": csrf, **dict(zip(fields, values, strict=True))}  # noqa: B023
                r = client.post(url, data=data, follow_redirects=False)  # noqa: B023
                statuses.append(r.status_code)
                if r.status_code >= 500:
                    failures.append(f"{name} POST {url} {data} -> {r.status_code}")  # noqa: B023

            if path != "/logout":  # signing out would end the session the other forms need
                post()
    assert failures == []
    assert len(statuses) > 300 and statuses.count(303) > 100  # many reached the handlers, which answered
