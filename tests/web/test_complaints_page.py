"""Complaints in the console: a reviewer takes one up and sees the alerts on its plate; the reviewer cannot decide
it, an officer cannot award compensation above the limit or suppress a hotlist entry; a department head upholds it
with compensation and the suppression; operators never see the page; every look and act is ledgered."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from platewarden.domain.clock import ManualClock
from platewarden.domain.redress import ComplaintDetails
from platewarden.runtime import Platform
from platewarden.server import create_app
from tests.factories import CAMERA, activate, approve_camera, console_sign_in, make_entry, make_read, people


def signed_in(p: Platform, clock: ManualClock, name: str, secrets: dict[str, str]) -> tuple[TestClient, str]:
    client = TestClient(create_app(p, session_secret="s", https_only=False))
    console_sign_in(client, p, clock, name, secrets)
    page = client.get("/complaints")
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    return client, match.group(1) if match else ""


def test_a_complaint_from_review_to_an_upheld_decision(platform: Platform, clock: ManualClock) -> None:
    p = platform
    who = people(p)
    approve_camera(p, CAMERA, who)
    entry = activate(p, make_entry("5SOW350", clock.now()), who)
    read = make_read("5SOW350", clock.now(), CAMERA)  # the driver's 5SOW750, misread as the hotlisted plate
    p.reads.ingest([read])
    alert = p.alerts.check(read).alert
    assert alert is not None
    cid = p.redress.file(ComplaintDetails("5SOW750", clock.now().date().isoformat(), "Main St",
                                          "stopped at gunpoint; my plate ends in 750", "me@example.org"))
    secrets: dict[str, str] = {}
    operator, _ = signed_in(p, clock, "operator", secrets)
    assert operator.get("/complaints").status_code == 403

    officer, csrf = signed_in(p, clock, "officer", secrets)
    page = officer.get("/complaints").text
    assert "5SOW750" in page and "me@example.org" in page and "Take up the review" in page
    assert officer.post(f"/complaints/{cid}/review", data={"csrf": "forged"}).status_code == 403
    done = officer.post(f"/complaints/{cid}/review", data={"csrf": csrf}, follow_redirects=True).text
    assert "Review started" in done and f'value="{alert.id}"' in done  # the look-alike alert, ready to link
    decision = {"csrf": csrf, "outcome": "upheld", "reason": "the crop shows 5SOW750", "linked": [alert.id]}
    refused = officer.post(f"/complaints/{cid}/decision", data=decision, follow_redirects=True).text
    assert "second person" in refused and p.redress.get(cid).state.value == "under_review"

    officer2, csrf2 = signed_in(p, clock, "officer2", secrets)
    weighty = {**decision, "csrf": csrf2, "compensation": "5000", "compensation_reason": "detention"}
    assert "department head" in officer2.post(f"/complaints/{cid}/decision", data=weighty,
                                              follow_redirects=True).text
    assert p.redress.get(cid).state.value == "under_review"

    head, csrf3 = signed_in(p, clock, "head", secrets)
    upheld = {**weighty, "csrf": csrf3, "suppress": "yes", "liable": "operator"}
    assert "Decided: upheld" in head.post(f"/complaints/{cid}/decision", data=upheld, follow_redirects=True).text
    c = p.redress.get(cid)
    assert c.state.value == "upheld" and c.compensation is not None and c.compensation.amount == 5000
    assert c.suppressed_entry == entry.id and p.hotlist.get(entry.id).status.value == "suppressed"  # type: ignore[union-attr]
    actions = [e["body"].get("action") for _, e in p.ledger.parsed() if e["kind"] == "redress"]
    assert "listed" in actions and "review" in actions and "lookup" in actions
