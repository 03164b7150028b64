"""Deployment review: propose → public comment → ethics board decision; the density rule with recorded exceptions;
reads from cameras that are not approved are refused, counted and ledgered."""

from __future__ import annotations

from datetime import timedelta

import pytest

from platewarden.domain.approvals import ApprovalRefused
from platewarden.domain.cameras import Camera
from platewarden.domain.clock import ManualClock
from platewarden.domain.deployment import DeploymentRefused, ProposalStatus, RoadSegment
from platewarden.governance.deployment import UnapprovedCamera
from platewarden.runtime import Platform
from tests.factories import make_read, people

MAIN = RoadSegment("main-st", "Main Street", 1.0, "north")


def cam(n: int, segment: str = "main-st") -> Camera:
    return Camera(f"cam-{n}", f"Main St #{n}", 52.37 + n / 1000, 4.89, 90.0, segment)


def kinds(p: Platform, kind: str) -> list[dict]:  # type: ignore[type-arg]
    return [e for _, e in p.ledger.parsed() if e["kind"] == kind]


def test_proposal_comment_decision(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    p.deployments.add_segment(MAIN, who["head"])
    prop = p.deployments.propose(who["head"], cam(1), "deter vehicle theft near the station",
                                 "twelve thefts in 2026 on this street; patrols did not reduce them")
    assert prop.status is ProposalStatus.OPEN
    assert prop.comment_until == clock.now() + timedelta(days=p.policy.deployment.public_comment_days)
    p.deployments.comment(prop.id, "A. Resident", "I object: this street has a school and a clinic.")
    p.deployments.comment(prop.id, "", "Support, thefts are frequent.")
    with pytest.raises(DeploymentRefused, match="comment period runs until"):
        p.deployments.decide(prop.id, who["ethics"], True, "the public supports the deployment")
    assert "cam-1" not in p.deployments.approved_ids()
    clock.advance(timedelta(days=31))
    with pytest.raises(DeploymentRefused, match="closed"):
        p.deployments.comment(prop.id, "late", "too late")
    with pytest.raises(ApprovalRefused):  # the proposer cannot decide; a head is not the ethics board
        p.deployments.decide(prop.id, who["head"], True, "approve my own proposal")
    with pytest.raises(ApprovalRefused):
        p.deployments.decide(prop.id, who["head2"], True, "a colleague approves it")
    decided = p.deployments.decide(prop.id, who["ethics"], True, "comments weighed: theft data justify it")
    assert decided.status is ProposalStatus.APPROVED
    assert [(c.author, c.text[:9]) for c in decided.comments] == [("A. Resident", "I object:"),
                                                                    ("anonymous", "Support, ")]
    assert [r.approved_via for r in p.deployments.registry()] == [f"proposal:{prop.id}"]
    assert "cam-1" in p.deployments.approved_ids()
    actions = [e["body"]["action"] for e in kinds(p, "camera_deployment")]
    assert actions == ["segment", "propose", "comment", "comment", "decision_refused", "decision_refused",
                       "decision_refused", "approved"]
    with pytest.raises(DeploymentRefused, match="already approved"):
        p.deployments.propose(who["head"], cam(1), "deter vehicle theft near the station",
                              "twelve thefts in 2026 on this street; patrols did not reduce them")


def test_rejection_and_bad_input_change_nothing(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    with pytest.raises(ValueError, match="length"):
        RoadSegment("x", "X", 0.0, "north")
    with pytest.raises(ApprovalRefused):
        p.deployments.add_segment(MAIN, who["officer"])
    p.deployments.add_segment(MAIN, who["head"])
    with pytest.raises(ApprovalRefused):  # the chain starts with a department head
        p.deployments.propose(who["officer"], cam(1), "deter vehicle theft", "because thefts happen a lot here")
    with pytest.raises(DeploymentRefused, match="purpose"):
        p.deployments.propose(who["head"], cam(1), "x", "because thefts happen a lot here")
    with pytest.raises(DeploymentRefused, match="unknown road segment"):
        p.deployments.propose(who["head"], cam(1, "nowhere"), "deter vehicle theft",
                              "because thefts happen a lot here")
    assert p.deployments.proposals() == []
    prop = p.deployments.propose(who["head"], cam(1), "deter vehicle theft", "because thefts happen a lot here")
    clock.advance(timedelta(days=31))
    with pytest.raises(DeploymentRefused, match="reason"):
        p.deployments.decide(prop.id, who["ethics"], False, "no")
    out = p.deployments.decide(prop.id, who["ethics"], False, "a school zone: comments were decisive")
    assert out.status is ProposalStatus.REJECTED and p.deployments.registry() == []
    with pytest.raises(ApprovalRefused, match="nothing awaits"):
        p.deployments.decide(prop.id, who["ethics"], True, "changed my mind after all")


def test_density_limit_needs_a_recorded_exception(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    p.deployments.add_segment(MAIN, who["head"])  # 1 km at the default limit of 2 per km
    for n in (1, 2):
        p.deployments.import_existing(cam(n), "council resolution 2025-40", who["ethics"])
    with pytest.raises(DeploymentRefused, match="over the limit"):
        p.deployments.import_existing(cam(3), "council resolution 2025-40", who["ethics"])
    prop = p.deployments.propose(who["head"], cam(3), "watch the bridge approach",
                                 "the bridge is the only exit of the district")
    clock.advance(timedelta(days=30))
    with pytest.raises(DeploymentRefused, match=r"3 cameras on 1 km \(3.00/km\), over the limit of 2/km"):
        p.deployments.decide(prop.id, who["ethics"], True, "the bridge justifies it")
    with pytest.raises(DeploymentRefused, match="exception"):
        p.deployments.decide(prop.id, who["ethics"], True, "the bridge justifies it", density_exception="short")
    assert p.deployments.density("main-st").cameras == 2
    out = p.deployments.decide(prop.id, who["ethics"], True, "the bridge justifies it",
                               density_exception="only exit of the district; reviewed again in one year")
    assert out.density_exception == "only exit of the district; reviewed again in one year"
    d = p.deployments.density("main-st")
    assert (d.cameras, d.over, d.allowed_cameras) == (3, True, 2)
    approved = [e["body"] for e in kinds(p, "camera_deployment") if e["body"]["action"] == "approved"]
    assert approved[-1]["exception"] is True and approved[-1]["cameras_on_segment"] == 3


def test_reads_from_unapproved_cameras_are_refused_and_logged(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    p.deployments.add_segment(MAIN, who["head"])
    p.deployments.import_existing(cam(1), "council resolution 2025-40", who["ethics"])
    writer = p.read_writer("test")
    t = clock.now()
    batch = [make_read("AB1234", t, cam(1), n=1), make_read("CD5678", t, cam(9), n=2),
             make_read("EF9012", t, cam(9), n=3)]
    stored = writer.write(batch)
    assert [r.text for r in stored] == ["AB1234"] and writer.refused == 2
    assert p.reads.count() == 1
    assert p.deployments.refusals() == [(t.date().isoformat(), "cam-9", "not_approved", 2)]
    refused = kinds(p, "read_refused")
    assert [(e["body"]["camera_id"], e["body"]["count"]) for e in refused] == [("cam-9", 2)]
    with pytest.raises(UnapprovedCamera, match="not approved"):
        p.deployments.admit("cam-9", 0, "watch")

    p.deployments.decommission("cam-1", who["ethics"], "the pilot ended, council decision 2026-3")
    assert writer.write([make_read("GH3456", t, cam(1), n=4)]) == []
    assert p.reads.count() == 1
    assert ("cam-1", "decommissioned") in {(c, why) for _, c, why, _ in p.deployments.refusals()}
    assert p.cameras.all() == []
    assert p.cameras.get("cam-1").id == "cam-1"  # history (trajectories, evidence) still knows where it stood
