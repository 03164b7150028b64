"""Each role's home: the dispatcher sees each camera's reads per minute over the last hour, today's count and its
last read (counts only), with a camera gone quiet flagged and the minute counts gone after a day;
the auditor sees the ledger's integrity (latest checkpoint, unsigned tail, witnessed checkpoint,
witnesses in the policy); neither panel appears for a role it is not for."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from platewarden.domain.clock import ManualClock
from platewarden.ledger.notes import COSIGNATURE_V1, Signer
from platewarden.ledger.witness import Witness
from platewarden.ledger.witness_client import request_cosignature
from platewarden.runtime import Platform
from platewarden.server import create_app
from tests.factories import CAMERA, approve_camera, console_sign_in, make_read, people


def test_each_role_sees_its_own_panels(platform: Platform, clock: ManualClock, tmp_path: Path) -> None:
    p = platform
    who = people(p)
    secrets: dict[str, str] = {}
    operator = TestClient(create_app(p, session_secret="s", https_only=False))
    console_sign_in(operator, p, clock, "operator", secrets)
    home = operator.get("/").text
    assert "No camera is in service" in home and 'id="integrity"' not in home
    approve_camera(p, CAMERA, who)
    assert "no read in the last day" in operator.get("/").text  # in service, silent
    p.reads.ingest([make_read("KX7204", clock.now() - timedelta(minutes=m), n=n) for n, m in enumerate((0, 0, 5))])
    home = operator.get("/").text
    row = re.search(r'<tr class="camera">(.*?)</tr>', home, re.S)
    assert row is not None and "KX7204" not in home  # counts, never plates
    assert f"<td>{CAMERA.id}</td>" in row.group(1) and "<td>3</td><td>3</td>" in row.group(1)
    assert row.group(1).count("<rect") == 2 and "max 2/min" in row.group(1)  # two minutes with reads, whole counts
    clock.advance(timedelta(minutes=20))
    assert "quiet for 20 min" in operator.get("/").text
    clock.advance(timedelta(days=2))
    p.retention.run()
    assert p.retention.camera_activity() == []  # a minute's count lives a day: it could single out one car

    auditor = TestClient(create_app(p, session_secret="s", https_only=False))
    console_sign_in(auditor, p, clock, "auditor", secrets)
    home = auditor.get("/").text
    assert 'id="integrity"' in home and 'id="camera-health"' not in home
    assert "none: no outside witness has cosigned the ledger" in home
    assert "none (platewarden ledger witness add)" in home
    assert "never checked" in home
    from platewarden.governance.reconcile import reconcile_and_record

    reconcile_and_record(p, "scheduler")
    assert re.search(r'id="reconcile"><span>every row agrees, checked', auditor.get("/").text)
    clock.advance(timedelta(hours=3))
    console_sign_in(auditor, p, clock, "auditor", secrets)  # the session ended while idle
    assert "3 h ago: the hourly check has stopped" in auditor.get("/").text
    court = Witness(Signer.generate("court.example", COSIGNATURE_V1), [p.ledger.public_key], tmp_path / "w")
    done = request_cosignature(p.ledger, court.signer.verifier, lambda body: court.handle(body)[:2], clock.now())
    home = auditor.get("/").text
    assert f"size {done.size}, 1 cosignature(s)" in home


def test_an_edges_outbox_backlog_on_the_dispatchers_home(platform: Platform, clock: ManualClock) -> None:
    """The backlog an edge reported (signed, verified on arrival) shows beside its camera; a camera whose edge has
    not reported for five minutes is flagged."""
    from platewarden.edge.message import encode_status, status_topic
    from platewarden.edge.status_reports import EdgeStatusRecorder
    from tests.factories import enrolled_edge

    p = platform
    who = people(p)
    sealer = enrolled_edge(p, CAMERA, who)
    secrets: dict[str, str] = {}
    operator = TestClient(create_app(p, session_secret="s", https_only=False))
    console_sign_in(operator, p, clock, "operator", secrets)
    assert "waiting (" not in operator.get("/").text  # no report yet: nothing claimed
    report = encode_status(CAMERA.id, 40, 2, clock.now(), sealer.camera_key)
    assert EdgeStatusRecorder(p).record([(status_topic(CAMERA.id), report)]) == 1
    row = re.search(r'<tr class="camera[^"]*">(.*?)</tr>', operator.get("/").text, re.S)
    assert row is not None
    assert '<td class="warn">42 waiting (40 unsent, 2 awaiting receipt), reported 0 min ago</td>' in row.group(1)
    clock.advance(timedelta(minutes=6))
    assert "reported 6 min ago: the edge has stopped reporting" in operator.get("/").text
