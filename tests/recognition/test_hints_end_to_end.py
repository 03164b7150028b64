"""Jurisdiction hints from where a deployment states them: the policy, the camera registry (proposal, import, API,
console), the command line; and the reader honouring them."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from platewarden.cli.main import cli
from platewarden.domain.clock import ManualClock
from platewarden.domain.plates import Region
from platewarden.ledger.entries import decode_entry
from platewarden.policy import PolicyError, parse_policy
from platewarden.recognition.detector import Detection
from platewarden.recognition.jurisdictions import JurisdictionHint, parse_hint, resolve_hint
from platewarden.recognition.pipeline import Recognizer
from platewarden.runtime import Platform
from platewarden.server import create_app
from platewarden.synthetic.plates import render_plate, spec_for_text
from tests.factories import people


def test_policy_jurisdictions_are_checked_and_point_at_their_line() -> None:
    policy = parse_policy("recognition:\n  jurisdictions: {us-ca: 0.7, us-nv: 0.3}\n")
    assert policy.recognition.hint().weights == (("us-ca", 0.7), ("us-nv", 0.3))
    assert parse_policy("agency: X\n").recognition.hint().is_auto
    with pytest.raises(PolicyError) as err:
        parse_policy("agency: X\nrecognition:\n  jurisdictions: [us-ca, Russia]\n")
    assert ":3:" in str(err.value) and "unknown jurisdiction 'Russia'" in str(err.value) and "us-ca" in str(err.value)


def test_the_command_line_outranks_the_camera_which_outranks_the_policy() -> None:
    assert resolve_hint(parse_hint("de"), ("us-ca",), ["br"]).weights == (("de", 1.0),)
    assert resolve_hint(None, ("us-ca",), ["br"]).weights == (("us-ca", 1.0),)
    assert resolve_hint(None, (), ["br"]).weights == (("br", 1.0),)
    assert resolve_hint(None, (), None).is_auto


def test_an_unknown_region_on_the_command_line_is_a_clear_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["recognize", "--region", "mars", str(tmp_path)])
    assert res.exit_code == 2 and "unknown jurisdiction 'mars'" in res.output and "us-ca" in res.output
    res = CliRunner().invoke(cli, ["bench", "accuracy", "--region", "us-xx", str(tmp_path)])
    assert res.exit_code == 2 and "valid: auto" in res.output


def test_a_camera_carries_its_hint_through_proposal_decision_import_and_the_registry(
        platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    client = TestClient(create_app(p, session_secret="s", https_only=False))

    def auth(name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {p.accounts.issue_token(who[name], 't')}"}

    seg = {"id": "border-rd", "name": "Border Road", "length_km": 2.0, "area": "north"}
    assert client.post("/api/cameras/segments", json=seg, headers=auth("head")).status_code == 201
    body = {"camera_id": "border-1", "name": "Border Road north", "latitude": 41.9, "longitude": -120.0,
            "road_segment": "border-rd", "purpose": "stolen vehicles crossing the state line",
            "justification": "twelve recovered stolen vehicles crossed here in 2026"}
    bad = client.post("/api/cameras/proposals", json={**body, "jurisdictions": ["us-zz"]}, headers=auth("head"))
    assert bad.status_code == 409 and "unknown jurisdiction 'us-zz'" in bad.json()["detail"]
    assert client.post("/api/cameras/proposals", json={**body, "jurisdictions": ["<b>"]},
                       headers=auth("head")).status_code == 422
    assert p.deployments.proposals() == []  # refused input changes nothing
    r = client.post("/api/cameras/proposals", json={**body, "jurisdictions": ["us-ca:0.6", "us-or:0.4"]},
                    headers=auth("head"))
    assert r.status_code == 201 and r.json()["jurisdictions"] == ["us-ca:0.6", "us-or:0.4"]
    assert "plates read as us-ca:0.6,us-or:0.4" in client.get("/public/cameras").text
    clock.advance(timedelta(days=31))
    decision = {"approve": True, "reason": "the comments support the deployment"}
    assert client.post(f"/api/cameras/proposals/{r.json()['id']}/decision", json=decision,
                       headers=auth("ethics")).status_code == 200
    assert p.cameras.get("border-1").jurisdictions == ("us-ca:0.6", "us-or:0.4")
    imported = client.post("/api/cameras/import", json={
        "camera_id": "border-2", "name": "Border Road south", "latitude": 41.8, "longitude": -120.0,
        "road_segment": "border-rd", "jurisdictions": ["us-or"], "decision_ref": "county board resolution 2019-4"},
        headers=auth("ethics"))
    assert imported.status_code == 201 and imported.json()["jurisdictions"] == ["us-or"]
    listed = {c["id"]: c["jurisdictions"] for c in client.get("/api/public/cameras").json()["cameras"]}
    assert listed == {"border-1": ["us-ca:0.6", "us-or:0.4"], "border-2": ["us-or"]}
    bodies = [decode_entry(e)["body"] for e in p.ledger.entries()]
    ledgered = [b["jurisdictions"] for b in bodies if b.get("camera_id") in ("border-1", "border-2")
                and b.get("action") in ("propose", "import")]
    assert ledgered == ["us-ca:0.6,us-or:0.4", "us-or"]


def test_the_reader_reads_with_the_hint_it_is_given() -> None:
    """One rendered Brazilian grey plate: read as Brazilian under ``br``, and as American under ``us`` (ABC1234 is
    a serial of many states too): the hint reaches the posterior and the region it states."""
    rng = random.Random(3)
    plate = render_plate(spec_for_text("ABC1234", "br-grey"), rng).image
    canvas = np.full((plate.shape[0] + 40, plate.shape[1] + 40, 3), 90, np.uint8)
    canvas[20:-20, 20:-20] = plate
    h, w = plate.shape[:2]
    det = Detection((20, 20, w, h), np.array([[20, 20], [20 + w, 20], [20 + w, 20 + h], [20, 20 + h]], np.float32),
                    1.0)
    reader = Recognizer()
    br = reader.read_plates(canvas, [det], parse_hint("br"))
    us = reader.read_plates(canvas, [det], parse_hint("us"))
    auto = reader.read_plates(canvas, [det], JurisdictionHint())
    assert br[0].text == us[0].text == "ABC1234"
    assert (br[0].region, br[0].jurisdiction, br[0].format) == (Region.BR, "br", "L{3} D{4}")
    assert us[0].region is Region.US and us[0].jurisdiction == "us" and us[0].country == "US"  # no one state
    assert auto[0].region is Region.UNKNOWN  # the text fits both: with no hint the region is not claimed
