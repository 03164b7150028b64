"""Central ingest scaled out the standard way: N worker processes (``platewarden ingest run``) in one MQTT
shared-subscription group, against one PostgreSQL, fed by a private Mosquitto.

    python bench/ingest_workers.py [--reads 20000] [--workers 1 2 4] [--postgres URL]

For each N: the edge messages (sealed to the central, signed by an enrolled camera, real JPEG crops) are queued on
the broker first, then N workers start and drain them; reads/s is stored reads over the time from the workers' start
to the last commit. CPU per read is the workers' own CPU time (user + system, from their rusage) and the whole
machine's busy time (/proc/stat: workers, PostgreSQL and the broker together) divided by the reads. The same
workers started on an empty queue first give the start-up and idle-exit cost, which is subtracted (a real worker
starts once and runs for months). Everything runs
on this machine, so more workers than cores compete with PostgreSQL for the same cores: read the figures as the
software's cost per read, and scale by cores for a deployment (docs/deployment.md).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: tests/ holds the broker helper

from ingest import wire_messages  # type: ignore[import-not-found]
from machine import print_header  # type: ignore[import-not-found]
from pgtemp import temporary_database  # type: ignore[import-not-found]

from platewarden.config import Settings
from platewarden.domain.clock import SystemClock
from platewarden.edge.broker import Broker
from platewarden.runtime import Platform
from tests.brokers import Mosquitto


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def queue_messages(broker: Broker, group: str, messages: list[tuple[str, bytes]], workers: int) -> None:
    """Give each worker's persistent session its subscription first, then publish: the broker keeps the messages
    for the group until the workers come back."""
    for i in range(workers):
        client = broker.client(f"{group}-worker-{i}", manual_ack=True)
        connected, subscribed = threading.Event(), threading.Event()
        client.on_connect = lambda *_a, ev=connected: ev.set()
        client.on_subscribe = lambda *_a, ev=subscribed: ev.set()
        broker.connect(client, persistent=True)
        if not connected.wait(10):
            raise SystemExit("the broker did not accept the worker's session")
        client.subscribe(f"$share/{group}/platewarden/reads/+", qos=1)
        if not subscribed.wait(10):
            raise SystemExit("the broker did not confirm the subscription")
        client.disconnect()
        client.loop_stop()
    pub = broker.client("bench-publisher")
    ready = threading.Event()
    pub.on_connect = lambda *_a: ready.set()
    pub.max_queued_messages_set(0)
    broker.connect(pub, persistent=False)
    if not ready.wait(10):
        raise SystemExit("the publisher could not connect")
    infos = [pub.publish(topic, payload, qos=1) for topic, payload in messages]
    for info in infos:
        info.wait_for_publish(timeout=60)
    pub.disconnect()
    pub.loop_stop()


def start_workers(workers: int, data: Path, url: str, group: str, env: dict[str, str]
                  ) -> tuple[float, float, float, list[str]]:
    """Run ``workers`` ingest processes until they have been idle for 3 s: (wall s, their CPU s, machine busy s,
    their last lines)."""
    busy0, t0 = busy_seconds(), time.perf_counter()
    procs = [subprocess.Popen([str(Path(sys.executable).parent / "platewarden"), "--data-dir", str(data), "ingest",
                               "run", url, "--group", group, "--client-id", f"{group}-worker-{i}",
                               "--exit-when-idle", "3"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
             for i in range(workers)]
    cpu, lines = 0.0, []
    for proc in procs:
        assert proc.stdout is not None
        lines.append(proc.stdout.read().decode().strip().splitlines()[-1:])
        _pid, _status, usage = os.wait4(proc.pid, 0)
        cpu += usage.ru_utime + usage.ru_stime
    return time.perf_counter() - t0, cpu, busy_seconds() - busy0, [x for line in lines for x in line]


def run(workers: int, n: int, pg: str, folder: Path) -> tuple[float, float, float]:
    box = Mosquitto(folder / "broker")
    box.start()
    try:
        data = folder / "data"
        p = Platform.open(Settings(data_dir=data, database_url=pg), clock=SystemClock(), notify=False)
        messages = wire_messages(p, n, datetime.now(UTC))
        p.close()
        broker = Broker.parse(box.url)
        env = {**os.environ, "PLATEWARDEN_DATABASE_URL": pg}
        idle_wall, idle_cpu, idle_busy, _ = start_workers(workers, data, box.url, "idle", env)  # start-up cost
        queue_messages(broker, "bench", messages, workers)
        wall, cpu, busy, lines = start_workers(workers, data, box.url, "bench", env)
        elapsed, cpu, busy = wall - idle_wall, cpu - idle_cpu, busy - idle_busy
        q = Platform.open(Settings(data_dir=data, database_url=pg), clock=SystemClock(), notify=False)
        stored = q.reads.count()
        q.close()
        if stored != n:
            raise SystemExit(f"{workers} workers stored {stored} of {n} reads: " + " | ".join(lines))
        return n / elapsed, cpu / n * 1e6, busy / n * 1e6
    finally:
        box.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reads", type=int, default=20_000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    a = ap.parse_args()
    print_header()
    print("edge messages through Mosquitto (shared subscription) into PostgreSQL: verify + open + checks + seal + "
          "insert + ledger + hotlist check")
    for workers in a.workers:
        with temporary_database(a.postgres) as pg, tempfile.TemporaryDirectory() as tmp:
            rate, cpu, busy = run(workers, a.reads, pg, Path(tmp))
        print(f"{workers} worker(s): {rate:8,.0f} reads/s   workers' CPU {cpu:6.0f} µs/read   machine busy "
              f"{busy:6.0f} µs/read ({a.reads:,} reads)")


if __name__ == "__main__":
    main()
