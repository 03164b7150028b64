"""Cross-border sharing between two real platewarden instances: agreements on both sides, a shared query approved
like a search, a signed package with a ledger proof, ledgered as sent and as received; tampering, unknown senders,
purposes outside the agreement and forbidden jurisdictions are refused and ledgered."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from platewarden.config import Settings
from platewarden.domain.clock import ManualClock
from platewarden.domain.sharing import SharingRefused
from platewarden.governance.scope import Query, Scope
from platewarden.governance.sharing import Sharing
from platewarden.policy.model import SharingPolicy
from platewarden.runtime import Platform
from tests.factories import CAMERA, make_read, people


@pytest.fixture
def partner(tmp_path: Path, clock: ManualClock) -> Iterator[Platform]:
    p = Platform.open(Settings(data_dir=tmp_path / "partner", database_url=f"sqlite:///{tmp_path}/partner.db"),
                      clock=clock, notify=False)
    yield p
    p.close()


def agree(p: Platform, who: dict, name: str, jurisdiction: str, key: str, clock: ManualClock):  # type: ignore[no-untyped-def]
    ag = p.sharing.propose(who["head"], name, jurisdiction, ["robbery", "kidnapping"], 14,
                           clock.now() + timedelta(days=180), key)
    return p.sharing.decide(ag.id, who["prosecutor"], True, "treaty 2026/7 applies")


def shared_request(p: Platform, who: dict, agreement_id: str, clock: ManualClock, offence: str = "robbery"):  # type: ignore[no-untyped-def]
    t0 = clock.now()
    scope = Scope(("KX7204",), None, None, t0 - timedelta(days=1), t0 + timedelta(days=1), (CAMERA.id,), None,
                  "partner asks about a getaway car", "robbery in the partner's city, car seen crossing")
    req = p.sharing.apply(who["officer"], agreement_id, "XB-2026-9", offence, scope)
    p.searches.approve(req.id, who["head"])
    p.searches.approve(req.id, who["prosecutor"])
    return req, Query("KX7204", None, t0 - timedelta(days=1), t0 + timedelta(days=1), (CAMERA.id,), None)


def test_share_between_two_agencies(platform: Platform, partner: Platform, clock: ManualClock) -> None:
    us, them = platform, partner
    who_us, who_them = people(us), people(them)
    ours = agree(us, who_us, "Partner Police", "de", them.ledger.public_key.encode(), clock)
    agree(them, who_them, "Example City Police", "NL", us.ledger.public_key.encode(), clock)
    assert ours.jurisdiction == "DE" and ours.status.value == "active"
    us.reads.ingest([make_read("KX7204", clock.now(), n=1), make_read("ZZ1111", clock.now(), n=2)])

    with pytest.raises(SharingRefused, match="not among the agreement's purposes"):
        shared_request(us, who_us, ours.id, clock, offence="fraud")
    req, query = shared_request(us, who_us, ours.id, clock)
    assert us.searches.get(req.id).agreement_id == ours.id
    package = us.sharing.send(who_us["officer"], req.id, query)

    got = them.sharing.receive(who_them["officer"], package)
    assert [r["text"] for r in got.reads] == ["KX7204"] and got.case == "XB-2026-9"
    assert got.delete_by == clock.now() + timedelta(days=14)
    sent = [e["body"] for _, e in us.ledger.parsed() if e["kind"] == "sharing" and e["body"]["action"] == "sent"]
    received = [e["body"] for _, e in them.ledger.parsed() if e["kind"] == "sharing"
                and e["body"]["action"] == "received"]
    assert len(sent) == 1 and len(received) == 1 and sent[0]["results"] == received[0]["results"] == 1
    for p in (us, them):
        assert all(b"KX7204" not in e for e in p.ledger.entries())

    doc = json.loads(package)
    doc["package"]["reads"][0]["text"] = "KX7205"
    with pytest.raises(SharingRefused, match="signature"):
        them.sharing.receive(who_them["officer"], json.dumps(doc).encode())
    with pytest.raises(SharingRefused, match="malformed"):
        them.sharing.receive(who_them["officer"], b"{not json")
    with pytest.raises(SharingRefused, match="no active agreement"):
        us.sharing.receive(who_us["officer"], package)  # our own package: we have no agreement with ourselves
    refused = [e for _, e in them.ledger.parsed() if e["kind"] == "sharing" and e["body"]["action"] == "refused"]
    assert len(refused) == 2


def test_forbidden_jurisdiction_and_bad_agreements(platform: Platform, partner: Platform,
                                                   clock: ManualClock) -> None:
    p, who = platform, people(platform)
    key = partner.ledger.public_key.encode()
    strict = Sharing(p.engine, p.searches, p.ledger, p.policy.model_copy(update={
        "sharing": SharingPolicy(forbidden_jurisdictions=["RU", "by"])}), p.clock)
    with pytest.raises(SharingRefused, match="forbids sharing with jurisdiction RU-MOW"):
        strict.propose(who["head"], "X", "ru-mow", ["robbery"], 14, clock.now() + timedelta(days=30), key)
    with pytest.raises(SharingRefused, match="partner may keep"):
        p.sharing.propose(who["head"], "X", "DE", ["robbery"], 400, clock.now() + timedelta(days=30), key)
    with pytest.raises(SharingRefused, match="not offence categories"):
        p.sharing.propose(who["head"], "X", "DE", ["littering"], 14, clock.now() + timedelta(days=30), key)
    with pytest.raises(SharingRefused, match="partner key"):
        p.sharing.propose(who["head"], "X", "DE", ["robbery"], 14, clock.now() + timedelta(days=30), "nonsense")
    assert p.sharing.all() == []
    ag = agree(p, who, "Partner", "BY", key, clock)  # allowed under the default policy ...
    p.reads.ingest([make_read("KX7204", clock.now(), n=1)])
    req, query = shared_request(p, who, ag.id, clock)
    strict = Sharing(p.engine, p.searches, p.ledger, p.policy.model_copy(update={  # ... then the policy changes
        "sharing": SharingPolicy(forbidden_jurisdictions=["BY"])}), p.clock)
    with pytest.raises(SharingRefused, match="forbids"):
        strict.send(who["officer"], req.id, query)
    p.sharing.end(ag.id, who["head"], "treaty suspended")
    with pytest.raises(SharingRefused, match="not active"):
        p.sharing.send(who["officer"], req.id, query)
