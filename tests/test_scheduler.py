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
