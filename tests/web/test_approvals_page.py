"""The approvals inbox shows an approver the request's history: who applied, who decided before them and when, and
whose turn it is (issue 24: "nobody sees who must act next; the inbox shows neither the applicant nor the earlier
approvers")."""

from __future__ import annotations

from fastapi.testclient import TestClient

from platewarden.domain.clock import ManualClock
from platewarden.runtime import Platform
from platewarden.server import create_app
from tests.factories import console_sign_in, people
from tests.governance.test_database_writer import apply


def test_the_inbox_shows_the_applicant_the_earlier_steps_and_who_is_next(platform: Platform,
                                                                           clock: ManualClock) -> None:
    p = platform
    who = people(p)
    request_id, _ = apply(p, who, clock)
    secrets: dict[str, str] = {}
    client = TestClient(create_app(p, session_secret="s", https_only=False))
    console_sign_in(client, p, clock, "head", secrets)
    card = client.get("/approvals").text
    assert f'id="req-{request_id}"' in card
    assert f"Applied for by {who['officer'].label}" in card and "Steps so far: none" in card
    assert "Next to decide: a department head." in card
    p.searches.approve(request_id, who["head"])
    client = TestClient(create_app(p, session_secret="s", https_only=False))
    console_sign_in(client, p, clock, "prosecutor", secrets)
    card = client.get("/approvals").text
    assert f"department head {who['head'].label} approved on" in card
    assert "Next to decide: a prosecutor." in card
