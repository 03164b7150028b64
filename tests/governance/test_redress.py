"""Redress: states and permissions, an upheld complaint with compensation and a suppressed entry, public counts."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from platewarden.domain.clock import ManualClock
from platewarden.domain.errors import Refused
from platewarden.domain.hotlist import EntryStatus
from platewarden.domain.redress import ComplaintDetails, ComplaintState, LiableParty, RedressConflict, RedressError
from platewarden.runtime import Platform
from platewarden.server import create_app
from tests.factories import activate, make_entry, make_read, people


def test_redress_path(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    entry = activate(p, make_entry("5SOW350", clock.now()), who)
    read = make_read("5SOW350", clock.now())
    p.reads.ingest([read])
    alert = p.alerts.check(read).alert
    assert alert is not None
    with pytest.raises(RedressError):
        p.redress.file(ComplaintDetails("5SOW750", "2026-11-02", "Main St", "", "me@example.org"))
    cid = p.redress.file(ComplaintDetails("5SOW750", "2026-11-02", "Main St", "stopped at gunpoint; my plate "
                                          "ends in 750", "me@example.org"))
    with pytest.raises(PermissionError):
        p.redress.start_review(who["operator"], cid)
    with pytest.raises(RedressConflict):  # cannot decide before review (409)
        p.redress.decide(who["head"], cid, True, "misread", [])
    p.redress.start_review(who["officer"], cid)
    assert p.redress.matching_alerts(who["officer"], cid) == [alert.id]  # 750 vs 350: distance 1
    with pytest.raises(Refused, match="second person"):  # the reviewer does not decide (403)
        p.redress.decide(who["officer"], cid, True, "misread", [alert.id])
    with pytest.raises(Refused, match="department head"):  # weighty decisions are a head's
        p.redress.decide(who["officer2"], cid, True, "misread", [alert.id], compensation=10_000_000.0)
    with pytest.raises(Refused, match="department head"):
        p.redress.decide(who["officer2"], cid, True, "misread", [alert.id], suppress_entry=True)
    c = p.redress.decide(who["head"], cid, True, "the crop shows 5SOW750; the read was a misread", [alert.id],
                         compensation=1500.0, compensation_reason="detention and distress", suppress_entry=True)
    assert c.state is ComplaintState.UPHELD
    assert c.compensation is not None and c.compensation.liable is LiableParty.OPERATOR  # policy default (§4.2)
    assert c.suppressed_entry == entry.id
    assert p.hotlist.get(entry.id).status is EntryStatus.SUPPRESSED  # type: ignore[union-attr]
    assert p.hotlist.active() == []
    with pytest.raises(RedressError):
        p.redress.decide(who["head"], cid, False, "again", [])
    assert p.redress.statistics() == {"complaints": {"upheld": 1}, "compensation_total": 1500.0, "currency": "EUR"}
    assert all(b"5SOW750" not in e and b"me@example.org" not in e for e in p.ledger.entries())


def test_public_form_and_api(platform: Platform) -> None:
    who = people(platform)
    client = TestClient(create_app(platform, session_secret="t", https_only=False))
    page = client.get("/public/complaint")
    import re

    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)  # type: ignore[union-attr]
    form = {"plate": "AB123CD", "date": "2026-11-01", "place": "Ring road", "what_happened": "flagged",
            "contact": "x@example.org"}
    assert client.post("/public/complaint", data=form, follow_redirects=False).status_code == 422  # no CSRF
    r = client.post("/public/complaint", data={**form, "csrf": csrf})
    assert r.status_code == 200 and "Your reference" in r.text
    r = client.post("/api/public/complaints", json=form)
    assert r.status_code == 201
    token = {"Authorization": f"Bearer {platform.accounts.issue_token(who['officer'], 't')}"}
    assert len(client.get("/api/complaints", headers=token).json()) == 2
    cid = r.json()["reference"]
    assert client.post(f"/api/complaints/{cid}/review", headers=token).json()["state"] == "under_review"
    d = client.post(f"/api/complaints/{cid}/decision", json={"upheld": False, "reason": "no alert that day"},
                    headers=token)
    assert d.status_code == 403 and "second person" in d.text  # the reviewer does not decide: refused
    head = {"Authorization": f"Bearer {platform.accounts.issue_token(who['head'], 't')}"}
    d = client.post(f"/api/complaints/{cid}/decision", json={"upheld": False, "reason": "no alert that day"},
                    headers=head)
    assert d.json()["state"] == "rejected"
    pub = client.get("/api/public/transparency").json()
    assert pub["redress"]["complaints"] == {"received": 1, "rejected": 1}
    assert "x@example.org" not in client.get("/public").text
