"""Retention over 31+ days with an injected clock: destroyed days leave no rows, no keys and no ciphertext in the
database file; held reads survive, readable only within their case; every destruction has a ledger receipt."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from platewarden.domain.clock import ManualClock
from platewarden.governance.retention import HoldRefused
from platewarden.governance.scope import Query, Scope
from platewarden.ledger.verify import verify_export
from platewarden.runtime import Platform
from platewarden.store.partitions import HELD_PURGE_DAY
from platewarden.store.schema import case_keys, day_keys, reads
from tests.factories import CAMERA, activate, make_entry, make_read, people


def authorize(p: Platform, who: dict, case: str, plate: str, start, end):  # type: ignore[no-untyped-def]
    scope = Scope((plate,), None, None, start, end, (CAMERA.id,), None, "trace", "suspect vehicle")
    req = p.searches.apply(who["officer"], case, "robbery", scope)
    p.searches.approve(req.id, who["head"])
    p.searches.approve(req.id, who["prosecutor"])
    return req.id


def test_thirty_five_days(platform: Platform, clock: ManualClock, tmp_path: Path) -> None:
    p, who = platform, people(platform)
    start = clock.now()
    day_reads = [make_read(f"RT{d:02d}AA", start + timedelta(days=d, hours=1), n=d) for d in range(35)]
    held = make_read("HELD01", start + timedelta(hours=5), n=100)
    p.reads.ingest([*day_reads, held])
    activate(p, make_entry("RT02AA", clock.now()), who)
    clock.set(start + timedelta(days=2, hours=1))
    alert = p.alerts.check(day_reads[2]).alert
    assert alert is not None
    with p.engine.connect() as conn:
        old_ciphertext = bytes(conn.execute(select(reads.c.payload).where(reads.c.id == day_reads[1].id)).scalar_one())
    with pytest.raises(HoldRefused):
        p.retention.hold(who["officer"], who["officer"], "2026-CR-9", [held.id], "evidence")  # self-approval
    with pytest.raises(HoldRefused):
        p.retention.hold(who["officer"], who["operator"], "2026-CR-9", [held.id], "evidence")  # wrong role
    p.retention.hold(who["officer"], who["head"], "2026-CR-9", [held.id], "evidence for trial")

    clock.set(start + timedelta(days=35, hours=12))
    receipts = p.retention.run()
    assert [r.day for r in receipts] == [(start + timedelta(days=d)).date() for d in range(5)]
    assert receipts[0].destroyed == 1 and receipts[0].kept_for_cases == 1  # day 0: the held read was kept
    assert all(len(r.root) == 32 and r.data_key_fingerprint != r.index_key_fingerprint for r in receipts)
    assert p.retention.run() == []  # idempotent
    rep = p.retention.verify()
    assert rep.ok, rep.problems
    assert rep.destroyed_days == 5

    # Nothing of a destroyed day is left: no row, no key, and not even its ciphertext in the database file.
    with p.engine.connect() as conn:
        days_left = {r[0] for r in conn.execute(select(day_keys.c.day))}
        assert min(days_left) == (start + timedelta(days=5)).date()
        ids = set(conn.scalars(select(reads.c.id)))
    assert day_reads[1].id not in ids and held.id in ids
    if p.engine.dialect.name == "sqlite":
        p.engine.dispose()
        raw = b"".join(f.read_bytes() for f in (tmp_path / "platewarden.db").parent.glob("platewarden.db*"))
        assert old_ciphertext[:48] not in raw
        assert b"RT01AA" not in raw and b"HELD01" not in raw
    # The alert of a destroyed day keeps its statistics, not its personal data.
    detail = p.alert_store.get(alert.id)
    assert detail.alert.raw_text == "[destroyed]" and detail.plate_crop_jpeg == b""

    # The held read: gone from ordinary access, found only inside its own case.
    assert p.reads.get(held.id) is None
    window = (start, start + timedelta(days=1))
    rid = authorize(p, who, "2026-CR-9", "HELD01", *window)
    found = p.searches.search(who["officer"], rid, Query("HELD01", None, *window, (CAMERA.id,)))
    assert [r.id for r in found.reads] == [held.id]
    other = authorize(p, who, "2026-CR-10", "HELD01", *window)
    assert p.searches.search(who["officer"], other, Query("HELD01", None, *window, (CAMERA.id,))).reads == []

    # The receipts are in the ledger, and the ledger verifies offline.
    p.ledger.export(tmp_path / "exp")
    assert verify_export(tmp_path / "exp").ok
    kinds = [b'"kind":"destruction"' in e for e in p.ledger.entries()]
    assert sum(kinds) == 5


    # The trial is over: releasing the hold destroys the read it kept past its day, and the case's key with it.
    [hold] = p.retention.holds()
    with p.engine.begin() as conn:  # a read kept by no hold at all (its hold row deleted by hand) is a violation
        conn.execute(update(reads).where(reads.c.id == day_reads[30].id).values(purge_day=HELD_PURGE_DAY))
    assert any("no live hold keeps" in x for x in p.retention.verify().problems)
    p.retention.release(who["prosecutor"], str(hold["id"]), "verdict final, appeal period over")
    with p.engine.connect() as conn:
        ids = set(conn.scalars(select(reads.c.id)))
        assert held.id not in ids and day_reads[30].id not in ids and day_reads[31].id in ids
        assert conn.execute(select(case_keys)).first() is None
    body = [e["body"] for _, e in p.ledger.parsed() if e["kind"] == "hold"][-1]
    assert body["action"] == "release" and body["held_reads_destroyed"] == 2 and body["case_keys_destroyed"] == 1
    assert p.retention.verify().ok
    assert p.searches.search(who["officer"], rid, Query("HELD01", None, *window, (CAMERA.id,))).reads == []


def test_verify_catches_violations(platform: Platform, clock: ManualClock) -> None:
    p = platform
    start = clock.now()
    p.reads.ingest([make_read(f"VV{d:02d}AA", start + timedelta(days=d), n=d) for d in range(3)])
    clock.set(start + timedelta(days=32))
    rep = p.retention.verify()  # days 0 and 1 are past the limit but still there
    assert not rep.ok and sum("key still exists" in x for x in rep.problems) == 2
    assert any("ordinary reads still stored" in x for x in rep.problems)
    # Someone deletes day 2's data behind the system's back, without a receipt:
    with p.engine.begin() as conn:
        conn.execute(delete(reads).where(reads.c.day == (start + timedelta(days=2)).date()))
        conn.execute(delete(day_keys).where(day_keys.c.day == (start + timedelta(days=2)).date()))
    p.keyring._cache.clear()
    p.retention.run()
    clock.set(start + timedelta(days=40))
    rep = p.retention.verify()
    assert [x for x in rep.problems if "no destruction receipt" in x] == \
        [f"{(start + timedelta(days=2)).date()}: reads were stored that day, but it has no destruction receipt"]


def test_hold_cli(clock: ManualClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from platewarden.cli.main import cli
    from platewarden.config import Settings

    p = Platform.open(Settings(data_dir=tmp_path / "data"), clock=clock, notify=False)
    who = people(p)
    read = make_read("HLD999", clock.now())
    p.reads.ingest([read])
    officer, head = p.accounts.issue_token(who["officer"], "t"), p.accounts.issue_token(who["head"], "t")
    p.close()
    base = ["--data-dir", str(tmp_path / "data")]
    run = CliRunner()
    monkeypatch.setenv("PLATEWARDEN_TOKEN", officer)  # the requester is who signs in, never a name typed in
    asked = run.invoke(cli, [*base, "hold", "request", "--case", "2026-CR-8", "--read", read.id, "--reason", "trial"])
    assert asked.exit_code == 0, asked.output
    hid = asked.output.split()[1]
    assert "awaiting approval" in run.invoke(cli, [*base, "hold", "list"]).output
    own = run.invoke(cli, [*base, "hold", "approve", hid])
    assert own.exit_code != 0 and "department head or a prosecutor" in own.output
    monkeypatch.setenv("PLATEWARDEN_TOKEN", head)
    assert run.invoke(cli, [*base, "hold", "approve", hid]).exit_code == 0
    assert run.invoke(cli, [*base, "hold", "approve", hid]).exit_code != 0  # once
    monkeypatch.setenv("PLATEWARDEN_TOKEN", officer)
    listed = run.invoke(cli, [*base, "hold", "list"])
    assert listed.exit_code == 0 and "2026-CR-8" in listed.output and "active" in listed.output
    refused = run.invoke(cli, [*base, "hold", "release", hid, "--reason", "done"])
    assert refused.exit_code != 0 and "department head or a prosecutor" in refused.output
    monkeypatch.setenv("PLATEWARDEN_TOKEN", head)
    assert run.invoke(cli, [*base, "hold", "release", hid, "--reason", "case closed"]).exit_code == 0
    assert "released" in run.invoke(cli, [*base, "hold", "list"]).output


def test_a_hold_keeps_nothing_until_a_second_person_approves_it(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    read = make_read("PEND01", clock.now())
    p.reads.ingest([read])
    hid = p.retention.request_hold(who["head"], "2026-CR-12", [read.id], "evidence for trial")
    with pytest.raises(HoldRefused, match="own hold"):
        p.retention.approve_hold(who["head"], hid)
    with pytest.raises(HoldRefused, match="department head or a prosecutor"):
        p.retention.approve_hold(who["officer"], hid)
    clock.advance(timedelta(days=p.policy.retention.ordinary_days + 2))
    [receipt] = p.retention.run()
    assert receipt.kept_for_cases == 0 and receipt.destroyed == 1  # a request alone kept nothing
    refusals = [e["body"] for _, e in p.ledger.parsed() if e["kind"] == "hold" and e["body"]["action"] == "refused"]
    assert len(refusals) == 2
