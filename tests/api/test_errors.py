"""One error hierarchy, mapped once per adapter: each refusal the services raise has its kind (refused, not found,
conflict, invalid), the API answers each kind with one status from one handler, the command line with the reason
and exit status 1 — and the old builtin bases still hold, so nothing that caught them changed behaviour."""

from __future__ import annotations

import uuid

import click
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from platewarden.cli.main import PlatformGroup
from platewarden.domain.alerts import AlreadyDisposed, Disposition, UnknownAlert
from platewarden.domain.approvals import ApprovalRefused
from platewarden.domain.clock import ManualClock
from platewarden.domain.errors import Conflict, Invalid, NotFound, PlatewardenError, Refused
from platewarden.governance.scope import ScopeError
from platewarden.governance.search import SearchRefused
from platewarden.runtime import Platform
from platewarden.server import create_app, http_status
from platewarden.store.seals import ForgedRecord
from tests.factories import CAMERA, activate, approve_camera, make_entry, make_read, people


@pytest.mark.parametrize(("exc", "kind", "builtin", "status"), [
    (ApprovalRefused("no"), Refused, PermissionError, 403),
    (SearchRefused("no"), Refused, PermissionError, 403),
    (UnknownAlert("no such alert"), NotFound, LookupError, 404),
    (ForgedRecord("fails its seal"), NotFound, KeyError, 404),
    (AlreadyDisposed("already"), Conflict, RuntimeError, 409),
    (ScopeError("too wide"), Invalid, ValueError, 422),
])
def test_each_refusal_has_its_kind_its_old_base_and_one_status(exc: PlatewardenError, kind: type, builtin: type,
                                                               status: int) -> None:
    assert isinstance(exc, kind) and isinstance(exc, builtin)
    assert http_status(exc) == status
    assert str(exc) == exc.args[0]  # a message, never a KeyError-style repr


def test_the_api_maps_refusals_from_the_services(platform: Platform, clock: ManualClock) -> None:
    who = people(platform)
    approve_camera(platform, CAMERA, who)
    activate(platform, make_entry("5SOW350", clock.now()), who)
    read = make_read("5SOW350", clock.now())
    platform.reads.ingest([read])
    alert = platform.alerts.check(read).alert
    assert alert is not None
    client = TestClient(create_app(platform, session_secret="s", https_only=False))
    operator = {"Authorization": f"Bearer {platform.accounts.issue_token(who['operator'], 't')}"}
    auditor = {"Authorization": f"Bearer {platform.accounts.issue_token(who['auditor'], 't')}"}
    r = client.post(f"/api/alerts/{uuid.uuid4()}/disposition", json={"disposition": "correct"}, headers=operator)
    assert r.status_code == 404 and "no" in r.json()["detail"]
    r = client.post(f"/api/alerts/{alert.id}/disposition", json={"disposition": "misread"}, headers=operator)
    assert r.status_code == 422 and "note" in r.json()["detail"]
    r = client.post(f"/api/alerts/{alert.id}/disposition", json={"disposition": "correct"}, headers=auditor)
    assert r.status_code == 403
    assert client.post(f"/api/alerts/{alert.id}/disposition", json={"disposition": "correct"},
                       headers=operator).status_code == 204
    r = client.post(f"/api/alerts/{alert.id}/disposition", json={"disposition": "correct"}, headers=operator)
    assert r.status_code == 409
    assert platform.alert_store.get(alert.id).disposition.disposition is Disposition.CORRECT  # type: ignore[union-attr]


def test_the_command_line_maps_refusals_once() -> None:
    @click.group(cls=PlatformGroup)
    def group() -> None:
        pass

    @group.command()
    def act() -> None:
        raise ApprovalRefused("a department head approves this")

    res = CliRunner().invoke(group, ["act"])
    assert res.exit_code == 1 and "refused: a department head approves this" in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
