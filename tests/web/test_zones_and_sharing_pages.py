"""Zones and sharing agreements in the console: an officer designates a zone (refused with a clear message when its
rule breaks the policy), the chain approves it in the inbox, the zone appears on the map as a polygon, a head
revokes it; zone alerts show plates only after a stated purpose, and the viewing is ledgered. A head proposes an
agreement, the prosecutor approves it (the proposer cannot), a head ends it. Forged CSRF tokens and roles the
pages are not for are refused."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from platewarden.domain.clock import ManualClock
from platewarden.ledger.notes import Signer
from platewarden.runtime import Platform
from platewarden.server import create_app
from tests.factories import console_sign_in, people


def signed_in(p: Platform, clock: ManualClock, name: str, secrets: dict[str, str]) -> tuple[TestClient, str]:
    client = TestClient(create_app(p, session_secret="s", https_only=False))
    console_sign_in(client, p, clock, name, secrets)
    match = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text)
    return client, match.group(1) if match else ""


def flash(page: str) -> str:
    found = re.search(r'class="flash">([^<]*)', page)
    return found.group(1) if found else ""


def test_a_zone_from_designation_to_revocation(platform: Platform, clock: ManualClock) -> None:
    p = platform
    people(p)
    secrets: dict[str, str] = {}
    officer, csrf = signed_in(p, clock, "officer", secrets)
    until = (clock.now() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    form = {"csrf": csrf, "name": "Harbour", "polygon": "52.36,4.88\n52.38,4.88\n52.38,4.90\n52.36,4.90",
            "justification": "burglary series in the harbour", "min_sightings": "1", "window_hours": "24",
            "expires": until}
    assert officer.post("/zones", data={**form, "csrf": "forged"}).status_code == 403
    assert "Refused" in flash(officer.post("/zones", data=form, follow_redirects=True).text)  # below the floor
    assert p.zones.all() == []
    done = officer.post("/zones", data={**form, "min_sightings": "3"}, follow_redirects=True).text
    assert "Zone Harbour designated" in flash(done) and '"polygon": [[52.36, 4.88]' in done
    (zone,) = p.zones.all()
    for name in ("head", "prosecutor", "ethics"):
        client, token = signed_in(p, clock, name, secrets)
        assert f"/approvals/zone/{zone.id}" in client.get("/approvals").text
        client.post(f"/approvals/zone/{zone.id}", data={"csrf": token, "action": "approve",
                                                        "reason": "proportionate and time-limited"})
    assert p.zones.get(zone.id).status.value == "active"
    operator, csrf_op = signed_in(p, clock, "operator", secrets)
    page = operator.get("/zones").text
    assert "Show zone alerts" in page and "Designate a zone" not in page and "Revoke" not in page
    shown = operator.post("/zones/alerts", data={"csrf": csrf_op, "purpose": "patrol briefing"}).text
    assert "No zone alert." in shown
    assert any(e["body"].get("action") == "viewed" for _, e in p.ledger.parsed() if e["kind"] == "zone_alert")
    head, csrf_head = signed_in(p, clock, "head", secrets)
    revoked = head.post(f"/zones/{zone.id}/revoke", data={"csrf": csrf_head, "reason": "series solved"},
                        follow_redirects=True).text
    assert "Zone revoked" in flash(revoked) and p.zones.get(zone.id).status.value == "revoked"
    admin, _ = signed_in(p, clock, "admin", secrets)
    assert admin.get("/zones").status_code == 403 and admin.get("/sharing").status_code == 403


def test_an_agreement_from_proposal_to_its_end(platform: Platform, clock: ManualClock) -> None:
    p = platform
    people(p)
    secrets: dict[str, str] = {}
    head, csrf = signed_in(p, clock, "head", secrets)
    key = Signer.generate("partner.example/ledger").verifier.encode()
    form = {"csrf": csrf, "partner": "Partner Police", "jurisdiction": "de", "partner_key": key,
            "retention_days": "14", "valid_until": (clock.now() + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M"),
            "purposes": ["robbery"]}
    assert "Refused" in flash(head.post("/sharing", data={**form, "partner_key": "not a key"},
                                        follow_redirects=True).text)
    done = head.post("/sharing", data=form, follow_redirects=True).text
    assert "Agreement with Partner Police proposed" in flash(done) and "next: a prosecutor decides" in done
    (ag,) = p.sharing.all()
    assert f"/sharing/{ag.id}/approve" not in done  # the proposer never decides
    prosecutor, csrf_p = signed_in(p, clock, "prosecutor", secrets)
    assert f"/sharing/{ag.id}/approve" in prosecutor.get("/sharing").text
    approved = prosecutor.post(f"/sharing/{ag.id}/approve", data={"csrf": csrf_p, "reason": "treaty applies"},
                               follow_redirects=True).text
    assert "the agreement is active" in flash(approved) and p.sharing.get(ag.id).status.value == "active"
    ended = head.post(f"/sharing/{ag.id}/end", data={"csrf": csrf, "reason": "treaty suspended"},
                      follow_redirects=True).text
    assert "Agreement ended" in flash(ended) and p.sharing.get(ag.id).status.value == "ended"
    officer, _ = signed_in(p, clock, "officer", secrets)
    assert officer.get("/sharing").status_code == 403
