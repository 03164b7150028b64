"""Edge → broker → central against a real Mosquitto, on both stores: every read stored once, outbox emptied only by
acknowledgements, bad input refused and counted while the consumer keeps going, a broker outage survived, and two
workers sharing the load through a shared subscription."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import select

from platewarden.domain.cameras import Camera
from platewarden.domain.clock import ManualClock
from platewarden.domain.reads import Read
from platewarden.edge.broker import Broker
from platewarden.edge.consumer import MqttIngest
from platewarden.edge.ingest import ReadIngest
from platewarden.edge.message import encode, topic_for
from platewarden.edge.outbox import Outbox
from platewarden.edge.pipeline import queue_reads
from platewarden.edge.publisher import EdgePublisher
from platewarden.ledger.verify import verify_export
from platewarden.runtime import Platform
from platewarden.store.schema import read_refusals
from tests.brokers import Mosquitto
from tests.factories import CAMERA, approve_camera, make_read, people

KEY = bytes(range(32))


@contextmanager
def worker(p: Platform, broker: Mosquitto, client_id: str = "central-1") -> Iterator[MqttIngest]:
    w = MqttIngest(ReadIngest(p), Broker.parse(broker.url), client_id, batch_size=50)
    assert w.connected.wait(10)
    stop = threading.Event()
    t = threading.Thread(target=w.run, args=(stop,), daemon=True)
    t.start()
    try:
        yield w
    finally:
        stop.set()
        t.join(10)
        w.close()


def wait_for(cond, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.05)


def edge_reads(clock: ManualClock, n: int, camera: Camera = CAMERA, base: int = 0) -> list[Read]:
    return [make_read(f"ED{i:04d}", clock.now() + timedelta(seconds=i), camera=camera, n=base + i)
            for i in range(n)]


def publish_raw(broker: Mosquitto, items: list[tuple[str, bytes]]) -> None:
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="raw-publisher")
    c.connect("127.0.0.1", broker.port)
    c.loop_start()
    for topic, payload in items:
        c.publish(topic, payload, qos=1).wait_for_publish(5)
    c.disconnect()
    c.loop_stop()


def refusals(p: Platform) -> dict[tuple[str, str], int]:
    with p.engine.connect() as conn:
        return {(r.camera_id, r.reason): r.count for r in conn.execute(select(read_refusals))}


def test_edge_to_store_exactly_once_with_bad_input(platform: Platform, clock: ManualClock, broker: Mosquitto,
                                                   tmp_path: Path) -> None:
    p = platform
    approve_camera(p, CAMERA, people(p))
    reads = edge_reads(clock, 30)
    box = Outbox(tmp_path / "outbox.db", KEY)
    pub = EdgePublisher(Broker.parse(broker.url), box, "edge-cam-1")
    with worker(p, broker) as w:
        queue_reads(box, reads, clock)
        assert pub.drain(15) == 0  # the outbox empties only through the central's receipts
        wait_for(lambda: p.reads.count() == 30)
        # the same reads again (an edge that crashed before deleting them): stored once
        queue_reads(box, reads[:10], clock)
        assert pub.drain(15) == 0
        stranger = Camera("cam-x", "unapproved", 1.0, 1.0, None, None)
        old = make_read("OLD001", clock.now() - timedelta(days=40))
        good_after = edge_reads(clock, 1, base=500)[0]
        publish_raw(broker, [
            (topic_for(CAMERA.id), b"{not json"),
            (topic_for(CAMERA.id), b"x" * 600_000),
            (topic_for(CAMERA.id), encode(reads[0], clock.now()).replace(b'"v":1', b'"v":1,"evil":1')),
            (topic_for("cam-x"), encode(make_read("STR001", clock.now(), camera=stranger), clock.now())),
            (topic_for(CAMERA.id), encode(old, clock.now())),
            ("platewarden/reads/bad$id", b"{}"),
            (topic_for(CAMERA.id), encode(good_after, clock.now())),
        ])
        wait_for(lambda: p.reads.count() == 31)  # the consumer kept going
        wait_for(lambda: sum(w.ingest.stats.refused.values()) == 6)
    assert len(box) == 0 and pub.confirmed == 40  # 30 reads, then 10 of them again: each confirmed
    assert p.reads.get(good_after.id) is not None
    assert refusals(p) == {(CAMERA.id, "malformed"): 1, (CAMERA.id, "oversized"): 1, (CAMERA.id, "schema"): 1,
                           ("cam-x", "not_approved"): 1, (CAMERA.id, "stale"): 1, ("(invalid)", "bad_topic"): 1}
    assert p.reads.count() == 31 and w.ingest.stats.stored == 31
    # reads arrived with their ledger batches; the ledger still verifies
    p.ledger.checkpoint()
    p.ledger.export(tmp_path / "exp")
    assert verify_export(tmp_path / "exp").ok
    pub.close()
    box.close()


def test_broker_outage_loses_nothing(platform: Platform, clock: ManualClock, broker: Mosquitto,
                                     tmp_path: Path) -> None:
    p = platform
    approve_camera(p, CAMERA, people(p))
    box = Outbox(tmp_path / "outbox.db", KEY)
    broker.stop()
    pub = EdgePublisher(Broker.parse(broker.url), box, "edge-cam-1")
    reads = edge_reads(clock, 20)
    queue_reads(box, reads, clock)
    assert pub.drain(1.5) == 20  # nobody to acknowledge: all kept
    broker.start()
    with worker(p, broker):
        assert pub.drain(20) == 0
        wait_for(lambda: p.reads.count() == 20)
    pub.close()


def test_central_outage_waits_in_the_broker(platform: Platform, clock: ManualClock, broker: Mosquitto,
                                            tmp_path: Path) -> None:
    """A worker that is away (its persistent session stays) gets what was published meanwhile, also across a
    broker restart."""
    p = platform
    approve_camera(p, CAMERA, people(p))
    with worker(p, broker):
        pass  # the session and its shared subscription now exist
    box = Outbox(tmp_path / "outbox.db", KEY)
    pub = EdgePublisher(Broker.parse(broker.url), box, "edge-cam-1")
    queue_reads(box, edge_reads(clock, 25), clock)
    wait_for(lambda: pub.pump() and box.unsent() == 0)  # the broker has them all (PUBACK); no receipt yet
    assert pub.acknowledged == 25 and pub.confirmed == 0 and len(box) == 25
    pub.close()  # the edge goes away too: only the broker holds the reads now
    broker.restart()
    with worker(p, broker):
        wait_for(lambda: p.reads.count() == 25)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_workers_share_the_load(platform: Platform, clock: ManualClock, broker: Mosquitto,
                                    tmp_path: Path) -> None:
    p = platform
    approve_camera(p, CAMERA, people(p))
    box = Outbox(tmp_path / "outbox.db", KEY)
    pub = EdgePublisher(Broker.parse(broker.url), box, "edge-cam-1")
    with worker(p, broker, "central-1") as a, worker(p, broker, "central-2") as b:
        queue_reads(box, edge_reads(clock, 200), clock)
        assert pub.drain(20) == 0
        wait_for(lambda: p.reads.count() == 200)
    assert a.ingest.stats.messages > 0 and b.ingest.stats.messages > 0
    assert a.ingest.stats.messages + b.ingest.stats.messages == 200
    pub.close()


def test_reads_the_broker_drops_are_sent_again(platform: Platform, clock: ManualClock, broker: Mosquitto,
                                               tmp_path: Path) -> None:
    """Nobody subscribed yet: the broker acknowledges and drops the reads (as Mosquitto also does for a shared
    subscription right after its restart). Without a receipt the edge sends them again."""
    p = platform
    approve_camera(p, CAMERA, people(p))
    box = Outbox(tmp_path / "outbox.db", KEY)
    pub = EdgePublisher(Broker.parse(broker.url), box, "edge-cam-1", CAMERA.id, receipt_timeout=1.0)
    queue_reads(box, edge_reads(clock, 10), clock)
    wait_for(lambda: pub.pump() and box.unsent() == 0)
    with worker(p, broker):
        assert pub.drain(15) == 0
        wait_for(lambda: p.reads.count() == 10)
    assert pub.published >= 20
    pub.close()
