"""``search list`` on the command line follows the same rule as the API and the console: an officer sees their own
requests only (case numbers, offences and purposes of other investigations are not theirs to read), approvers and
auditors all of them; the decisions go through the one ``Decision`` dispatch."""

from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner

from platewarden.cli.main import cli
from platewarden.domain.clock import ManualClock
from platewarden.governance.scope import Scope
from platewarden.governance.search import Decision, Status
from platewarden.runtime import Platform
from tests.factories import CAMERA, approve_camera, people


def test_an_officer_lists_only_their_own_requests(platform: Platform, clock: ManualClock) -> None:
    who = people(platform)
    approve_camera(platform, CAMERA, who)
    t0 = clock.now() - timedelta(days=3)
    scope = Scope(("KX7204",), None, None, t0, t0 + timedelta(days=1), (CAMERA.id,), None, "find the van",
                  "witness statement")
    mine = platform.searches.apply(who["officer"], "2026-CR-1", "robbery", scope)
    theirs = platform.searches.apply(who["officer2"], "2026-CR-2", "robbery", scope)

    def listing(name: str) -> str:
        res = CliRunner().invoke(cli, ["--data-dir", str(platform.settings.data_dir), "search", "list"], env={
            "PLATEWARDEN_TOKEN": platform.accounts.issue_token(who[name], "cli"),
            "PLATEWARDEN_DATABASE_URL": platform.settings.effective_database_url, "PLATEWARDEN_URL": ""})
        assert res.exit_code == 0, res.output
        return res.output

    officer = listing("officer")
    assert mine.id in officer and theirs.id not in officer and "2026-CR-2" not in officer
    head = listing("head")
    assert mine.id in head and theirs.id in head
    assert platform.searches.decide(mine.id, who["head"], Decision.APPROVE, "ok").status is Status.PENDING
    assert platform.searches.decide(mine.id, who["prosecutor"], Decision.APPROVE, "ok").status is Status.ACTIVE
    assert platform.searches.decide(mine.id, who["head"], Decision.REVOKE, "case closed").status is Status.REVOKED


def test_a_decision_on_an_id_that_is_no_request_is_a_ledgered_refusal(platform: Platform) -> None:
    """Found by the console's form fuzz on PostgreSQL: a 1,000-character id made the refusal's own record overflow
    its column (a 500). Now: not found, and the refusal is recorded with what fits an id."""
    import pytest

    from platewarden.domain.errors import NotFound

    who = people(platform)
    for decision in (Decision.APPROVE, Decision.REJECT):
        with pytest.raises(NotFound):
            platform.searches.decide("x" * 1000, who["head"], decision, "")
    refused = [e for _, e in platform.ledger.parsed() if e["kind"] == "search_refused"]
    assert len(refused) == 2 and refused[0]["body"]["request_id"] == "x" * 36
