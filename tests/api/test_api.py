"""The REST API against real databases: the three-level search flow, alert review, sessions with CSRF, and the
public portal that shows no plate, crop or name."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from platewarden.domain.alerts import Disposition
from platewarden.domain.clock import ManualClock
from platewarden.runtime import Platform
from platewarden.server import create_app
from tests.factories import (
    CAMERA,
    PASSWORD,
    activate,
    approve_camera,
    enrol_second_factor,
    fresh_code,
    make_entry,
    make_read,
    people,
)


@pytest.fixture
def api(platform: Platform) -> tuple[TestClient, dict, Platform]:  # type: ignore[type-arg]
    who = people(platform)
    client = TestClient(create_app(platform, session_secret="test-secret", https_only=False))
    return client, who, platform


def bearer(p: Platform, user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {p.accounts.issue_token(user, 'test')}"}


def test_three_level_search_flow(api: tuple[TestClient, dict, Platform], clock: ManualClock) -> None:  # type: ignore[type-arg]
    client, who, p = api
    approve_camera(p, CAMERA, who)
    t0 = clock.now()
    p.reads.ingest([make_read("KX7204", t0 + timedelta(hours=1), n=1), make_read("ZZ1111", t0, n=2)])
    body = {"case_number": "2026-CR-5", "offence": "robbery", "scope": {
        "plates": ["KX7204"], "time_from": t0.isoformat(), "time_to": (t0 + timedelta(days=1)).isoformat(),
        "camera_ids": [CAMERA.id], "purpose": "trace getaway car", "justification": "witness statement"}}
    r = client.post("/api/searches", json=body, headers=bearer(p, who["officer"]))
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    query = {"plate": "KX7204", "time_from": t0.isoformat(), "time_to": (t0 + timedelta(days=1)).isoformat(),
             "camera_ids": [CAMERA.id]}
    assert client.post(f"/api/searches/{rid}/run", json=query, headers=bearer(p, who["officer"])).status_code == 403
    assert client.post(f"/api/searches/{rid}/approve", json={}, headers=bearer(p, who["officer"])).status_code == 403
    assert client.post(f"/api/searches/{rid}/approve", json={}, headers=bearer(p, who["prosecutor"])).status_code \
        == 403  # skipping the department head
    assert client.post(f"/api/searches/{rid}/approve", json={}, headers=bearer(p, who["head"])).status_code == 200
    r = client.post(f"/api/searches/{rid}/approve", json={}, headers=bearer(p, who["prosecutor"]))
    assert r.json()["status"] == "active"
    r = client.post(f"/api/searches/{rid}/run", json=query, headers=bearer(p, who["officer"]))
    assert r.status_code == 200 and [x["text"] for x in r.json()["reads"]] == ["KX7204"]
    out = dict(query, plate="ZZ1111")
    assert client.post(f"/api/searches/{rid}/run", json=out, headers=bearer(p, who["officer"])).status_code == 403
    bad = dict(body, offence="jaywalking")
    assert client.post("/api/searches", json=bad, headers=bearer(p, who["officer"])).status_code == 422
    assert client.post("/api/searches", json={"x": 1}, headers=bearer(p, who["officer"])).status_code == 422


def test_alert_review_and_public_portal(api: tuple[TestClient, dict, Platform], clock: ManualClock) -> None:  # type: ignore[type-arg]
    client, who, p = api
    approve_camera(p, CAMERA, who)
    activate(p, make_entry("5SOW350", clock.now()), who)
    read = make_read("5SOW350", clock.now())
    p.reads.ingest([read])
    alert = p.alerts.check(read).alert
    assert alert is not None
    assert client.get("/api/alerts").status_code == 401
    assert client.get("/api/alerts", headers=bearer(p, who["auditor"])).status_code == 403
    [a] = client.get("/api/alerts", headers=bearer(p, who["operator"])).json()
    assert a["hotlist_plate"] == "5SOW350" and a["hotlist_reason"] == "stolen vehicle" and a["hotlist_make"]
    crop = client.get(a["crop_url"], headers=bearer(p, who["operator"]))
    assert crop.status_code == 200 and crop.content == read.plate_crop_jpeg
    r = client.post(f"/api/alerts/{alert.id}/disposition", json={"disposition": "misread", "note": ""},
                    headers=bearer(p, who["operator"]))
    assert r.status_code == 422  # a misread needs a note
    r = client.post(f"/api/alerts/{alert.id}/disposition", json={"disposition": "misread", "note": "crop shows 8"},
                    headers=bearer(p, who["operator"]))
    assert r.status_code == 204
    pub = client.get("/api/public/transparency")
    assert pub.status_code == 200
    assert pub.json()["hotlist_hits"] == 0  # today's hit is not published today: a driver learns nothing live
    for i in range(4):  # four more hits, judged misreads too
        r = make_read("5SOW350", clock.now() + timedelta(minutes=i + 1), n=20 + i)
        p.reads.ingest([r])
        a2 = p.alerts.check(r).alert
        assert a2 is not None
        p.alerts.dispose(a2.id, Disposition.MISREAD, who["operator"].label, "crop shows 8")
    clock.advance(timedelta(days=1))
    data = client.get("/api/public/transparency").json()
    assert data["hotlist_hits"] == 5 and data["dispositions"] == {"misread": 5} and data["misread_rate"] == 1.0
    assert data["rounded_to"] == 5 and data["as_of"].startswith(clock.now().date().isoformat())
    assert data["retention_days"] == 30 and data["cameras"][0]["id"] == CAMERA.id
    text = pub.text
    assert "5SOW350" not in text and "@City Police" not in text  # no plate, no person (labels are user@org)
    assert all(u.id not in text for u in who.values())
    assert set(data) == {"agency", "period_days", "as_of", "cameras", "reads", "hotlist_hits", "searches_run",
                         "searches_refused", "dispositions", "misread_rate", "wrong_region_rate", "retention_days",
                         "search_approval_chain", "latest_checkpoint", "policy", "redress", "rounded_to"}
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/metrics").status_code == 401  # its counters move with every request: not for the public
    assert client.get("/metrics", headers=bearer(p, who["officer"])).status_code == 403
    assert "platewarden_ledger_entries" in client.get("/metrics", headers=bearer(p, who["auditor"])).text


def test_session_cookie_needs_csrf(api: tuple[TestClient, dict, Platform], clock: ManualClock) -> None:  # type: ignore[type-arg]
    client, who, p = api
    secret = enrol_second_factor(p, who["officer"])
    assert client.post("/api/session", json={"username": "officer", "password": "wrong"}).status_code == 401
    r = client.post("/api/session", json={"username": "officer", "password": PASSWORD,
                                          "code": fresh_code(clock, secret)})
    assert r.status_code == 200 and r.json()["second_factor"] == "ok"
    csrf = r.json()["csrf_token"]
    entry = {"plate": "ABC123", "region": "us", "reason": "stolen", "source": "NCIC",
             "expires_at": (clock.now() + timedelta(days=3)).isoformat()}
    assert client.post("/api/hotlist", json=entry).status_code == 403  # no CSRF token
    r = client.post("/api/hotlist", json=entry, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201 and r.json()["status"] == "pending"
    assert client.get("/api/hotlist/pending").status_code == 200  # safe method: cookie alone is enough
    client.delete("/api/session", headers={"X-CSRF-Token": csrf})
    assert client.get("/api/hotlist/pending").status_code == 401


def test_control_characters_are_refused(api: tuple[TestClient, dict, Platform], clock: ManualClock) -> None:  # type: ignore[type-arg]
    client, who, p = api
    t0 = clock.now()
    body = {"case_number": "2026\x00CR", "offence": "robbery", "scope": {
        "plates": ["KX7204"], "time_from": t0.isoformat(), "time_to": (t0 + timedelta(days=1)).isoformat(),
        "camera_ids": ["cam-1"], "purpose": "p", "justification": "j"}}
    assert client.post("/api/searches", json=body, headers=bearer(p, who["officer"])).status_code == 422
    assert client.post("/api/session", json={"username": "a\x00", "password": "x"}).status_code == 422
    assert client.get("/api/alerts/not-a-uuid/crop.jpg", headers=bearer(p, who["operator"])).status_code == 422
    assert p.searches.all() == []
