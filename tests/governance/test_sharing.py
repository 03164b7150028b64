"""Cross-border sharing between two real platewarden instances: agreements on both sides, a shared query approved
like a search, a signed package with a ledger proof, ledgered as sent and as received; tampering, unknown senders,
purposes outside the agreement and forbidden jurisdictions are refused and ledgered."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from platewarden.config import Settings
from platewarden.domain.approvals import ApprovalRefused
from platewarden.domain.clock import ManualClock
from platewarden.domain.sharing import SharingRefused
from platewarden.governance.scope import Query, Scope
from platewarden.governance.sharing import Sharing, _canonical, read_commitment
from platewarden.policy.model import SharingPolicy
from platewarden.runtime import Platform
from platewarden.store.schema import received_shares
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
        "sharing": SharingPolicy(forbidden_jurisdictions=["RU", "by"])}), p.clock, p.keyring)
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
        "sharing": SharingPolicy(forbidden_jurisdictions=["BY"])}), p.clock, p.keyring)
    with pytest.raises(SharingRefused, match="forbids"):
        strict.send(who["officer"], req.id, query)
    p.sharing.end(ag.id, who["head"], "treaty suspended")
    with pytest.raises(SharingRefused, match="not active"):
        p.sharing.send(who["officer"], req.id, query)


def _sharing_events(p: Platform, action: str) -> list[dict]:  # type: ignore[type-arg]
    return [e["body"] for _, e in p.ledger.parsed() if e["kind"] == "sharing" and e["body"]["action"] == action]


def test_jurisdictions_are_iso_codes_normalised_before_the_forbidden_list(platform: Platform, partner: Platform,
                                                                          clock: ManualClock) -> None:
    """The tester's finding: --jurisdiction Russia, RUS and Germany!! were accepted, so a forbidden RU was
    bypassed by spelling it out."""
    p, who = platform, people(platform)
    key = partner.ledger.public_key.encode()
    strict = Sharing(p.engine, p.searches, p.ledger, p.policy.model_copy(update={
        "sharing": SharingPolicy(forbidden_jurisdictions=["RU"])}), p.clock, p.keyring)
    until = clock.now() + timedelta(days=30)
    for spelt in ("RUS", "Russian Federation", "ru"):
        with pytest.raises(SharingRefused, match="forbids sharing with jurisdiction RU"):
            strict.propose(who["head"], "X", spelt, ["robbery"], 14, until, key)
    for nonsense in ("Russia", "Germany!!", "XX", "DE-ZZ", ""):
        with pytest.raises(SharingRefused, match="not an ISO 3166"):
            strict.propose(who["head"], "X", nonsense, ["robbery"], 14, until, key)
    assert p.sharing.all() == []
    assert len(_sharing_events(p, "refused")) == 8  # every refusal ledgered
    assert SharingPolicy(forbidden_jurisdictions=["rus", "by"]).forbidden_jurisdictions == ["RU", "BY"]
    with pytest.raises(ValueError, match="not an ISO 3166"):
        SharingPolicy(forbidden_jurisdictions=["Mordor"])


def _shared_package(us: Platform, them: Platform, clock: ManualClock) -> tuple[bytes, dict, dict]:  # type: ignore[type-arg]
    who_us, who_them = people(us), people(them)
    ours = agree(us, who_us, "Partner Police", "DE", them.ledger.public_key.encode(), clock)
    agree(them, who_them, "Example City Police", "NL", us.ledger.public_key.encode(), clock)
    us.reads.ingest([make_read("KX7204", clock.now(), n=1)])
    req, query = shared_request(us, who_us, ours.id, clock)
    return us.sharing.send(who_us["officer"], req.id, query), who_us, who_them


def test_a_changed_plate_signed_again_fails_against_the_senders_ledger(platform: Platform, partner: Platform,
                                                                      clock: ManualClock) -> None:
    """The tester's finding: the proof covered only the read ids, so a package whose plate was changed and then
    signed again with the sender's key was accepted."""
    us, them = platform, partner
    package, _, who_them = _shared_package(us, them, clock)

    def resigned(doc: dict) -> bytes:  # type: ignore[type-arg]
        signature = base64.b64encode(us.ledger.sign(_canonical(doc["package"]))).decode()
        return _canonical({"package": doc["package"], "signature": signature})

    changed = json.loads(package)
    changed["package"]["reads"][0]["text"] = "KX7205"
    with pytest.raises(SharingRefused, match="does not match its commitment"):
        them.sharing.receive(who_them["officer"], resigned(changed))
    recommitted = json.loads(package)  # a forger who also recomputes the commitment
    read = recommitted["package"]["reads"][0]
    read["text"], read["salt"] = "KX7205", "00" * 16
    read["commitment"] = read_commitment({k: v for k, v in read.items() if k not in ("salt", "commitment")},
                                         read["salt"])
    with pytest.raises(SharingRefused, match="not the ones the sender ledgered"):
        them.sharing.receive(who_them["officer"], resigned(recommitted))
    assert them.sharing.receive(who_them["officer"], package).reads[0]["text"] == "KX7204"
    assert len(_sharing_events(them, "refused")) == 2


def test_one_receipt_per_package_every_refusal_ledgered(platform: Platform, partner: Platform,
                                                       clock: ManualClock) -> None:
    """The tester's findings: `share receive` as an administrator printed "refused (and ledgered)" and wrote
    nothing; the same package received twice was accepted twice."""
    us, them = platform, partner
    package, _, who_them = _shared_package(us, them, clock)
    with pytest.raises(ApprovalRefused):
        them.sharing.receive(who_them["admin"], package)
    assert [b["reason"] for b in _sharing_events(them, "refused")] == [
        "shared reads are received by an officer, department head or prosecutor"]
    them.sharing.receive(who_them["officer"], package)
    with pytest.raises(SharingRefused, match="received already"):
        them.sharing.receive(who_them["head"], package)
    assert len(_sharing_events(them, "received")) == 1 and len(_sharing_events(them, "refused")) == 2


def test_the_partner_deletes_on_the_delete_by_date_and_ledgers_it(platform: Platform, partner: Platform,
                                                                 clock: ManualClock) -> None:
    """The tester's finding: nothing on the partner side enforced the delete-by date."""
    us, them = platform, partner
    package, _, who_them = _shared_package(us, them, clock)
    got = them.sharing.receive(who_them["officer"], package)
    with them.engine.connect() as conn:
        stored = conn.execute(select(received_shares.c.payload)).scalar_one()
    assert stored is not None and b"KX7204" not in stored  # sealed at rest
    clock.advance(timedelta(days=13))
    assert them.sharing.purge_received() == 0 and them.sharing.overdue_received() == []
    clock.set(got.delete_by + timedelta(seconds=1))
    assert len(them.sharing.overdue_received()) == 1  # retention verify reports it until it is deleted
    assert them.sharing.purge_received() == 1
    with them.engine.connect() as conn:
        row = conn.execute(select(received_shares)).one()
    assert row.payload is None and row.deleted_at == clock.now()
    assert [b["results"] for b in _sharing_events(them, "received_deleted")] == [1]
    assert them.sharing.overdue_received() == []


def test_an_ending_that_lands_during_the_final_approval_is_not_overwritten(platform: Platform, partner: Platform,
                                                                          clock: ManualClock) -> None:
    """The race issue 21 names: the prosecutor's approval read the agreement as pending, a head ended it in between;
    the approval loses (ledgered refusal, no step kept) and the agreement stays ended."""
    p = platform
    who = people(p)
    ag = p.sharing.propose(who["head"], "Partner Police", "DE", ["robbery"], 14, clock.now() + timedelta(days=90),
                           partner.ledger.public_key.encode())
    real_get = p.sharing.get
    calls = []

    def get_then_end(agreement_id: str):  # type: ignore[no-untyped-def]
        seen = real_get(agreement_id)
        if not calls:
            calls.append(agreement_id)
            p.sharing.end(agreement_id, who["head2"], "treaty suspended")  # lands between the read and the write
        return seen

    p.sharing.get = get_then_end  # type: ignore[method-assign]
    with pytest.raises(ApprovalRefused, match="came first"):
        p.sharing.decide(ag.id, who["prosecutor"], True, "treaty 2026/7 applies")
    p.sharing.get = real_get  # type: ignore[method-assign]
    after = p.sharing.get(ag.id)
    assert after.status.value == "ended" and after.steps == ()
    last = p.ledger.parsed()[-1][1]
    assert last["kind"] == "sharing" and last["body"]["action"] == "refused"
