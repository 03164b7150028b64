"""Edge → broker → central against a real Mosquitto, on both stores: every read stored once, outbox emptied only by
acknowledgements, bad input refused and counted while the consumer keeps going, a broker outage survived, and two
workers sharing the load through a shared subscription."""

from __future__ import annotations

import base64
import json
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from nacl.signing import SigningKey
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select

from platewarden.domain.cameras import Camera
from platewarden.domain.clock import ManualClock
from platewarden.domain.reads import Read
from platewarden.edge.broker import Broker
from platewarden.edge.consumer import MqttIngest
from platewarden.edge.identity import CentralIdentity, central_identity
from platewarden.edge.ingest import ReadIngest
from platewarden.edge.message import ReceiptBody, receipt_topic, sign_receipt, topic_for
from platewarden.edge.outbox import Outbox
from platewarden.edge.pipeline import ReadSealer, queue_reads
from platewarden.edge.publisher import EdgePublisher
from platewarden.ledger.verify import verify_export
from platewarden.runtime import Platform
from platewarden.store.schema import ledger_entries, quarantined_messages, read_refusals
from tests.brokers import Mosquitto
from tests.factories import CAMERA, enrolled_edge, make_read, people

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
    """Reads of the last minutes (each ends before now: the central refuses reads from the future)."""
    start = clock.now() - timedelta(seconds=2 * n + 5)
    return [make_read(f"ED{i:04d}", start + timedelta(seconds=i), camera=camera, n=base + i) for i in range(n)]


def publisher(broker: Mosquitto, box: Outbox, sealer: ReadSealer, **kwargs: float) -> EdgePublisher:
    return EdgePublisher(Broker.parse(broker.url), box, "edge-cam-1", CAMERA.id, sealer.central, **kwargs)


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


def test_edge_to_store_exactly_once_and_every_attack_refused(platform: Platform, clock: ManualClock,
                                                             broker: Mosquitto, tmp_path: Path) -> None:
    """Through the broker: the edge's reads stored once; every forged, altered, unapproved, backdated, future,
    non-plate or bad-crop message refused, counted, ledgered and quarantined (by digest), while the consumer goes on."""
    p = platform
    who = people(p)
    sealer = enrolled_edge(p, CAMERA, who)
    reads = edge_reads(clock, 30)
    box = Outbox(tmp_path / "outbox.db", KEY)
    pub = publisher(broker, box, sealer)
    with worker(p, broker) as w:
        queue_reads(box, reads, clock, sealer)
        assert pub.drain(15) == 0  # the outbox empties only through the central's receipts
        wait_for(lambda: p.reads.count() == 30)
        # the same reads again (an edge that crashed before deleting them): stored once
        queue_reads(box, reads[:10], clock, sealer)
        assert pub.drain(15) == 0
        now = clock.now()
        stranger_cam = Camera("cam-x", "unapproved", 1.0, 1.0, None, None)
        thief = ReadSealer(SigningKey.generate(), sealer.central)  # a broker client with a key of its own
        good_after = edge_reads(clock, 1, base=500)[0]
        crop_bad = make_read("CROP01", now - timedelta(minutes=1), n=901)
        publish_raw(broker, [
            (topic_for(CAMERA.id), b"{not json"),
            (topic_for(CAMERA.id), b"x" * 600_000),
            (topic_for(CAMERA.id), b"[" * 50_000),
            (topic_for(CAMERA.id), thief.message(make_read("FORGE1", now - timedelta(minutes=1), n=900), now)),
            (topic_for("cam-x"), sealer.message(make_read("STR001", now, camera=stranger_cam), now)),
            (topic_for(CAMERA.id), sealer.message(make_read("OLD001", now - timedelta(days=20)), now)),
            (topic_for(CAMERA.id), sealer.message(make_read("FUT001", now + timedelta(minutes=59)),
                                                  now + timedelta(minutes=59))),
            (topic_for(CAMERA.id), sealer.message(make_read("<b>1+2", now - timedelta(minutes=1), n=902), now)),
            (topic_for(CAMERA.id), sealer.message(Read(**{**crop_bad.__dict__, "plate_crop_jpeg": b"<svg/>"}), now)),
            ("platewarden/reads/bad$id", b"{}"),
            (topic_for(CAMERA.id), sealer.message(good_after, now)),
        ])
        wait_for(lambda: p.reads.count() == 31)  # the consumer kept going
        wait_for(lambda: sum(w.ingest.stats.refused.values()) == 10)
    assert len(box) == 0 and pub.confirmed == 40  # 30 reads, then 10 of them again: each confirmed
    assert p.reads.get(good_after.id) is not None
    assert refusals(p) == {(CAMERA.id, "malformed"): 2, (CAMERA.id, "oversized"): 1,
                           (CAMERA.id, "bad_signature"): 1, ("cam-x", "not_approved"): 1,
                           (CAMERA.id, "backdated"): 1, (CAMERA.id, "future"): 1, (CAMERA.id, "not_a_plate"): 1,
                           (CAMERA.id, "bad_crop"): 1, ("(invalid)", "bad_topic"): 1}
    assert p.reads.count() == 31 and w.ingest.stats.stored == 31
    with p.engine.connect() as conn:
        quarantined = list(conn.execute(select(quarantined_messages)))
        ledgered = [json.loads(e) for e in conn.scalars(select(ledger_entries.c.entry).where(
            ledger_entries.c.kind == "read_refused"))]
    assert len(quarantined) == 10 and all(len(q.digest) == 64 for q in quarantined)
    assert {(e["body"]["camera_id"], e["body"]["reason"]) for e in ledgered} == set(refusals(p))
    for text in ("FORGE1", "STR001", "OLD001", "FUT001"):  # no forged or refused read became a sighting
        assert p.reads.find_by_plate(text, [clock.now().date() - timedelta(days=d) for d in range(21)]) == []
    # reads arrived with their ledger batches; the ledger still verifies
    p.ledger.checkpoint()
    p.ledger.export(tmp_path / "exp")
    assert verify_export(tmp_path / "exp").ok
    pub.close()
    box.close()


def test_forged_or_replayed_receipts_leave_the_outbox_intact(platform: Platform, clock: ManualClock,
                                                             broker: Mosquitto, tmp_path: Path) -> None:
    p = platform
    sealer = enrolled_edge(p, CAMERA, people(p))
    box = Outbox(tmp_path / "outbox.db", KEY)
    pub = publisher(broker, box, sealer, receipt_timeout=3600)
    reads = edge_reads(clock, 6)
    queue_reads(box, reads, clock, sealer)
    wait_for(lambda: pub.pump() == 6 and box.unsent() == 0)  # published; nobody consumes
    ids = [r.id for r in reads]
    impostor = CentralIdentity(bytes(32), bytes(32))
    forged = sign_receipt(ReceiptBody(camera_id=CAMERA.id, stored=ids, issued_at=clock.now()), impostor)
    unsigned = json.dumps({"v": 1, "stored": ids, "refused": []}).encode()  # the old format
    publish_raw(broker, [(receipt_topic(CAMERA.id), forged), (receipt_topic(CAMERA.id), unsigned)])
    wait_for(lambda: pub.receipts_ignored == 2)
    assert pub.pump() == 6 and pub.confirmed == 0  # the central never received them: nothing forgotten
    # a genuine receipt for another camera, re-published on this camera's topic, deletes nothing either
    central = central_identity(p.keyring)
    other = sign_receipt(ReceiptBody(camera_id="cam-9", stored=ids, issued_at=clock.now()), central)
    genuine = sign_receipt(ReceiptBody(camera_id=CAMERA.id, stored=ids[:2], issued_at=clock.now()), central)
    publish_raw(broker, [(receipt_topic(CAMERA.id), other), (receipt_topic(CAMERA.id), genuine)])
    wait_for(lambda: pub.pump() == 4)
    publish_raw(broker, [(receipt_topic(CAMERA.id), genuine)])  # replayed
    wait_for(lambda: pub.receipts_ignored == 4)
    assert pub.pump() == 4 and pub.confirmed == 2
    pub.close()
    box.close()


def malformed_payloads(valid: bytes, rng: random.Random, n: int) -> list[bytes]:
    """Nested, huge, NUL, lone surrogates, wrong types, truncated or flipped ciphertext, and mutations of a valid
    message."""
    env = json.loads(valid)
    makers = [
        lambda: b"[" * rng.randint(1, 200_000),
        lambda: b'{"a":' * rng.randint(1, 50_000),
        lambda: bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300))),
        lambda: b"\x00" * rng.randint(1, 1000),
        lambda: json.dumps(env | {"camera_id": "\ud800" + CAMERA.id}).encode(),
        lambda: json.dumps(env | {"sealed": env["sealed"][: rng.randint(0, len(env["sealed"]))]}).encode(),
        lambda: json.dumps(env | {"sealed": env["sealed"][:-8] + "AAAAAAA="}).encode(),
        lambda: json.dumps(env | {rng.choice(list(env)): rng.choice([None, 1, 1.5, [], {}, True, "x" * 300])}).encode(),
        lambda: json.dumps({k: env[k] for k in rng.sample(list(env), rng.randint(0, len(env) - 1))}).encode(),
        lambda: valid[: rng.randint(0, len(valid) - 1)],
        lambda: valid.replace(b'"v":2', b'"v":2' + b',"x":' + b"[" * 400 + b"]" * 400),
        lambda: json.dumps(env | {"sig": base64.b64encode(bytes(rng.getrandbits(8) for _ in range(64))).decode()})
        .encode(),
        lambda: b'"' + b"\\u" * rng.randint(1, 1000) + b'"',
        lambda: json.dumps([env] * rng.randint(1, 50)).encode(),
        lambda: b"\xef\xbb\xbf" + valid,  # a BOM
    ]
    return [rng.choice(makers)() for _ in range(n)]


def test_no_payload_stops_the_worker(platform: Platform, clock: ManualClock, broker: Mosquitto,
                                     tmp_path: Path) -> None:
    """2,000 malformed payloads interleaved with valid reads through the broker: the worker stays alive, every
    valid read is stored, every bad one refused and quarantined."""
    p = platform
    sealer = enrolled_edge(p, CAMERA, people(p))
    rng = random.Random(23)
    good = edge_reads(clock, 100)
    bad = malformed_payloads(sealer.message(good[0], clock.now()), rng, 2000)
    items = [(topic_for(CAMERA.id), m) for m in bad]
    for r in good:
        items.insert(rng.randint(0, len(items)), (topic_for(CAMERA.id), sealer.message(r, clock.now())))
    with worker(p, broker) as w:
        publish_raw(broker, items)
        wait_for(lambda: w.ingest.stats.messages == len(items), timeout=120)
    assert p.reads.count() == 100
    assert sum(w.ingest.stats.refused.values()) == 2000, w.ingest.stats.line()
    with p.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(quarantined_messages)).scalar_one() == 2000


def test_broker_outage_loses_nothing(platform: Platform, clock: ManualClock, broker: Mosquitto,
                                     tmp_path: Path) -> None:
    p = platform
    sealer = enrolled_edge(p, CAMERA, people(p))
    box = Outbox(tmp_path / "outbox.db", KEY)
    broker.stop()
    pub = publisher(broker, box, sealer)
    reads = edge_reads(clock, 20)
    queue_reads(box, reads, clock, sealer)
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
    sealer = enrolled_edge(p, CAMERA, people(p))
    with worker(p, broker):
        pass  # the session and its shared subscription now exist
    box = Outbox(tmp_path / "outbox.db", KEY)
    pub = publisher(broker, box, sealer)
    queue_reads(box, edge_reads(clock, 25), clock, sealer)
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
    sealer = enrolled_edge(p, CAMERA, people(p))
    box = Outbox(tmp_path / "outbox.db", KEY)
    pub = publisher(broker, box, sealer)
    with worker(p, broker, "central-1") as a, worker(p, broker, "central-2") as b:
        queue_reads(box, edge_reads(clock, 200), clock, sealer)
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
    sealer = enrolled_edge(p, CAMERA, people(p))
    box = Outbox(tmp_path / "outbox.db", KEY)
    pub = publisher(broker, box, sealer, receipt_timeout=1.0)
    queue_reads(box, edge_reads(clock, 10), clock, sealer)
    wait_for(lambda: pub.pump() and box.unsent() == 0)
    with worker(p, broker):
        assert pub.drain(15) == 0
        wait_for(lambda: p.reads.count() == 10)
    assert pub.published >= 20
    pub.close()
