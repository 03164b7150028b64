"""Deployment review over HTTP: the governed steps with bearer tokens, the public registry and comment form."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from platewarden.domain.clock import ManualClock
from platewarden.runtime import Platform
from platewarden.server import create_app
from tests.factories import people


def test_deployment_over_http(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    client = TestClient(create_app(p, session_secret="s", https_only=False))

    def auth(name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {p.accounts.issue_token(who[name], 't')}"}

    seg = {"id": "harbour-rd", "name": "Harbour Road", "length_km": 0.5, "area": "harbour"}
    assert client.post("/api/cameras/segments", json=seg, headers=auth("officer")).status_code == 403
    assert client.post("/api/cameras/segments", json={**seg, "length_km": 0}, headers=auth("head")).status_code \
        == 422
    assert client.post("/api/cameras/segments", json=seg, headers=auth("head")).status_code == 201
    body = {"camera_id": "harbour-1", "name": "Harbour Road east", "latitude": 52.4, "longitude": 4.9,
            "road_segment": "harbour-rd", "purpose": "cargo theft at the port gate",
            "justification": "forty reported cargo thefts in 2026 at this gate"}
    assert client.post("/api/cameras/proposals", json={**body, "extra": 1}, headers=auth("head")).status_code \
        == 422
    assert client.post("/api/cameras/proposals", json=body, headers=auth("officer")).status_code == 403
    r = client.post("/api/cameras/proposals", json=body, headers=auth("head"))
    assert r.status_code == 201, r.text
    pid = r.json()["id"]

    page = client.get("/public/cameras")
    assert page.status_code == 200 and "cargo theft at the port gate" in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    posted = client.post(f"/public/cameras/{pid}/comment", data={"csrf": csrf, "author": "Port worker",
                                                                 "text": "Please cover the second gate too."})
    assert posted.status_code == 200 and "your comment is recorded" in posted.text
    assert client.post(f"/public/cameras/{pid}/comment", data={"csrf": "wrong", "text": "x"}).status_code == 403
    assert client.post(f"/api/public/proposals/{pid}/comments", json={"text": "Against it."}).status_code == 201

    decision = {"approve": True, "reason": "the comments support the port deployment"}
    early = client.post(f"/api/cameras/proposals/{pid}/decision", json=decision, headers=auth("ethics"))
    assert early.status_code == 409 and "comment period" in early.json()["detail"]
    clock.advance(timedelta(days=31))
    assert client.post(f"/api/public/proposals/{pid}/comments", json={"text": "late"}).status_code == 409
    r = client.post(f"/api/cameras/proposals/{pid}/decision", json=decision, headers=auth("ethics"))
    assert r.status_code == 200 and r.json()["status"] == "approved"
    reg = client.get("/api/public/cameras").json()
    assert [c["id"] for c in reg["cameras"]] == ["harbour-1"]
    assert reg["densities"] == [{"segment": "harbour-rd", "area": "harbour", "length_km": 0.5, "cameras": 1,
                                 "per_km": 2.0, "limit_per_km": 2.0, "over_limit": False}]
    assert [c["author"] for c in reg["proposals"][0]["comments"]] == ["Port worker", "anonymous"]
    assert client.post("/api/cameras/harbour-1/decommission", json={"reason": "pilot over"},
                       headers=auth("operator")).status_code == 403
    assert client.post("/api/cameras/harbour-1/decommission", json={"reason": "the pilot is over, council vote"},
                       headers=auth("ethics")).status_code == 204
    assert client.get("/api/public/cameras").json()["cameras"][0]["status"] == "decommissioned"


def test_zones_over_http(platform: Platform, clock: ManualClock) -> None:
    from platewarden.domain.cameras import Camera
    from tests.factories import approve_camera, make_read

    p, who = platform, people(platform)
    client = TestClient(create_app(p, session_secret="s", https_only=False))

    def auth(name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {p.accounts.issue_token(who[name], 't')}"}

    approve_camera(p, Camera("sq-1", "Square", 52.37, 4.89, 0.0, "square"), who)
    body = {"name": "Market square", "polygon": [[52.36, 4.88], [52.36, 4.90], [52.38, 4.90], [52.38, 4.88]],
            "justification": "burglary reports tripled in 2026 around the market square", "min_sightings": 3,
            "window_hours": 24, "expires_at": (clock.now() + timedelta(days=30)).isoformat()}
    assert client.post("/api/zones", json={**body, "min_sightings": 1}, headers=auth("officer")).status_code == 422
    assert client.post("/api/zones", json=body, headers=auth("operator")).status_code == 403
    zid = client.post("/api/zones", json=body, headers=auth("officer")).json()["id"]
    for name in ("head", "prosecutor", "ethics"):
        r = client.post(f"/api/zones/{zid}/decision", json={"approve": True, "reason": "proportionate"},
                        headers=auth(name))
        assert r.status_code == 200, r.text
    assert r.json()["status"] == "active"
    for i in range(3):
        p.zones.observe(make_read("AB1234", clock.now() + timedelta(hours=i), n=i))
    public = client.get("/api/public/zones").json()
    assert [(z["cameras"], z["sightings"], z["alerts"]) for z in public] == [(1, 3, 1)]
    assert "AB1234" not in client.get("/api/public/zones").text
    assert client.get("/api/zones/alerts?purpose=check", headers=auth("auditor")).status_code == 403
    shown = client.get("/api/zones/alerts?purpose=respond to alert", headers=auth("operator")).json()
    assert [(a["plate"], a["sightings"]) for a in shown] == [("AB1234", 3)]


def test_console_inbox_decides_cameras_and_zones(platform: Platform, clock: ManualClock) -> None:
    from platewarden.domain.cameras import Camera
    from platewarden.domain.deployment import RoadSegment
    from tests.factories import console_sign_in

    p, who = platform, people(platform)
    p.deployments.add_segment(RoadSegment("quay", "Quay", 1.0, "harbour"), who["head"])
    prop = p.deployments.propose(who["head"], Camera("quay-1", "Quay", 52.4, 4.9, None, "quay"),
                                 "cargo theft at the quay", "forty cargo thefts reported here in 2026")
    zone = p.zones.designate(who["officer"], "Quay zone", [(52.39, 4.89), (52.39, 4.91), (52.41, 4.91)],
                             "cargo thefts concentrate on the quay, see case files 2026-Q-1 to 40", 3, 24,
                             clock.now() + timedelta(days=20))
    client = TestClient(create_app(p, session_secret="s", https_only=False))

    secrets: dict[str, str] = {}

    def login(name: str) -> str:
        console_sign_in(client, p, clock, name, secrets)
        page = client.get("/approvals")
        return page.text

    inbox = login("ethics")
    assert f"camera-{prop.id}" not in inbox  # comment period still running
    assert f"zone-{zone.id}" not in inbox  # the department head decides first
    head = login("head")
    assert f"zone-{zone.id}" in head and f"camera-{prop.id}" not in head  # the head proposed the camera
    csrf = re.search(r'name="csrf" value="([^"]+)"', head).group(1)  # type: ignore[union-attr]
    r = client.post(f"/approvals/zone/{zone.id}", data={"csrf": csrf, "action": "approve", "reason": "justified"})
    assert "Decision recorded" in r.text and p.zones.get(zone.id).steps[0].decided_by == who["head"].id
    clock.advance(timedelta(days=31))
    ethics = login("ethics")
    assert f"camera-{prop.id}" in ethics and f"zone-{zone.id}" not in ethics  # the zone waits for the prosecutor
    csrf = re.search(r'name="csrf" value="([^"]+)"', ethics).group(1)  # type: ignore[union-attr]
    r = client.post(f"/approvals/camera/{prop.id}", data={"csrf": csrf, "action": "approve",
                                                          "reason": "no objections during the comment period"})
    assert "Decision recorded" in r.text and "quay-1" in p.deployments.approved_ids()
