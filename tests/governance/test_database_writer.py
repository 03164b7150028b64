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
from sqlalchemy import delete, insert, select, text, update

from platewarden.cli.main import cli
from platewarden.domain.approvals import ApprovalRefused
from platewarden.domain.clock import ManualClock
from platewarden.governance.accounts import AuthError
from platewarden.governance.reconcile import reconcile
from platewarden.governance.scope import Query, Scope
from platewarden.governance.search import SearchRefused, Status
from platewarden.policy.model import Role
from platewarden.runtime import Platform
from platewarden.store.schema import (
    alerts,
    approval_steps,
    ledger_checkpoints,
    ledger_entries,
    search_requests,
    sessions,
    users,
)
from tests.factories import CAMERA, activate, approve_camera, make_entry, make_read, people


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
    assert any("came first" in r for r in refusals(p, rid))


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
