"""Governance against whoever can write to the database but holds neither the master key nor the log key, written as
the attacks: forged approval rows, a revoked authorization restored from an old copy of its row, roles granted by
SQL, a session row for a token of one's own, a rewritten ledger entry, 500 generated forgeries for ``audit
reconcile``, two approvals racing, and a destroyed day's alerts that still say when a plate passed."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import timedelta

import pytest
from click.testing import CliRunner
from nacl.signing import SigningKey
from sqlalchemy import delete, insert, select, text, update

from platewarden.cli.main import cli
from platewarden.domain.approvals import ApprovalRefused
from platewarden.domain.clock import ManualClock
from platewarden.domain.errors import Refused
from platewarden.domain.redress import ComplaintDetails
from platewarden.domain.sharing import SharingRefused
from platewarden.edge.identity import public_key_text
from platewarden.edge.ingest import ReadIngest
from platewarden.edge.message import topic_for
from platewarden.edge.pipeline import ReadSealer
from platewarden.governance.accounts import AuthError
from platewarden.governance.deployment import UnapprovedCamera
from platewarden.governance.reconcile import reconcile
from platewarden.governance.scope import Query, Scope
from platewarden.governance.search import SearchRefused, Status
from platewarden.ledger.entries import Event, EventKind
from platewarden.policy.model import Role
from platewarden.runtime import Platform
from platewarden.store.schema import (
    alerts,
    approval_steps,
    camera_keys,
    cameras,
    held_reads,
    holds,
    hotlist_entries,
    ledger_checkpoints,
    ledger_entries,
    ledger_state,
    reads,
    search_requests,
    sessions,
    sharing_agreements,
    users,
    webhooks,
    zones,
)
from tests.factories import (
    CAMERA,
    PASSWORD,
    activate,
    approve_camera,
    enrolled_edge,
    make_entry,
    make_read,
    people,
)


def apply(p: Platform, who: dict, clock: ManualClock) -> tuple[str, Query]:  # type: ignore[type-arg]
    t0 = clock.now()
    approve_camera(p, CAMERA, who)
    p.reads.ingest([make_read("KX7204", t0 - timedelta(hours=1), n=1)])
    scope = Scope(("KX7204",), None, None, t0 - timedelta(days=1), t0, (CAMERA.id,), None, "trace the car",
                  "witness statement")
    req = p.searches.apply(who["officer"], "2026-CR-5", "robbery", scope)
    return req.id, Query("KX7204", None, t0 - timedelta(days=1), t0, (CAMERA.id,))


def refusals(p: Platform, request_id: str) -> list[str]:
    return [e["body"].get("reason", "") for _, e in p.ledger.parsed()
            if e["kind"] == "search_refused" and e["body"].get("request_id") == request_id]


def test_forged_approval_rows_open_nothing(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    rid, q = apply(p, who, clock)
    now = clock.now()
    with p.engine.begin() as conn:  # what the review did: two rows and a status
        for level, name in ((1, "head"), (2, "prosecutor")):
            conn.execute(insert(approval_steps).values(request_id=rid, level=level, role=Role(
                "department_head" if level == 1 else "prosecutor").value, decided_by=who[name].id,
                decision="approved", reason="", decided_at=now))
        conn.execute(update(search_requests).where(search_requests.c.id == rid).values(
            status="active", valid_until=now + timedelta(days=30)))
    with pytest.raises(SearchRefused, match="fails its seal"):
        p.searches.search(who["officer"], rid, q)
    assert refusals(p, rid)  # ledgered
    found = {(d.table, d.problem.split(" (")[0]) for d in reconcile(p)}
    assert ("search_requests", "seal does not match") in found and ("approval_steps", "no seal") in found


def test_a_revoked_authorization_restored_from_an_old_row_stays_revoked(platform: Platform,
                                                                         clock: ManualClock) -> None:
    p, who = platform, people(platform)
    rid, q = apply(p, who, clock)
    p.searches.approve(rid, who["head"])
    p.searches.approve(rid, who["prosecutor"])
    assert len(p.searches.search(who["officer"], rid, q).reads) == 1
    with p.engine.connect() as conn:
        genuine = dict(conn.execute(select(search_requests).where(search_requests.c.id == rid)).first()._mapping)
    p.searches.revoke(rid, who["head"], "the suspect was cleared")
    with p.engine.begin() as conn:  # the writer restores the row as it was, seal and all
        conn.execute(update(search_requests).where(search_requests.c.id == rid).values(**genuine))
    assert p.searches.get(rid).status is Status.ACTIVE  # the row itself is genuine ...
    with pytest.raises(SearchRefused, match="ledger records its revocation"):  # ... the ledger is not fooled
        p.searches.search(who["officer"], rid, q)
    assert any("revocation" in d.problem for d in reconcile(p))


def test_roles_granted_and_sessions_made_by_sql_are_ignored(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    token = p.accounts.issue_token(who["admin"], "t")
    with p.engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == who["admin"].id).values(roles="administrator,officer"))
    with pytest.raises(AuthError):
        p.accounts.authenticate_token(token)  # the account row no longer holds its seal: no account at all
    mine = "a-token-the-writer-chose"
    with p.engine.begin() as conn:
        conn.execute(insert(sessions).values(id_hash=hashlib.sha256(mine.encode()).digest(), user_id=who["head"].id,
                                             csrf="x", created_at=clock.now(), last_seen_at=clock.now(),
                                             expires_at=clock.now() + timedelta(hours=8), mfa_pending=False))
    with pytest.raises(PermissionError):
        p.accounts.sessions.resolve(mine)
    tables = {d.table for d in reconcile(p)}
    assert {"users", "sessions"} <= tables


def test_a_rewritten_ledger_entry_stops_every_search(platform: Platform, clock: ManualClock, tmp_path) -> None:  # type: ignore[no-untyped-def]
    p, who = platform, people(platform)
    rid, q = apply(p, who, clock)
    p.searches.approve(rid, who["head"])
    p.searches.approve(rid, who["prosecutor"])
    covered = p.ledger.size()
    with p.engine.connect() as conn:  # the governed act is covered by a signed checkpoint at once
        assert conn.execute(select(ledger_checkpoints.c.size).order_by(ledger_checkpoints.c.size.desc())
                            .limit(1)).scalar_one() == covered
    seq, entry = next((s, e) for s, e in p.ledger.parsed() if e["kind"] == "approval")
    entry["actor"] = "someone.else@City Police"
    data = json.dumps(entry, separators=(",", ":")).encode()
    with p.engine.begin() as conn:
        if p.engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE ledger_entries DISABLE TRIGGER USER"))
        else:
            for name in conn.scalars(text("SELECT name FROM sqlite_master WHERE type='trigger' "
                                          "AND tbl_name='ledger_entries'")):
                conn.execute(text(f"DROP TRIGGER {name}"))
        conn.execute(update(ledger_entries).where(ledger_entries.c.seq == seq).values(
            entry=data, leaf_hash=hashlib.sha256(b"\x00" + data).digest()))
    with pytest.raises(SearchRefused, match="ledger cannot be trusted"):
        p.searches.search(who["officer"], rid, q)
    assert any(d.table == "ledger_entries" for d in reconcile(p))


def test_reconcile_names_every_one_of_500_forgeries(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    rid, _ = apply(p, who, clock)
    now = clock.now()
    with p.engine.begin() as conn:
        for i in range(300):
            conn.execute(insert(approval_steps).values(request_id=f"forged-{i}", level=1, role="department_head",
                                                       decided_by=who["head"].id, decision="approved", reason="",
                                                       decided_at=now))
        for i in range(150):
            conn.execute(insert(search_requests).values(
                id=f"fake-{i}", case_number="2026-CR-X", offence="robbery", scope=b"x", requested_by=who["officer"].id,
                requested_at=now, exigent=False, status="active", valid_until=now + timedelta(days=1)))
        for i in range(50):
            conn.execute(insert(users).values(id=f"u-{i}", username=f"ghost{i}", full_name="G", organisation="X",
                                              roles="prosecutor", password_hash="x", active=True, created_at=now))
    found = reconcile(p)
    assert len(found) == 500 and {d.table for d in found} == {"approval_steps", "search_requests", "users"}
    assert all(p.searches.get(rid).id == rid for _ in range(1))  # the genuine request is untouched
    res = CliRunner().invoke(cli, ["audit", "reconcile"], env={
        "PLATEWARDEN_DATA_DIR": str(p.settings.data_dir),
        "PLATEWARDEN_DATABASE_URL": p.settings.effective_database_url})
    assert res.exit_code == 1 and "500 disagreement(s)" in res.output


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_approvals_racing_end_in_one_winner_and_a_ledgered_refusal(platform: Platform,
                                                                       clock: ManualClock) -> None:
    p, who = platform, people(platform)
    rid, _ = apply(p, who, clock)
    barrier = threading.Barrier(2)
    outcome: list[str] = []

    def decide(name: str) -> None:
        barrier.wait()
        try:
            p.searches.approve(rid, who[name])
            outcome.append("approved")
        except ApprovalRefused as exc:
            outcome.append(f"refused: {exc}")

    threads = [threading.Thread(target=decide, args=(n,)) for n in ("head", "head2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(o.split(":")[0] for o in outcome) == ["approved", "refused"]
    assert len(p.searches.get(rid).steps) == 1
    # the loser is refused and ledgered: "came first" when both passed the checks, otherwise the level is taken
    assert len(refusals(p, rid)) == 1


def test_a_revocation_is_never_overwritten_by_a_late_final_approval(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    rid, _ = apply(p, who, clock)
    p.searches.approve(rid, who["head"])
    stale = p.searches.get(rid)
    p.searches.revoke(rid, who["head2"], "the case was closed")
    real_get = p.searches.get
    p.searches.get = lambda _rid: stale  # type: ignore[method-assign]  # the prosecutor decided on a stale view
    try:
        with pytest.raises(ApprovalRefused, match="came first"):
            p.searches.approve(rid, who["prosecutor"])
    finally:
        p.searches.get = real_get  # type: ignore[method-assign]
    assert p.searches.get(rid).status is Status.REVOKED


def test_a_destroyed_days_alerts_keep_no_time_entry_or_distance(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    approve_camera(p, CAMERA, who)
    activate(p, make_entry("5SOW350", clock.now(), days=90), who)
    read = make_read("5SOW350", clock.now() + timedelta(hours=7, minutes=48, seconds=7))
    p.reads.ingest([read])
    assert p.alerts.check(read).alert is not None
    clock.advance(timedelta(days=p.policy.retention.ordinary_days + 2))
    p.retention.run()
    with p.engine.connect() as conn:
        row = conn.execute(select(alerts)).one()
    assert row.entry_id is None and row.distance == 0.0 and row.payload == b"" and row.read_id != read.id
    assert (row.created_at.hour, row.created_at.minute, row.created_at.second) == (0, 0, 0)
    assert p.retention.verify().problems == []
    with p.engine.begin() as conn:  # a row that kept its details is found
        conn.execute(update(alerts).values(distance=0.25))
    assert any("exact details" in x for x in p.retention.verify().problems)
    with p.engine.begin() as conn:
        conn.execute(delete(alerts))


def test_a_hotlist_entry_activated_or_extended_by_sql_raises_no_alert(platform: Platform, clock: ManualClock) -> None:
    """The writer flips a proposed entry to active (nobody approved it) and extends a genuine one past its expiry."""
    p, who = platform, people(platform)
    p.hotlist.CACHE_SECONDS = 0.0  # type: ignore[misc]  # the writer's change would be seen a few seconds later
    approve_camera(p, CAMERA, who)
    pending = p.hotlist.propose(make_entry("9ZZZ999", clock.now()), who["officer"])
    genuine = activate(p, make_entry("5SOW350", clock.now(), days=2), who)
    with p.engine.begin() as conn:
        conn.execute(update(hotlist_entries).where(hotlist_entries.c.id == pending.id)
                     .values(status="active", approved_by="head@City Police"))
    assert p.alerts.check(make_read("9ZZZ999", clock.now(), n=1)).alert is None
    assert p.alerts.check(make_read("5SOW350", clock.now(), n=2)).alert is not None  # genuine entries still alert
    clock.advance(timedelta(days=3))
    with p.engine.begin() as conn:
        conn.execute(update(hotlist_entries).where(hotlist_entries.c.id == genuine.id)
                     .values(expires_at=clock.now() + timedelta(days=365)))
    assert p.alerts.check(make_read("5SOW350", clock.now(), n=3)).alert is None
    assert {d.key for d in reconcile(p) if d.table == "hotlist_entries"} == {pending.id, genuine.id}


def test_a_camera_or_key_registered_by_sql_lets_nothing_in(platform: Platform, clock: ManualClock) -> None:
    """The writer adds an approved camera to the registry, adds their own key to a genuine camera, and un-revokes a
    revoked key: each is no camera, no key."""
    p, who = platform, people(platform)
    edge = enrolled_edge(p, CAMERA, who)
    with p.engine.begin() as conn:
        conn.execute(insert(cameras).values(id="rogue-1", name="Rogue", latitude=52.0, longitude=4.0,
                                            road_segment="centre", created_at=clock.now(), status="approved",
                                            approved_via="import:council resolution 2026-17"))
    with pytest.raises(UnapprovedCamera):
        p.deployments.admit("rogue-1")
    thief = ReadSealer(SigningKey.generate(), edge.central)
    with p.engine.begin() as conn:
        conn.execute(update(camera_keys).where(camera_keys.c.camera_id == CAMERA.id).values(retired_at=clock.now()))
        conn.execute(insert(camera_keys).values(camera_id=CAMERA.id, public_key=public_key_text(
            thief.camera_key.verify_key), fingerprint="0" * 16, registered_at=clock.now(), registered_via="rotation"))
    p.deployments.keys.forget(CAMERA.id)
    ingest = ReadIngest(p)
    ingest.handle([(topic_for(CAMERA.id), thief.message(make_read("THIEF1", clock.now() - timedelta(seconds=30),
                                                                  n=1), clock.now()))])
    assert ingest.stats.stored == 0 and p.reads.count() == 0
    found = {d.table for d in reconcile(p)}
    assert {"cameras", "camera_keys"} <= found
    # a genuine revocation undone by SQL stays a revocation
    p2_edge = ReadSealer(SigningKey.generate(), edge.central)
    p.deployments.keys.rotate(CAMERA.id, public_key_text(p2_edge.camera_key.verify_key), who["head"],
                              "after the forged key was found")
    p.deployments.keys.revoke(CAMERA.id, who["head"], "the cabinet was broken open")
    with p.engine.begin() as conn:
        conn.execute(update(camera_keys).values(revoked_at=None, retired_at=None))
    p.deployments.keys.forget(CAMERA.id)
    ingest = ReadIngest(p)
    ingest.handle([(topic_for(CAMERA.id), p2_edge.message(make_read("AGAIN1", clock.now() - timedelta(seconds=30),
                                                                    n=2), clock.now()))])
    assert ingest.stats.stored == 0 and p.reads.count() == 0


def test_a_hold_or_link_added_by_sql_keeps_nothing_past_retention(platform: Platform, clock: ManualClock) -> None:
    """The writer keeps reads past the limit: a hold of their own, and a link from a genuine hold to another read."""
    p, who = platform, people(platform)
    approve_camera(p, CAMERA, who)
    t0 = clock.now()
    kept, smuggled, forged = (make_read(t, t0, n=i) for i, t in enumerate(("KEEP01", "SMUG01", "FORG01")))
    p.reads.ingest([kept, smuggled, forged])
    hold_id = p.retention.hold(who["officer"], who["head"], "2026-CR-9", [kept.id], "evidence for trial")
    with p.engine.begin() as conn:
        conn.execute(insert(held_reads).values(hold_id=hold_id, read_id=smuggled.id))
        conn.execute(insert(holds).values(id="forged-hold", case_number="2026-CR-66", reason="x",
                                          requested_by=who["officer"].id, approved_by=who["head"].id,
                                          created_at=t0, review_by=(t0 + timedelta(days=365)).date()))
        conn.execute(insert(held_reads).values(hold_id="forged-hold", read_id=forged.id))
    assert [h["id"] for h in p.retention.holds()] == [hold_id]
    clock.advance(timedelta(days=p.policy.retention.ordinary_days + 2))
    [receipt] = p.retention.run()
    assert receipt.kept_for_cases == 1
    assert [r.id for r in p.reads.held_for_case("2026-CR-9")] == [kept.id]
    assert p.reads.held_for_case("2026-CR-66") == []
    assert {d.table for d in reconcile(p)} == {"holds", "held_reads"}


def test_a_zone_widened_or_an_agreement_activated_by_sql_counts_for_nothing(platform: Platform,
                                                                           clock: ManualClock) -> None:
    """The writer stretches an approved zone over the whole city and past its expiry, and turns a proposed
    sharing agreement active without its approvals."""
    from tests.governance.test_zones import approved_zone

    p, who = platform, people(platform)
    zone = approved_zone(p, who, clock)
    with p.engine.begin() as conn:
        conn.execute(update(zones).where(zones.c.id == zone.id).values(
            polygon=json.dumps([[50.0, 3.0], [50.0, 7.0], [54.0, 7.0], [54.0, 3.0]]),
            expires_at=clock.now() + timedelta(days=3650)))
    p.zones._invalidate()
    assert zone.id not in {z.id for z in p.zones.all()}
    assert p.zones._watching() == []
    pending = p.sharing.propose(who["head"], "Partner police", "DE", ["robbery"], 14,
                                clock.now() + timedelta(days=180), p.ledger.public_key.encode())
    with p.engine.begin() as conn:
        conn.execute(update(sharing_agreements).where(sharing_agreements.c.id == pending.id).values(status="active"))
    assert pending.id not in {a.id for a in p.sharing.all()}
    t0 = clock.now()
    scope = Scope(("KX7204",), None, None, t0 - timedelta(days=1), t0, (CAMERA.id,), None,
                  "partner asks about a getaway car", "robbery in the partner's city, car seen crossing")
    with pytest.raises(SharingRefused, match="no sharing agreement"):
        p.sharing.apply(who["officer"], pending.id, "XB-2026-9", "robbery", scope)
    assert {d.table for d in reconcile(p)} == {"zones", "sharing_agreements"}


def test_old_sealed_copies_of_an_outlet_an_agreement_and_a_hold_put_back_are_named(platform: Platform,
                                                                                    clock: ManualClock) -> None:
    """The writer keeps copies of genuine rows (seals and all) and puts them back after the state moved on: a removed
    outlet active again, an ended agreement active again, a released hold placed again. Every seal holds; the
    ledger's last word on each object does not match, and reconcile names all three (and nothing else)."""
    p, who = platform, people(platform)
    approve_camera(p, CAMERA, who)
    outlet = p.outlets.propose(who["admin"], "https://dispatch.example.org/hook", "the dispatch room's screen")
    p.outlets.decide(who["head"], outlet.id, True, "dispatch needs it")
    agreement = p.sharing.propose(who["head"], "Partner police", "DE", ["robbery"], 14,
                                  clock.now() + timedelta(days=180), p.ledger.public_key.encode())
    p.sharing.decide(agreement.id, who["prosecutor"], True, "lawful basis")
    read = make_read("KEEP01", clock.now(), n=1)
    p.reads.ingest([read])
    hold_id = p.retention.hold(who["officer"], who["head"], "2026-CR-9", [read.id], "evidence for trial")
    assert reconcile(p) == []  # the genuine history agrees with itself
    with p.engine.connect() as conn:
        copies = {table: dict(conn.execute(select(table).where(table.c.id == key)).one()._mapping)
                  for table, key in ((webhooks, outlet.id), (sharing_agreements, agreement.id), (holds, hold_id))}
    p.outlets.remove(who["head"], outlet.id, "replaced by the new dispatch system")
    p.sharing.end(agreement.id, who["head"], "the partner left the treaty")
    p.retention.release(who["head"], hold_id, "the trial is over")
    with p.engine.begin() as conn:  # the old copies go back, seals and all
        for table, row in copies.items():
            conn.execute(update(table).where(table.c.id == row["id"]).values(**row))
    assert p.outlets.get(outlet.id).status == "active"  # each row is genuine: its seal holds ...
    found = {(d.table, d.key): d.problem for d in reconcile(p)}  # ... the ledger's last word is not what it says
    assert set(found) == {("webhooks", str(outlet.id)), ("sharing_agreements", agreement.id), ("holds", hold_id)}
    assert "the row says active, the ledger's last word is removed" in found[("webhooks", str(outlet.id))]
    assert "the ledger's last word is ended" in found[("sharing_agreements", agreement.id)]
    assert "the row says placed, the ledger's last word is released" in found[("holds", hold_id)]


def test_old_sealed_copies_of_an_entry_a_zone_a_camera_its_key_and_an_account_put_back_are_named(
        platform: Platform, clock: ManualClock) -> None:
    """The same attack on the rest of what grants access: a hotlist entry active again after redress suppressed it, a
    zone active again after its revocation, a decommissioned camera and its revoked key approved again, and an
    officer's prosecutor role back after an administrator removed it. Every seal holds; reconcile names all five."""
    from tests.governance.test_zones import approved_zone

    p, who = platform, people(platform)
    enrolled_edge(p, CAMERA, who)
    entry = activate(p, make_entry("5SOW350", clock.now()), who)
    zone = approved_zone(p, who, clock)
    p.accounts.set_roles(who["admin"], who["officer2"].id, {Role.OFFICER, Role.AUDITOR})
    p.accounts.approve_grant(who["head"], who["officer2"].id)
    assert reconcile(p) == []  # the genuine history agrees with itself
    fp = p.deployments.keys.for_camera(CAMERA.id)[-1].fingerprint
    with p.engine.connect() as conn:
        copies = [(table, col, dict(conn.execute(select(table).where(col == key)).one()._mapping))
                  for table, col, key in ((hotlist_entries, hotlist_entries.c.id, entry.id),
                                          (zones, zones.c.id, zone.id), (cameras, cameras.c.id, CAMERA.id),
                                          (camera_keys, camera_keys.c.camera_id, CAMERA.id),
                                          (users, users.c.id, who["officer2"].id))]
    read = make_read("5SOW350", clock.now(), n=1)
    p.reads.ingest([read])
    alert = p.alerts.check(read).alert
    assert alert is not None
    cid = p.redress.file(ComplaintDetails("5SOW750", clock.now().date().isoformat(), "Main St",
                                          "stopped, my plate ends in 750", "me@example.org"))
    p.redress.start_review(who["officer"], cid)
    p.redress.decide(who["head"], cid, True, "the crop shows another car", [alert.id], suppress_entry=True)
    p.zones.revoke(zone.id, who["head"], "the burglary series is solved")
    p.deployments.decommission(CAMERA.id, who["head"], "road rebuilt, camera removed")
    p.accounts.set_roles(who["admin"], who["officer2"].id, {Role.OFFICER})
    assert reconcile(p) == []
    with p.engine.begin() as conn:  # the old copies go back, seals and all
        for table, col, row in copies:
            conn.execute(update(table).where(col == row[col.name]).values(**row))
    found = {(d.table, d.key): d.problem for d in reconcile(p)}
    assert set(found) == {("hotlist_entries", entry.id), ("zones", zone.id), ("cameras", CAMERA.id),
                          ("camera_keys", f"{CAMERA.id} {fp}"), ("users", who["officer2"].id)}
    assert "the row says active, the ledger's last word is suppressed" in found[("hotlist_entries", entry.id)]
    assert "the ledger's last word is revoked" in found[("zones", zone.id)]
    assert "the row says approved, the ledger's last word is decommissioned" in found[("cameras", CAMERA.id)]
    assert "the ledger's last word is revoked" in found[("camera_keys", f"{CAMERA.id} {fp}")]
    assert "roles auditor,officer" in found[("users", who["officer2"].id)]


def test_old_sealed_copies_put_back_grant_nothing_at_use(platform: Platform, clock: ManualClock) -> None:
    """Named by reconcile is not enough: the old copies, put back seals and all, are refused the moment they would
    grant something. The removed outlet gets no alert, the ended agreement takes no partner query, the released
    hold keeps no read past its day (nor names anyone for the case's evidence)."""
    p, who = platform, people(platform)
    approve_camera(p, CAMERA, who)
    outlet = p.outlets.propose(who["admin"], "https://dispatch.example.org/hook", "the dispatch room's screen")
    p.outlets.decide(who["head"], outlet.id, True, "dispatch needs it")
    agreement = p.sharing.propose(who["head"], "Partner police", "DE", ["robbery"], 14,
                                  clock.now() + timedelta(days=180), p.ledger.public_key.encode())
    p.sharing.decide(agreement.id, who["prosecutor"], True, "lawful basis")
    read = make_read("KEEP01", clock.now(), n=1)
    p.reads.ingest([read])
    hold_id = p.retention.hold(who["officer"], who["head"], "2026-CR-9", [read.id], "evidence for trial")
    assert "https://dispatch.example.org/hook" in p.webhooks.enabled()  # in use while genuine
    with p.engine.connect() as conn:
        copies = {table: dict(conn.execute(select(table).where(table.c.id == key)).one()._mapping)
                  for table, key in ((webhooks, outlet.id), (sharing_agreements, agreement.id), (holds, hold_id))}
    p.outlets.remove(who["head"], outlet.id, "replaced by the new dispatch system")
    p.sharing.end(agreement.id, who["head"], "the partner left the treaty")
    p.retention.release(who["head"], hold_id, "the trial is over")
    with p.engine.begin() as conn:
        for table, row in copies.items():
            conn.execute(update(table).where(table.c.id == row["id"]).values(**row))
    assert p.sharing.get(agreement.id).status.value == "active"  # the rows read as genuine ...
    assert p.webhooks.enabled() == []  # ... and grant nothing
    t0 = clock.now()
    scope = Scope(("KX7204",), None, None, t0 - timedelta(days=1), t0, (CAMERA.id,), None,
                  "partner asks about a getaway car", "robbery in the partner's city, car seen crossing")
    with pytest.raises(SharingRefused, match="signed ledger"):
        p.sharing.apply(who["officer"], agreement.id, "XB-2026-9", "robbery", scope)
    clock.advance(timedelta(days=p.policy.retention.ordinary_days + 2))
    receipts = p.retention.run()
    assert receipts and sum(r.kept_for_cases for r in receipts) == 0  # the put-back hold kept nothing
    with p.engine.connect() as conn:
        assert read.id not in set(conn.scalars(select(reads.c.id)))
    with pytest.raises(Refused, match="holds name"):
        p.evidence.export(who["officer"], "2026-CR-9", p.settings.data_dir / "evidence.zip")


def test_old_sealed_copies_of_an_entry_a_zone_a_camera_its_key_and_an_account_grant_nothing_at_use(
        platform: Platform, clock: ManualClock) -> None:
    """The entry redress suppressed raises no alert again, the revoked zone watches nothing, the decommissioned
    camera delivers nothing and its revoked key verifies nothing, and the account whose roles were cut cannot act
    with the roles it had."""
    from tests.governance.test_zones import approved_zone

    p, who = platform, people(platform)
    enrolled_edge(p, CAMERA, who)
    entry = activate(p, make_entry("5SOW350", clock.now()), who)
    zone = approved_zone(p, who, clock)
    p.accounts.set_roles(who["admin"], who["officer2"].id, {Role.OFFICER, Role.AUDITOR})
    p.accounts.approve_grant(who["head"], who["officer2"].id)
    with p.engine.connect() as conn:
        copies = [(table, col, dict(conn.execute(select(table).where(col == key)).one()._mapping))
                  for table, col, key in ((hotlist_entries, hotlist_entries.c.id, entry.id),
                                          (zones, zones.c.id, zone.id), (cameras, cameras.c.id, CAMERA.id),
                                          (camera_keys, camera_keys.c.camera_id, CAMERA.id),
                                          (users, users.c.id, who["officer2"].id))]
    read = make_read("5SOW350", clock.now(), n=1)
    p.reads.ingest([read])
    alert = p.alerts.check(read).alert
    assert alert is not None
    cid = p.redress.file(ComplaintDetails("5SOW750", clock.now().date().isoformat(), "Main St",
                                          "stopped, my plate ends in 750", "me@example.org"))
    p.redress.start_review(who["officer"], cid)
    p.redress.decide(who["head"], cid, True, "the crop shows another car", [alert.id], suppress_entry=True)
    p.zones.revoke(zone.id, who["head"], "the burglary series is solved")
    p.deployments.decommission(CAMERA.id, who["head"], "road rebuilt, camera removed")
    p.accounts.set_roles(who["admin"], who["officer2"].id, {Role.OFFICER})
    with p.engine.begin() as conn:
        for table, col, row in copies:
            conn.execute(update(table).where(col == row[col.name]).values(**row))
    p.hotlist._cache = None
    p.zones._invalidate()
    p.deployments._invalidate()
    p.deployments.keys.forget(CAMERA.id)
    again = make_read("5SOW350", clock.now() + timedelta(minutes=5), n=1)
    assert p.alerts.check(again).alert is None  # the suppressed entry stays suppressed
    assert p.zones._watching() == []
    with pytest.raises(UnapprovedCamera):
        p.deployments.admit(CAMERA.id)
    assert [k for k in p.deployments.keys.for_camera(CAMERA.id) if k.revoked_at is None] == []
    with pytest.raises(AuthError, match="signed ledger"):
        p.accounts.get_active(who["officer2"].id)
    with pytest.raises(AuthError):
        p.accounts.sign_in("officer2", PASSWORD)
    assert [e["body"].get("failed") for _, e in p.ledger.parsed()
            if e["kind"] == "account_change" and e["body"].get("action") == "sign_in_failed"][-1:] == [
        "the account's row is not what the signed ledger records"]


def test_a_ledger_cut_back_behind_the_processs_back_grants_nothing(platform: Platform, clock: ManualClock) -> None:
    """The writer drops the append-only triggers and cuts the ledger back to before the entry's activation (its
    row still sealed and active). The process that saw the longer ledger refuses every governed row until the
    ledger is repaired: no alert from the entry, fail closed."""
    p, who = platform, people(platform)
    approve_camera(p, CAMERA, who)
    entry = activate(p, make_entry("5SOW350", clock.now()), who)
    first = make_read("5SOW350", clock.now(), n=1)
    p.reads.ingest([first])
    assert p.alerts.check(first).alert is not None  # the process has followed the ledger this far
    with p.engine.begin() as conn:
        cut = min(e[0] for e in conn.execute(select(ledger_entries.c.seq, ledger_entries.c.entry))
                  if json.loads(e[1]).get("body", {}).get("entry_id") == entry.id)
        drop_append_only_triggers(p, conn)
        conn.execute(delete(ledger_checkpoints).where(ledger_checkpoints.c.size > cut))
        conn.execute(delete(ledger_entries).where(ledger_entries.c.seq >= cut))
    p.hotlist._cache = None
    again = make_read("5SOW350", clock.now() + timedelta(minutes=5), n=1)
    assert p.alerts.check(again).alert is None


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_zone_approvals_racing_end_in_one_winner_and_a_ledgered_refusal(platform: Platform,
                                                                            clock: ManualClock) -> None:
    """Two department heads approve the same zone's first level at the same moment: one step, one refusal in the
    ledger, never an IntegrityError."""
    from tests.governance.test_zones import SQUARE, WHY

    p, who = platform, people(platform)
    zone = p.zones.designate(who["officer"], "Market square", SQUARE, WHY, 3, 24, clock.now() + timedelta(days=30))
    barrier = threading.Barrier(2)
    outcome: list[str] = []

    def decide(name: str) -> None:
        barrier.wait()
        try:
            p.zones.decide(zone.id, who[name], True, "justified by the burglary figures")
            outcome.append("approved")
        except ApprovalRefused as exc:
            outcome.append(f"refused: {exc}")

    threads = [threading.Thread(target=decide, args=(n,)) for n in ("head", "head2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(o.split(":")[0] for o in outcome) == ["approved", "refused"]
    assert len(p.zones.get(zone.id).steps) == 1
    assert [e["body"]["zone_id"] for _, e in p.ledger.parsed()
            if e["kind"] == "zone_watch" and e["body"].get("action") == "decision_refused"] == [zone.id]


def drop_append_only_triggers(p: Platform, conn) -> None:  # type: ignore[no-untyped-def]
    if p.engine.dialect.name == "postgresql":
        for table in ("ledger_entries", "ledger_checkpoints"):
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    else:
        for name in conn.scalars(text("SELECT name FROM sqlite_master WHERE type='trigger' "
                                      "AND tbl_name IN ('ledger_entries', 'ledger_checkpoints')")):
            conn.execute(text(f"DROP TRIGGER {name}"))


def test_a_ledger_cut_back_to_an_older_checkpoint_stops_every_search(platform: Platform, clock: ManualClock) -> None:
    """The writer undoes a revocation: the request row restored from an old copy, and the ledger cut back to the
    signed checkpoint before the revocation, with its rows — everything left is genuinely signed."""
    p, who = platform, people(platform)
    rid, q = apply(p, who, clock)
    p.searches.approve(rid, who["head"])
    p.searches.approve(rid, who["prosecutor"])
    assert len(p.searches.search(who["officer"], rid, q).reads) == 1
    before = p.ledger.size()
    with p.engine.connect() as conn:
        genuine = dict(conn.execute(select(search_requests).where(search_requests.c.id == rid)).first()._mapping)
        state = dict(conn.execute(select(ledger_state)).first()._mapping)
    p.searches.revoke(rid, who["head"], "the suspect was cleared")
    assert p.ledger.size() > before
    with p.engine.begin() as conn:
        drop_append_only_triggers(p, conn)
        conn.execute(delete(ledger_entries).where(ledger_entries.c.seq >= before))
        conn.execute(delete(ledger_checkpoints).where(ledger_checkpoints.c.size > before))
        conn.execute(update(ledger_state).values(**state))
        conn.execute(update(search_requests).where(search_requests.c.id == rid).values(**genuine))
    with pytest.raises(SearchRefused, match="cut back"):
        p.searches.search(who["officer"], rid, q)
    assert any("cut back" in d.problem for d in reconcile(p))


def test_a_checkpoint_signed_in_a_rolled_back_transaction_raises_no_alarm(platform: Platform,
                                                                        clock: ManualClock) -> None:
    """The mark rises only when the transaction that signed commits: a failed act leaves no false truncation."""
    p, who = platform, people(platform)
    rid, q = apply(p, who, clock)
    mark = p.ledger.mark()
    assert mark is not None and mark.size == p.ledger.size()
    with pytest.raises(RuntimeError, match="on purpose"), p.engine.begin() as conn:
        p.ledger.append([Event(EventKind.POLICY_CHANGE, clock.now(), "x", {"action": "noop"})], conn=conn)
        raise RuntimeError("on purpose")
    assert p.ledger.mark() == mark
    p.searches.approve(rid, who["head"])
    p.searches.approve(rid, who["prosecutor"])
    assert len(p.searches.search(who["officer"], rid, q).reads) == 1


def test_a_commit_that_never_happens_leaves_the_mark_where_it_was(platform: Platform, clock: ManualClock,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The crash test's finding: the mark rose when SQLAlchemy announced the commit, before the database made it;
    a process killed in between left a mark ahead of the database, and every later start refused to sign ("cut
    back"). Now a commit that does not happen raises no mark, and the next act signs and raises it."""
    p = platform
    people(p)
    mark = p.ledger.mark()
    assert mark is not None
    real = p.engine.dialect.do_commit

    def dies_before_committing(dbapi_connection: object) -> None:
        raise OSError("the process is killed between the commit event and the commit")

    monkeypatch.setattr(p.engine.dialect, "do_commit", dies_before_committing)
    with pytest.raises(Exception, match="killed"):
        p.ledger.append([Event(EventKind.POLICY_CHANGE, clock.now(), "x", {"action": "noop"})])
    monkeypatch.setattr(p.engine.dialect, "do_commit", real)
    assert p.ledger.mark() == mark  # not ahead of what the database holds
    p.ledger.append([Event(EventKind.POLICY_CHANGE, clock.now(), "x", {"action": "noop"})])
    after = p.ledger.mark()
    assert after is not None and after.size == p.ledger.size() > mark.size
