"""A search from application to evidence in the console: the request page says who has acted and whose turn it is
and offers no Run button before the chain is complete; results come page by page with crop thumbnails, each page a
ledgered run; the results leave as a CSV or a signed PDF, ledgered; ticked sightings become a hold that another
person approves, reviews and releases on the cases page, where the case's evidence package is downloaded and
verifies offline. Forged CSRF tokens, strangers and the requester approving their own hold are refused."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from platewarden.domain.clock import ManualClock
from platewarden.governance.scope import Scope
from platewarden.investigation.evidence import verify_package
from platewarden.investigation.search_export import verify_pdf
from platewarden.runtime import Platform
from platewarden.server import create_app
from tests.factories import CAMERA, approve_camera, console_sign_in, make_read, people


def signed_in(p: Platform, clock: ManualClock, name: str, secrets: dict[str, str]) -> tuple[TestClient, str]:
    client = TestClient(create_app(p, session_secret="s", https_only=False))
    console_sign_in(client, p, clock, name, secrets)
    match = re.search(r'name="csrf" value="([^"]+)"', client.get("/cases").text)
    return client, match.group(1) if match else ""


def runs(p: Platform) -> list[dict]:  # type: ignore[type-arg]
    return [e["body"] for _, e in p.ledger.parsed() if e["kind"] == "search"]


def test_from_request_to_evidence(platform: Platform, clock: ManualClock) -> None:
    p = platform
    who = people(p)
    approve_camera(p, CAMERA, who)
    t0 = clock.now() - timedelta(hours=5)
    p.read_writer("cam").write([make_read("KX7204", t0 + timedelta(minutes=i), n=i) for i in range(60)])
    scope = Scope(("KX7204",), None, None, t0 - timedelta(hours=1), t0 + timedelta(hours=2), (CAMERA.id,), None,
                  "trace the getaway car", "witness statement")
    req = p.searches.apply(who["officer"], "2026-CR-31", "robbery", scope)
    secrets: dict[str, str] = {}
    officer, csrf = signed_in(p, clock, "officer", secrets)

    pending = officer.get(f"/searches/{req.id}").text
    assert "Officer@City Police applied" in pending.replace("officer@", "Officer@")
    assert "a department head must decide (level 2 of 3)" in pending and "Run inside" not in pending
    p.searches.approve(req.id, who["head"], "proportionate")
    assert "a prosecutor must decide (level 3 of 3)" in officer.get(f"/searches/{req.id}").text
    p.searches.approve(req.id, who["prosecutor"])
    active = officer.get(f"/searches/{req.id}").text
    assert "the applicant may run it" in active and "Run inside" in active and "proportionate" in active
    head, csrf_head = signed_in(p, clock, "head", secrets)
    assert "Run inside" not in head.get(f"/searches/{req.id}").text  # only the applicant runs it

    assert officer.post(f"/searches/{req.id}/run", data={"csrf": "forged", "plate": "KX7204"}).status_code == 403
    first = officer.post(f"/searches/{req.id}/run", data={"csrf": csrf, "plate": "KX7204"}).text
    assert "60 sighting(s)" in first and "Page 1 of 2" in first
    assert first.count('class="result"') == 50 and first.count('src="data:image/jpeg;base64,') == 50
    assert "Track of KX7204" in first
    second = officer.post(f"/searches/{req.id}/run", data={"csrf": csrf, "plate": "KX7204", "page": "1"}).text
    assert second.count('class="result"') == 10 and "Page 2 of 2" in second
    assert [b["action"] for b in runs(p)].count("run") == 2  # every page shown is a ledgered run

    pdf = officer.post(f"/searches/{req.id}/export", data={"csrf": csrf, "plate": "KX7204", "format": "pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"] and pdf.headers["cache-control"] == "no-store"
    assert verify_pdf(pdf.content, p.ledger.public_key).ok
    rows = officer.post(f"/searches/{req.id}/export", data={"csrf": csrf, "plate": "KX7204", "format": "csv"})
    assert rows.text.count("KX7204") == 60
    assert [b.get("format") for b in runs(p) if b["action"] == "export"] == ["pdf", "csv"]
    refused = officer.post(f"/searches/{req.id}/export", data={"csrf": csrf, "plate": "AB1234", "format": "csv"},
                           follow_redirects=True).text
    assert "Refused (and recorded)" in refused

    kept = re.findall(r'name="read_ids" value="([^"]+)"', first)[:2]
    asked = officer.post("/cases/holds", data={"csrf": csrf, "case_number": "2026-CR-31", "reason": "trial",
                                               "read_ids": kept}, follow_redirects=True).text
    assert "Hold requested for case 2026-CR-31 (2 reads)" in asked and "awaiting approval" in asked
    (hold,) = p.retention.holds()
    assert officer.post(f"/cases/holds/{hold['id']}/approve", data={"csrf": csrf},
                        follow_redirects=True).text.count("Refused (and recorded)") == 1  # an officer approves nothing
    cases = head.get("/cases").text
    assert f"/cases/holds/{hold['id']}/approve" in cases
    assert "Hold approved" in head.post(f"/cases/holds/{hold['id']}/approve", data={"csrf": csrf_head},
                                        follow_redirects=True).text
    clock.advance(timedelta(days=100))
    head2, csrf_head2 = signed_in(p, clock, "head2", secrets)
    kept_on = head2.post(f"/cases/holds/{hold['id']}/review", data={"csrf": csrf_head2, "reason": "appeal pending"},
                         follow_redirects=True).text
    assert "Hold kept after review" in kept_on
    assert any(e["body"].get("action") == "review" for _, e in p.ledger.parsed() if e["kind"] == "hold")

    officer, csrf = signed_in(p, clock, "officer", secrets)  # a new session after the long wait
    package = officer.post("/cases/evidence", data={"csrf": csrf, "case_number": "2026-CR-31"})
    assert package.headers["content-type"] == "application/zip" and package.headers["x-evidence-reads"] == "2"
    rep = verify_package(package.content, p.ledger.public_key)
    assert rep.ok and rep.case == "2026-CR-31"
    stranger, csrf_s = signed_in(p, clock, "officer2", secrets)
    assert "Refused (and recorded)" in stranger.post("/cases/evidence", data={
        "csrf": csrf_s, "case_number": "2026-CR-31"}, follow_redirects=True).text

    assert "release states its reason" in head2.post(f"/cases/holds/{hold['id']}/release",
                                                    data={"csrf": csrf_head2}, follow_redirects=True).text
    released = head2.post(f"/cases/holds/{hold['id']}/release", data={"csrf": csrf_head2, "reason": "case closed"},
                          follow_redirects=True).text
    assert "Hold released" in released and p.retention.holds()[0]["state"] == "released"


def test_operators_and_administrators_see_no_case(platform: Platform, clock: ManualClock) -> None:
    people(platform)
    secrets: dict[str, str] = {}
    for name in ("operator", "admin"):
        client = TestClient(create_app(platform, session_secret="s", https_only=False))
        console_sign_in(client, platform, clock, name, secrets)
        assert client.get("/cases").status_code == 403
