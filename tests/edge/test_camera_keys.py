"""Camera keys over the camera's life, attacked: a rotation by someone not allowed, a thief's key after revocation, a
decommissioned camera's key, a key registered twice, and the reads each of them signs arriving at central ingest."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from nacl.signing import SigningKey
from sqlalchemy import select

from platewarden.domain.approvals import ApprovalRefused
from platewarden.domain.clock import ManualClock
from platewarden.domain.deployment import DeploymentRefused
from platewarden.edge.identity import public_key_text
from platewarden.edge.ingest import ReadIngest
from platewarden.edge.message import topic_for
from platewarden.edge.pipeline import ReadSealer
from platewarden.runtime import Platform
from platewarden.store.schema import ledger_entries
from tests.factories import CAMERA, approve_camera, enrolled_edge, make_read, people


def deployment_actions(p: Platform) -> list[dict]:  # type: ignore[type-arg]
    with p.engine.connect() as conn:
        return [json.loads(e)["body"] for e in conn.scalars(select(ledger_entries.c.entry).where(
            ledger_entries.c.kind == "camera_deployment").order_by(ledger_entries.c.seq))]


def send(p: Platform, sealer: ReadSealer, text: str, clock: ManualClock, n: int) -> ReadIngest:
    ingest = ReadIngest(p)
    read = make_read(text, clock.now() - timedelta(seconds=30), n=n)
    ingest.handle([(topic_for(CAMERA.id), sealer.message(read, clock.now()))])
    return ingest


def test_rotation_and_revocation(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    old = enrolled_edge(p, CAMERA, who)
    assert [k.state for k in p.deployments.keys.for_camera(CAMERA.id)] == ["active"]
    assert deployment_actions(p)[-1]["edge_key"] == p.deployments.keys.for_camera(CAMERA.id)[0].fingerprint
    # a read queued before the rotation, delivered after it (the edge was offline)
    queued_early = old.message(make_read("EARLY1", clock.now() - timedelta(minutes=2), n=1),
                               clock.now() - timedelta(minutes=1))
    new = ReadSealer(SigningKey.generate(), old.central)
    for who_tries in ("officer", "operator", "admin"):
        with pytest.raises(ApprovalRefused):
            p.deployments.keys.rotate(CAMERA.id, public_key_text(new.camera_key.verify_key), who[who_tries],
                                      "scheduled yearly key rotation")
    with pytest.raises(DeploymentRefused):  # garbage is not a key
        p.deployments.keys.rotate(CAMERA.id, "ed25519:nope", who["head"], "scheduled yearly key rotation")
    with pytest.raises(DeploymentRefused):  # a key already registered (another camera's, say) is not taken
        p.deployments.keys.rotate(CAMERA.id, public_key_text(old.camera_key.verify_key), who["head"],
                                  "scheduled yearly key rotation")
    clock.advance(timedelta(seconds=1))
    p.deployments.keys.rotate(CAMERA.id, public_key_text(new.camera_key.verify_key), who["head"],
                              "scheduled yearly key rotation")
    assert [k.state for k in p.deployments.keys.for_camera(CAMERA.id)] == ["retired", "active"]
    ingest = ReadIngest(p)
    ingest.handle([(topic_for(CAMERA.id), queued_early)])
    assert p.reads.count() == 1  # the old key still covers what it queued before the rotation
    assert send(p, old, "LATE01", clock, 2).stats.refused == {"retired_key": 1}  # but nothing after
    assert send(p, new, "NEW001", clock, 3).stats.stored == 1
    # the edge is stolen: revoke
    with pytest.raises(ApprovalRefused):
        p.deployments.keys.revoke(CAMERA.id, who["officer"], "the cabinet was broken open")
    assert p.deployments.keys.revoke(CAMERA.id, who["ethics"], "the cabinet was broken open") == 2
    assert send(p, new, "THIEF1", clock, 4).stats.refused == {"revoked_key": 1}
    ingest = ReadIngest(p)
    ingest.handle([(topic_for(CAMERA.id), queued_early)])  # not even what it signed before
    assert ingest.stats.stored == 0 and p.reads.count() == 2
    actions = [a["action"] for a in deployment_actions(p)]
    assert actions.count("key_rotate_refused") == 5 and "key_rotate" in actions
    assert actions.count("key_revoke_refused") == 1 and "key_revoke" in actions


def test_decommissioning_revokes_and_keyless_cameras_deliver_nothing(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    sealer = enrolled_edge(p, CAMERA, who)
    p.deployments.decommission(CAMERA.id, who["head"], "road rebuilt, camera removed")
    assert [k.state for k in p.deployments.keys.for_camera(CAMERA.id)] == ["revoked"]
    assert send(p, sealer, "GONE01", clock, 1).stats.refused == {"unapproved_camera": 1}
    other = type(CAMERA)("cam-7", "Quay", 52.0, 4.0, None, "quay")
    approve_camera(p, other, who)  # approved without a key: a photo-upload camera
    keyless = ReadSealer(SigningKey.generate(), sealer.central)
    ingest = ReadIngest(p)
    read = make_read("NOKEY1", clock.now() - timedelta(seconds=30), camera=other)
    ingest.handle([(topic_for(other.id), keyless.message(read, clock.now()))])
    assert ingest.stats.refused == {"no_key": 1} and p.reads.count() == 0


def test_a_proposal_carries_its_key_to_the_registry(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    from platewarden.domain.deployment import RoadSegment

    p.deployments.add_segment(RoadSegment("main-st", "Main St", 2.0, "centre"), who["head"])
    key = SigningKey.generate()
    with pytest.raises(DeploymentRefused):
        p.deployments.propose(who["head"], CAMERA, "traffic safety on the main street", "two serious crashes in "
                              "2026 near the school", edge_key="ed25519:AAAA")
    proposal = p.deployments.propose(who["head"], CAMERA, "traffic safety on the main street",
                                     "two serious crashes in 2026 near the school",
                                     edge_key=public_key_text(key.verify_key))
    assert proposal.edge_key == public_key_text(key.verify_key)
    assert p.deployments.keys.for_camera(CAMERA.id) == []  # not before the approval
    clock.advance(timedelta(days=p.policy.deployment.public_comment_days, seconds=1))
    p.deployments.decide(proposal.id, who["ethics"], True, "proportionate and justified")
    keys = p.deployments.keys.for_camera(CAMERA.id)
    assert [(k.state, k.registered_via) for k in keys] == [("active", f"proposal:{proposal.id}")]
