"""Refusals in the console are pages a person can read (the same refusal through the API stays JSON): a page the
role may not open, an unknown page, a form with a missing field, a refused governed act."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from platewarden.domain.clock import ManualClock
from platewarden.runtime import Platform
from platewarden.server import create_app
from tests.factories import console_sign_in, people


def test_console_refusals_are_readable_pages(platform: Platform, clock: ManualClock) -> None:
    people(platform)
    client = TestClient(create_app(platform, session_secret="s", https_only=False))
    console_sign_in(client, platform, clock, "officer", {})
    for path, status, heading in (("/accounts", 403, "Not allowed"), ("/no-such-page", 404, "Not found")):
        r = client.get(path)
        assert r.status_code == status and r.headers["content-type"].startswith("text/html"), (path, r.text[:200])
        assert f"<h1>{heading}</h1>" in r.text and 'id="error-detail"' in r.text
        assert r.headers["content-security-policy"].startswith("default-src 'self'")
    page = client.get("/searches/new")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post("/searches/new", data={"csrf": csrf})  # every other field missing
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "Missing or not valid:" in r.text and "case_number" in r.text
    api = client.get("/api/no-such-thing")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
    r = client.get("/api/users", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/json")
    assert r.headers.get("www-authenticate") == "Bearer"


def test_detail_is_escaped(platform: Platform, clock: ManualClock) -> None:
    people(platform)
    client = TestClient(create_app(platform, session_secret="s", https_only=False))
    console_sign_in(client, platform, clock, "head", {})
    r = client.get("/searches/<script>alert(1)</script>")
    assert r.status_code in (404, 422) and "<script>alert(1)</script>" not in r.text
