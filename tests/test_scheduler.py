"""The server's schedule: checkpoints every interval, retention once a day, failures retried."""

from __future__ import annotations

from datetime import timedelta

from platewarden.domain.clock import ManualClock
from platewarden.runtime import Platform
from platewarden.scheduler import Scheduler
from tests.factories import make_read


def test_schedule(platform: Platform, clock: ManualClock) -> None:
    platform.reads.ingest([make_read("SCH123", clock.now())])
    s = Scheduler(platform, checkpoint_seconds=600, retention_seconds=86_400)
    last: dict[str, float] = {}
    s.tick(0, last)
    s.tick(300, last)  # nothing due
    assert (s.checkpoints, s.retention_runs) == (1, 1)
    clock.advance(timedelta(days=31))
    s.tick(86_400, last)
    assert (s.checkpoints, s.retention_runs) == (2, 2)
    assert platform.retention.verify().ok and platform.retention.verify().destroyed_days == 1


def test_failures_are_retried(platform: Platform, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    s = Scheduler(platform, checkpoint_seconds=10)
    calls = {"n": 0}
    real = platform.ledger.checkpoint

    def flaky():  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database briefly unavailable")
        return real()

    monkeypatch.setattr(platform.ledger, "checkpoint", flaky)
    last: dict[str, float] = {}
    s.tick(0, last)
    assert s.checkpoints == 0
    s.tick(1, last)  # retried at the next tick, not after a whole interval
    assert s.checkpoints == 1


def test_hourly_reconcile_is_ledgered_and_names_a_forged_row(platform: Platform, clock: ManualClock) -> None:
    """The server checks the governed rows hourly and ledgers the outcome; a row a database writer changed is
    counted (its table named, never its key) at the next check, and the auditor's home reads it from the ledger."""
    from sqlalchemy import update

    from platewarden.governance.reconcile_record import last_reconcile
    from platewarden.store.schema import users
    from tests.factories import people

    people(platform)
    s = Scheduler(platform, checkpoint_seconds=600, retention_seconds=86_400, reconcile_seconds=3_600)
    last: dict[str, float] = {}
    s.tick(0, last)
    first = last_reconcile(platform.ledger)
    assert s.reconciles == 1 and first is not None and (first.disagreements, first.tables) == (0, ())
    with platform.engine.begin() as conn:  # roles granted by SQL: the row's seal no longer holds
        conn.execute(update(users).where(users.c.username == "officer").values(roles="officer,prosecutor"))
    s.tick(1_800, last)
    assert s.reconciles == 1  # not due yet
    clock.advance(timedelta(hours=1))
    s.tick(3_600, last)
    found = last_reconcile(platform.ledger)
    assert s.reconciles == 2 and found is not None and (found.disagreements, found.tables) == (1, ("users",))
    assert found.at == clock.now()
