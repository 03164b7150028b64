"""The dispatcher's live queue in Debian's Chromium: an alert raised while the page is open appears without a reload
(with its vehicle crop beside the plate crop), the layout holds at a patrol tablet's 390 px, the stream refuses
roles that do not review alerts, and it ends when the person signs out."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from platewarden.ledger.entries import EventKind, digest
from tests.factories import activate, make_entry, make_read
from tests.web.conftest import CAMS, CHROMIUM, shot, sign_in

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")


def test_a_new_alert_arrives_without_a_reload(server, browser) -> None:  # type: ignore[no-untyped-def]
    base, p, who, clock = server
    activate(p, make_entry("5SOW350", clock.now()), who)
    page = sign_in(browser, base, "operator", clock)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/alerts")
    expect(page.locator("#live-state")).to_have_text(re.compile(r"^Live: 0 alert"), timeout=15_000)
    assert page.locator("#no-alerts").count() == 1
    read = make_read("5SOW350", clock.now() + timedelta(minutes=1), CAMS[0])
    p.reads.ingest([read])
    alert = p.alerts.check(read).alert
    assert alert is not None
    card = page.locator(f"#alert-{alert.id}")
    card.wait_for(timeout=15_000)  # pushed: nobody reloaded the page
    vehicle = page.locator(f"#alert-{alert.id} img.vehicle")
    expect(vehicle).to_have_js_property("complete", True)
    assert vehicle.evaluate("i => i.naturalWidth") > 0
    assert page.locator(f"#alert-{alert.id} img.crop").evaluate("i => i.naturalWidth") > 0
    assert "Live: 1" in page.inner_text("#live-state")
    button = page.locator(f"#alert-{alert.id} button[value=misread]").bounding_box()
    assert button is not None and button["x"] + button["width"] <= 390  # on screen at a tablet's width
    shot(page, "10-live-alert-390px")
    looks = [e["body"]["purpose_digest"] for _, e in p.ledger.parsed() if e["kind"] == EventKind.ALERT_VIEWED.value]
    assert digest("vehicle crop shown") in looks  # the vehicle crop is a governed, ledgered look like the plate crop


def test_the_stream_refuses_other_roles_and_ends_with_the_session(server, browser) -> None:  # type: ignore[no-untyped-def]
    base, _p, _who, clock = server
    prosecutor = sign_in(browser, base, "prosecutor", clock)
    refused = prosecutor.request.get(f"{base}/alerts/stream")
    assert refused.status == 403
    page = sign_in(browser, base, "operator", clock)
    page.goto(f"{base}/alerts")
    expect(page.locator("#live-state")).to_have_text(re.compile(r"^Live"), timeout=15_000)
    other_tab = page.context.new_page()  # the same person signs out in another tab
    other_tab.goto(f"{base}/")
    other_tab.click("text=Sign out")
    expect(page.locator("#live-state")).to_have_text(re.compile(r"^Signed out"), timeout=15_000)
