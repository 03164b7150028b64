"""A policy takes effect only through its policy_change chain, recorded in the signed ledger: an edited policy file
is refused by the server and ingest, one person cannot approve it alone, and rows written to the ledger after its
latest signed checkpoint approve nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import insert

from platewarden.cli.main import cli
from platewarden.domain.approvals import ApprovalRefused
from platewarden.domain.clock import ManualClock
from platewarden.governance.policy_change import PolicyChanges, PolicyNotApproved, policy_digest
from platewarden.ledger.merkle import leaf_hash
from platewarden.policy import load_policy
from platewarden.runtime import Platform
from platewarden.store.schema import ledger_entries
from tests.factories import people


def test_a_policy_needs_its_whole_chain(platform: Platform, clock: ManualClock, tmp_path: Path) -> None:
    p, who = platform, people(platform)
    path = tmp_path / "policy.yaml"
    path.write_text("retention:\n  ordinary_days: 21\n")
    new = load_policy(path)
    changes = PolicyChanges(p.ledger, p.policy, p.clock)
    assert changes.approved(p.policy)  # the built-in defaults need no approval
    with pytest.raises(PolicyNotApproved, match="not approved"):
        changes.require_approved(new)
    with pytest.raises(ApprovalRefused):
        changes.propose(who["officer"], new, "shorter retention after the council vote")  # not the chain's first
    changes.propose(who["admin"], new, "shorter retention after the council vote")
    with pytest.raises(ApprovalRefused):
        changes.approve(who["admin"], new)  # the proposer never approves
    with pytest.raises(ApprovalRefused):
        changes.approve(who["ethics"], new)  # the department head's level comes first
    assert not changes.approve(who["head"], new)
    with pytest.raises(ApprovalRefused):
        changes.approve(who["head2"], new)  # one level, once
    assert changes.approve(who["ethics"], new)
    changes.require_approved(new)
    other = new.model_copy(update={"agency": "Another"})
    assert not changes.approved(other)  # approval is for exactly that policy


def test_entries_written_past_the_signed_checkpoint_approve_nothing(platform: Platform, clock: ManualClock,
                                                                    tmp_path: Path) -> None:
    p, _ = platform, people(platform)
    new = p.policy.model_copy(update={"agency": "Forged Police"})
    size = p.ledger.size()
    entry = json.dumps({"seq": size, "kind": "policy_change", "actor": "x", "at": clock.now().isoformat(),
                        "body": {"action": "approved", "digest": policy_digest(new)}}).encode()
    with p.engine.begin() as conn:  # a writer appends a fake approval (no signature can cover it)
        conn.execute(insert(ledger_entries).values(seq=size, kind="policy_change", at=clock.now(),
                                                   leaf_hash=leaf_hash(entry), entry=entry))
    assert not PolicyChanges(p.ledger, p.policy, p.clock).approved(new)


def test_the_server_refuses_an_unapproved_policy(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("retention:\n  ordinary_days: 21\n")
    res = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "d"), "serve", "--port", "1"],
                             env={"PLATEWARDEN_POLICY": str(path)})
    assert res.exit_code == 1 and "was not approved" in res.output


def test_governed_cli_commands_refuse_an_unapproved_policy(tmp_path: Path) -> None:
    """Someone edits the policy file the CLI reads (30 → 3,650 days, say): every governed command refuses to act
    under it; the commands that inspect or change the policy itself still run."""
    path = tmp_path / "policy.yaml"
    path.write_text("retention:\n  ordinary_days: 21\n")
    env = {"PLATEWARDEN_POLICY": str(path)}
    base = ["--data-dir", str(tmp_path / "d")]
    for args in (["retention", "run"], ["hotlist", "pending"], ["search", "list"],
                 ["user", "list"], ["zone", "list"]):
        res = CliRunner().invoke(cli, base + args, env=env)
        assert res.exit_code == 1 and "was not approved" in res.output, (args, res.output)
    for args in (["policy", "status"], ["ledger", "show"], ["retention", "verify"]):
        res = CliRunner().invoke(cli, base + args, env=env)
        assert "was not approved" not in res.output, (args, res.output)
