"""Crash the central ingest on purpose: SIGKILL the ``platewarden ingest`` process at random moments while an edge
publishes, restart it, optionally restart the broker mid-stream, and then check that every read was stored exactly
once and the ledger still verifies. Used by tests/edge/test_crash.py (CI) and bench/crash_ingest.py (100 kills)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from platewarden.config import Settings
from platewarden.domain.clock import SystemClock
from platewarden.domain.reads import Read
from platewarden.edge.broker import Broker
from platewarden.edge.outbox import Outbox
from platewarden.edge.pipeline import queue_reads
from platewarden.edge.publisher import EdgePublisher
from platewarden.ledger.verify import verify_export
from platewarden.runtime import Platform
from platewarden.store.schema import ledger_entries, reads
from tests.brokers import Mosquitto
from tests.factories import CAMERA, enrolled_edge, make_read, people

CLIENT_ID = "central-crash"


@dataclass
class CrashReport:
    reads: int
    kills: int
    broker_restarts: int
    stored: int = 0
    distinct: int = 0
    ledgered: int = 0
    missing: int = 0
    ledger_ok: bool = False
    problem: str = ""
    seconds: float = 0.0
    kill_phases: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (self.stored == self.distinct == self.ledgered == self.reads and self.missing == 0
                and self.ledger_ok)


def _ingest_cmd(broker: Mosquitto, idle: float | None = None) -> list[str]:
    exe = Path(sys.executable).parent / "platewarden"
    cmd = [str(exe), "ingest", broker.url, "--client-id", CLIENT_ID, "--batch", "100"]
    return [*cmd, "--exit-when-idle", str(idle)] if idle is not None else cmd


class IngestProcess:
    def __init__(self, broker: Mosquitto, env: dict[str, str], log: Path) -> None:
        self._broker, self._env, self._log = broker, env, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, idle: float | None = None) -> None:
        with open(self._log, "ab") as out:
            self.proc = subprocess.Popen(_ingest_cmd(self._broker, idle), env=self._env, stdout=out, stderr=out)

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def wait(self, timeout: float) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)


def _client_connections(broker: Mosquitto) -> int:
    log = broker.folder / "mosquitto.log"
    return log.read_text().count(f"as {CLIENT_ID}") if log.exists() else 0


def run_crash(folder: Path, db_url: str, n_reads: int, kills: int, broker_restarts: int = 0, seed: int = 1,
              max_pause: float = 1.2) -> CrashReport:
    rng = random.Random(seed)
    rep = CrashReport(n_reads, kills, broker_restarts)
    t0 = time.monotonic()
    broker = Mosquitto(folder / "broker")
    broker.start()
    data = folder / "central"
    p = Platform.open(Settings(data_dir=data, database_url=db_url), clock=SystemClock(), notify=False)
    sealer = enrolled_edge(p, CAMERA, people(p))
    env = {**os.environ, "PLATEWARDEN_DATA_DIR": str(data), "PLATEWARDEN_DATABASE_URL": db_url}
    ingest = IngestProcess(broker, env, folder / "ingest.log")
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    all_reads: list[Read] = [make_read(f"CR{i:05d}", start + timedelta(milliseconds=300 * i), n=i)
                             for i in range(n_reads)]
    box = Outbox(folder / "edge" / "outbox.db", bytes(range(32)))
    publisher = EdgePublisher(Broker.parse(broker.url), box, "edge-crash", CAMERA.id, sealer.central,
                              receipt_timeout=3.0)
    seen = _client_connections(broker)
    ingest.start()
    while _client_connections(broker) == seen:  # its session (and the shared subscription) exist from now on
        time.sleep(0.02)
    done = threading.Event()

    def edge() -> None:  # the edge trickles reads in over the whole run, as a camera would
        chunk = max(1, n_reads // max(1, kills + broker_restarts) // 2)
        for i in range(0, n_reads, chunk):
            queue_reads(box, all_reads[i: i + chunk], SystemClock(), sealer)
            end = time.monotonic() + 0.5
            while time.monotonic() < end:
                publisher.pump()
                time.sleep(0.01)
        while publisher.pump() and not done.is_set():
            time.sleep(0.02)

    edge_thread = threading.Thread(target=edge, daemon=True)
    edge_thread.start()
    restarts_at = set(rng.sample(range(kills), min(broker_restarts, kills))) if kills else set()
    try:
        for k in range(kills):
            if rng.random() < 0.8:  # most kills hit a consuming process; the others its start-up
                end = time.monotonic() + 30
                while _client_connections(broker) == seen and time.monotonic() < end:
                    time.sleep(0.02)
            time.sleep(rng.uniform(0.0, max_pause))
            phase = "running" if _client_connections(broker) > seen else "starting"
            rep.kill_phases[phase] = rep.kill_phases.get(phase, 0) + 1
            ingest.kill()
            if k in restarts_at:  # the broker goes down and comes back mid-stream, too
                broker.stop(signal.SIGTERM)
                time.sleep(rng.uniform(0.1, 0.5))
                broker.start()
            seen = _client_connections(broker)
            ingest.start()
        edge_thread.join(120)
        ingest.kill()
        ingest.start(idle=3.0)  # the last one runs until nothing has arrived for 3 s
        ingest.wait(180)
    finally:
        done.set()
        publisher.close()
        box.close()
        broker.stop()
    with p.engine.connect() as conn:
        ids = list(conn.scalars(select(reads.c.id)))
        batch_entries = [json.loads(e) for e in conn.scalars(
            select(ledger_entries.c.entry).where(ledger_entries.c.kind == "read_batch"))]
        rep.stored = int(conn.execute(select(func.count()).select_from(reads)).scalar_one())
    rep.distinct = len(set(ids))
    rep.missing = len({r.id for r in all_reads} - set(ids))
    rep.ledgered = sum(int(e["body"]["count"]) for e in batch_entries)
    p.ledger.checkpoint()
    p.ledger.export(folder / "ledger-export")
    res = verify_export(folder / "ledger-export")
    rep.ledger_ok, rep.problem = res.ok, res.problem
    p.close()
    rep.seconds = time.monotonic() - t0
    return rep
