"""Crash safety at length: SIGKILL the central ``platewarden ingest`` process N times (default 100) at random moments
while an edge publishes through a private Mosquitto, restart the broker mid-stream a few times, then check that
every read is stored exactly once, ledgered exactly once, and that the ledger verifies.

    python bench/crash_ingest.py [--kills 100] [--reads 6000] [--broker-restarts 5] [--seed 1]
                                 [--postgres postgresql://postgres@127.0.0.1:5432/postgres | --sqlite]

The CI variant (20 kills, 2 broker restarts) is tests/edge/test_crash.py. Exit code 1 if anything was lost,
duplicated or the ledger does not verify.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: tests/ holds the harness

from machine import print_header  # type: ignore[import-not-found]
from pgtemp import temporary_database  # type: ignore[import-not-found]

from tests.edge.crash_harness import run_crash


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--reads", type=int, default=6000)
    ap.add_argument("--broker-restarts", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--sqlite", action="store_true", help="central store on SQLite instead of PostgreSQL")
    a = ap.parse_args()
    print_header()
    with tempfile.TemporaryDirectory() as tmp:
        if a.sqlite:
            rep = run_crash(Path(tmp), f"sqlite:///{tmp}/central.db", a.reads, a.kills, a.broker_restarts, a.seed)
        else:
            with temporary_database(a.postgres) as url:
                rep = run_crash(Path(tmp), url, a.reads, a.kills, a.broker_restarts, a.seed)
    print(f"kills {rep.kills} ({rep.kill_phases}), broker restarts {rep.broker_restarts}, {rep.seconds:.0f} s")
    print(f"reads published {rep.reads}, stored {rep.stored}, distinct {rep.distinct}, ledgered {rep.ledgered}, "
          f"missing {rep.missing}; ledger {'verifies' if rep.ledger_ok else 'FAILS: ' + rep.problem}")
    print("OK" if rep.ok else "FAILED")
    return 0 if rep.ok else 1


if __name__ == "__main__":
    sys.exit(main())
