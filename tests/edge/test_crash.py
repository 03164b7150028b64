"""Crash safety of central ingest (issue 9): the ingesting process is killed with SIGKILL at random moments (20
times) while an edge publishes, and the broker is restarted mid-stream; afterwards every read is stored exactly once,
ledgered exactly once, and the ledger verifies. bench/crash_ingest.py runs the same with 100 kills."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.brokers import have_mosquitto
from tests.edge.crash_harness import run_crash


@pytest.mark.skipif(not have_mosquitto(), reason="the mosquitto binary is not installed")
def test_sigkill_twenty_times_and_restart_the_broker(pg_url: str, tmp_path: Path) -> None:
    rep = run_crash(tmp_path, pg_url, n_reads=1500, kills=20, broker_restarts=2, seed=9)
    assert rep.kill_phases.get("running", 0) >= 10, rep  # most kills hit a consuming process, not its start-up
    assert rep.missing == 0, rep
    assert rep.stored == rep.distinct == rep.ledgered == 1500, rep
    assert rep.ledger_ok, rep.problem
