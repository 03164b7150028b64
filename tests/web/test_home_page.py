"""Each role's home: the dispatcher sees today's reads per camera (counts only) and is warned when no camera stored
anything today; the auditor sees the ledger's integrity (latest checkpoint, unsigned tail, witnessed checkpoint,
witnesses in the policy); neither panel appears for a role it is not for."""

from __future__ import annotations

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
    assert "No camera has stored a read today" in home and 'id="integrity"' not in home
    approve_camera(p, CAMERA, who)
    p.reads.ingest([make_read("KX7204", clock.now(), n=i) for i in range(3)])
    home = operator.get("/").text
    assert f"<td>{CAMERA.id}</td><td>3</td>" in home and "KX7204" not in home  # counts, never plates

    auditor = TestClient(create_app(p, session_secret="s", https_only=False))
    console_sign_in(auditor, p, clock, "auditor", secrets)
    home = auditor.get("/").text
    assert 'id="integrity"' in home and "Cameras today" not in home
    assert "none: no outside witness has cosigned the ledger" in home
    assert "none (platewarden ledger witness add)" in home
    court = Witness(Signer.generate("court.example", COSIGNATURE_V1), [p.ledger.public_key], tmp_path / "w")
    done = request_cosignature(p.ledger, court.signer.verifier, lambda body: court.handle(body)[:2], clock.now())
    home = auditor.get("/").text
    assert f"size {done.size}, 1 cosignature(s)" in home
