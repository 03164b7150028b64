"""Edge-to-store latency over MQTT: from the moment a fused read enters the edge's outbox to the commit of the
central transaction that stores it (and to the receipt back at the edge), through a private Mosquitto.

    python bench/mqtt_latency.py [--reads 2000] [--rate 200] [--postgres URL | --sqlite]

The edge publishes ``--rate`` reads per second; one central worker consumes (batches of up to 500). All on this
machine, so the figures are the software's, not a network's.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: tests/ holds the broker helper

from machine import print_header  # type: ignore[import-not-found]
from pgtemp import temporary_database  # type: ignore[import-not-found]

from platewarden.config import Settings
from platewarden.domain.clock import SystemClock
from platewarden.edge.admission import check_read
from platewarden.edge.broker import Broker
from platewarden.edge.consumer import MqttIngest
from platewarden.edge.identity import central_identity
from platewarden.edge.ingest import ReadIngest
from platewarden.edge.message import ReceiptBody, open_read, parse_envelope, topic_for, verify_signature
from platewarden.edge.outbox import Outbox
from platewarden.edge.pipeline import ReadSealer, queue_reads
from platewarden.edge.publisher import EdgePublisher
from platewarden.runtime import Platform
from tests.brokers import Mosquitto
from tests.factories import CAMERA, enrolled_edge, make_read, people


class TimedIngest(ReadIngest):
    committed: dict[str, float]

    def handle(self, messages: list[tuple[str, bytes]]) -> dict[str, ReceiptBody]:
        out = super().handle(messages)
        now = time.perf_counter()
        for receipt in out.values():
            for rid in receipt.stored:
                self.committed.setdefault(str(rid), now)
        return out


def crypto_cost(p: Platform, sealer: ReadSealer, n: int = 2000) -> None:
    """Per read, on one core: the edge's seal + sign, and the central's parse + verify + open + checks."""
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    reads = [make_read(f"CC{i:05d}", now - timedelta(seconds=60), n=i) for i in range(n)]
    t0 = time.perf_counter()
    messages = [sealer.message(r, now) for r in reads]
    edge_us = (time.perf_counter() - t0) / n * 1e6
    central = central_identity(p.keyring)
    keys = [sealer.camera_key.verify_key]
    topic = topic_for(CAMERA.id)
    cutoff = p.retention.cutoff(now)
    t0 = time.perf_counter()
    for m in messages:
        env = parse_envelope(m, topic)
        verify_signature(env, keys)
        check_read(open_read(env, central), now, p.policy.edge, cutoff)
    central_us = (time.perf_counter() - t0) / n * 1e6
    print(f"  per read ({len(messages[0])} bytes on the wire): edge seal + sign {edge_us:.0f} us; central parse + "
          f"verify + open + checks {central_us:.0f} us (one core: {1e6 / central_us:,.0f} reads/s)")


def run(url: str, folder: Path, n: int, rate: float) -> None:
    broker = Mosquitto(folder / "broker")
    broker.start()
    p = Platform.open(Settings(data_dir=folder / "central", database_url=url), clock=SystemClock(), notify=False)
    sealer = enrolled_edge(p, CAMERA, people(p))
    crypto_cost(p, sealer)
    ingest = TimedIngest(p)
    ingest.committed = {}
    worker = MqttIngest(ingest, Broker.parse(broker.url), "bench-central")
    worker.connected.wait(10)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    box = Outbox(folder / "outbox.db", bytes(32))
    pub = EdgePublisher(Broker.parse(broker.url), box, "bench-edge", CAMERA.id, sealer.central)
    from datetime import UTC, datetime, timedelta

    start = datetime.now(UTC) - timedelta(minutes=30)
    reads = [make_read(f"LT{i:05d}", start + timedelta(milliseconds=100 * i), n=i) for i in range(n)]
    queued: dict[str, float] = {}
    t0 = time.perf_counter()
    for i, r in enumerate(reads):
        while time.perf_counter() < t0 + i / rate:
            pub.pump()
            time.sleep(0.001)
        queue_reads(box, [r], SystemClock(), sealer)
        queued[r.id] = time.perf_counter()
        pub.pump()
    pub.drain(60)
    wall = time.perf_counter() - t0
    stop.set()
    thread.join(10)
    lat = [(ingest.committed[rid] - t) * 1000 for rid, t in queued.items() if rid in ingest.committed]
    qs = statistics.quantiles(lat, n=100)
    print(f"  {len(lat)}/{n} reads at {rate:.0f}/s offered: edge outbox -> central commit p50 {qs[49]:.1f} ms, "
          f"p95 {qs[94]:.1f} ms, p99 {qs[98]:.1f} ms, max {max(lat):.1f} ms; all receipts back after {wall:.1f} s; "
          f"{ingest.stats.batches} batches")
    worker.close()
    pub.close()
    box.close()
    p.close()
    broker.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reads", type=int, default=2000)
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--sqlite", action="store_true")
    a = ap.parse_args()
    print_header()
    with tempfile.TemporaryDirectory() as tmp:
        if a.sqlite:
            print("SQLite")
            run(f"sqlite:///{tmp}/c.db", Path(tmp), a.reads, a.rate)
        else:
            with temporary_database(a.postgres) as url:
                print("PostgreSQL")
                run(url, Path(tmp), a.reads, a.rate)


if __name__ == "__main__":
    main()
