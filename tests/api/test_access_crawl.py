"""Who may see what: every console page and API route without a path parameter, fetched as every role and as nobody,
compared with one table. A new route that is not in the table fails this test until someone decides who sees it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from platewarden.domain.clock import ManualClock
from platewarden.governance.scope import Scope
from platewarden.runtime import Platform
from platewarden.server import create_app
from tests.factories import console_sign_in, people

EVERYONE = frozenset({"anon", "admin", "officer", "head", "prosecutor", "operator", "auditor", "ethics"})
SIGNED_IN = EVERYONE - {"anon"}
PUBLIC = EVERYONE
# route -> who gets it (everyone else: 401/403, or the console's redirect to the sign-in page)
WHO_MAY_SEE: dict[str, frozenset[str]] = {
    "/": SIGNED_IN,
    "/account/mfa": SIGNED_IN,
    "/accounts": frozenset({"admin"}),
    "/alerts": frozenset({"officer", "head", "operator"}),
    "/alerts/queue": frozenset({"officer", "head", "operator"}),
    "/approvals": frozenset({"head", "prosecutor", "ethics"}),
    "/searches": frozenset({"officer", "head", "prosecutor", "auditor"}),
    "/searches/new": frozenset({"officer"}),
    "/cases": frozenset({"officer", "head", "prosecutor", "auditor"}),
    "/hotlist": frozenset({"officer", "head", "auditor"}),
    "/complaints": frozenset({"officer", "head"}),
    "/zones": frozenset({"operator", "officer", "head", "prosecutor", "ethics", "auditor"}),
    "/sharing": frozenset({"head", "prosecutor", "auditor"}),
    "/ledger": frozenset({"head", "prosecutor", "auditor", "ethics"}),
    "/login": PUBLIC,
    "/public": PUBLIC,
    "/public/annual-report": PUBLIC,
    "/public/cameras": PUBLIC,
    "/public/complaint": PUBLIC,
    "/docs": PUBLIC,
    "/openapi.json": PUBLIC,
    "/healthz": PUBLIC,
    "/metrics": frozenset({"admin", "auditor"}),
    "/api/alerts": frozenset({"officer", "head", "operator"}),
    "/api/complaints": frozenset({"officer", "head"}),
    "/api/holds": frozenset({"officer", "head", "prosecutor", "auditor"}),
    "/api/hotlist": frozenset({"officer", "head", "auditor"}),
    "/api/hotlist/pending": frozenset({"officer", "head"}),
    "/api/outlets": frozenset({"admin", "head", "auditor", "ethics"}),
    "/api/policy": SIGNED_IN,
    "/api/ledger/checkpoint": PUBLIC,
    "/ledger/checkpoint": PUBLIC,
    "/api/ledger/entries": frozenset({"head", "prosecutor", "auditor", "ethics"}),
    "/api/public/camera-keys": PUBLIC,
    "/api/public/cameras": PUBLIC,
    "/api/public/transparency": PUBLIC,
    "/api/public/zones": PUBLIC,
    "/api/searches": frozenset({"officer", "head", "prosecutor", "auditor"}),
    "/api/sharing": SIGNED_IN,
    "/api/tokens": SIGNED_IN,
    "/api/users": frozenset({"admin"}),
    "/api/users/awaiting-grant": frozenset({"head", "ethics"}),
}
NEEDS_A_QUERY = {"/api/zones/alerts"}  # its purpose is a required parameter: covered in tests/api/test_api.py zones
# single sign-on's steps redirect (to the provider, or back to /login): covered in tests/web/test_single_sign_on.py
NEEDS_A_QUERY |= {"/login/sso", "/login/sso/callback"}
# a server-sent event stream never ends for those who may see it: here only its refusals are fetched (its stream is
# covered in tests/web/test_live_alerts.py)
STREAMS: dict[str, frozenset[str]] = {"/alerts/stream": frozenset({"officer", "head", "operator"})}


def walk(routes: list[Any]) -> Iterator[Any]:
    for r in routes:
        if hasattr(r, "original_router"):
            yield from walk(r.original_router.routes)
        else:
            yield r


def test_every_page_and_route_as_every_role(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    app = create_app(p, session_secret="crawl", https_only=False)
    routes = sorted({r.path for r in walk(app.routes) if "GET" in (getattr(r, "methods", None) or set())
                     and "{" not in r.path} - NEEDS_A_QUERY - set(STREAMS))
    assert sorted(WHO_MAY_SEE) == routes, "a route was added or removed: decide who may see it here"
    secrets: dict[str, str] = {}
    wrong = []
    for name in sorted(EVERYONE):
        api, console = TestClient(app), TestClient(app)
        headers = {}
        if name != "anon":
            headers = {"Authorization": f"Bearer {p.accounts.issue_token(who[name], 'crawl')}"}
            console_sign_in(console, p, clock, name, secrets)
        for route in routes:
            api_like = route.startswith("/api/") or route == "/metrics"
            r = (api.get(route, headers=headers) if api_like else console.get(route, follow_redirects=False))
            allowed = name in WHO_MAY_SEE[route]
            if allowed != (r.status_code == 200) or (not allowed and r.status_code not in (401, 403, 303)):
                wrong.append(f"{route} as {name}: {r.status_code}")
        for route, allowed_roles in STREAMS.items():
            if name not in allowed_roles:
                r = console.get(route, follow_redirects=False)
                if r.status_code not in (401, 403, 303):
                    wrong.append(f"{route} as {name}: {r.status_code}")
    assert wrong == []


def test_lists_hold_only_what_the_caller_may_see(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    t0 = clock.now()
    scope = Scope(("KX7204",), None, None, t0 - timedelta(days=1), t0, ("cam-1",), None, "trace the car", "witness")
    mine = p.searches.apply(who["officer"], "2026-CR-1", "robbery", scope)
    theirs = p.searches.apply(who["officer2"], "2026-CR-2", "burglary", scope)
    client = TestClient(create_app(p, session_secret="x", https_only=False))

    def ids(name: str) -> set[str]:
        token = p.accounts.issue_token(who[name], "t")
        return {r["id"] for r in client.get("/api/searches", headers={"Authorization": f"Bearer {token}"}).json()}

    assert ids("officer") == {mine.id} and ids("officer2") == {theirs.id}
    assert ids("head") == ids("auditor") == {mine.id, theirs.id}
