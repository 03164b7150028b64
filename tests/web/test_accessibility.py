"""Accessibility: axe-core (axe-playwright-python) over the console's pages as the people who use them, at desktop
width and at a tablet's 390 px: no serious or critical violation anywhere."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from platewarden.domain.redress import ComplaintDetails
from platewarden.governance.scope import Scope
from tests.factories import activate, make_entry, make_read
from tests.web.conftest import CAMS, CHROMIUM, sign_in

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
SERIOUS = {"serious", "critical"}


def violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{page.url} [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['html'][:99]})"
            for v in results.response["violations"] if v["impact"] in SERIOUS]


def test_no_serious_accessibility_violations(server, browser) -> None:  # type: ignore[no-untyped-def]
    base, p, who, clock = server
    activate(p, make_entry("5SOW350", clock.now()), who)
    read = make_read("5SOW350", clock.now(), CAMS[0])
    p.reads.ingest([read])
    p.alerts.check(read)
    t0 = clock.now() - timedelta(hours=1)
    scope = Scope(("5SOW350",), None, None, t0, clock.now() + timedelta(minutes=5), (CAMS[0].id,), None,
                  "trace the car", "witness statement")
    req = p.searches.apply(who["officer"], "2026-CR-8", "robbery", scope)
    p.redress.file(ComplaintDetails("5SOW750", clock.now().date().isoformat(), "Main St", "stopped; my plate ends "
                                    "in 750", "me@example.org"))
    found: list[str] = []
    pages = {"operator": ["/", "/alerts"],
             "officer": ["/searches", f"/searches/{req.id}", "/searches/new", "/hotlist", "/cases", "/complaints"],
             "head": ["/approvals", "/ledger", "/zones", "/sharing", "/cases"],
             "admin": ["/accounts"]}
    for name, paths in pages.items():
        page = sign_in(browser, base, name, clock)
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            for path in paths:
                page.goto(f"{base}{path}")
                found += [f"{width}px {v}" for v in violations(page)]
    anonymous = browser.new_context().new_page()
    for path in ("/login", "/public", "/public/cameras", "/public/complaint", "/public/annual-report"):
        anonymous.goto(f"{base}{path}")
        found += violations(anonymous)
    assert found == [], "\n".join(found)
