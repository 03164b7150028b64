"""The edges' outbox reports through a real Mosquitto: an edge with reads the central has not confirmed says so, and
the dispatcher's home shows it; a report signed by another key, from a camera not approved, from the future or
replayed after a newer one is refused and counted, and changes nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from nacl.signing import SigningKey

from platewarden.domain.cameras import Camera
from platewarden.domain.clock import ManualClock
from platewarden.edge.broker import Broker
from platewarden.edge.consumer import MqttIngest
from platewarden.edge.ingest import ReadIngest
from platewarden.edge.message import encode_status, status_topic
from platewarden.edge.outbox import Outbox
from platewarden.edge.pipeline import queue_reads
from platewarden.edge.publisher import EdgePublisher
from platewarden.edge.status_reports import EdgeStatusRecorder
from platewarden.runtime import Platform
from tests.brokers import Mosquitto
from tests.edge.test_mqtt import KEY, edge_reads, publish_raw, refusals, wait_for
from tests.factories import CAMERA, approve_camera, enrolled_edge, people


@contextmanager
def central(p: Platform, broker: Mosquitto) -> Iterator[MqttIngest]:
    w = MqttIngest(ReadIngest(p), Broker.parse(broker.url), "central-status", batch_size=50)
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


def test_an_edges_backlog_reaches_the_central_and_forged_or_replayed_reports_do_not(
        platform: Platform, clock: ManualClock, broker: Mosquitto, tmp_path: Path) -> None:
    p = platform
    who = people(p)
    sealer = enrolled_edge(p, CAMERA, who)
    box = Outbox(tmp_path / "outbox.db", KEY)
    queue_reads(box, edge_reads(clock, 7), clock, sealer)  # the central is not running: nothing is confirmed
    pub = EdgePublisher(Broker.parse(broker.url), box, "edge-status", CAMERA.id, sealer.central,
                        camera_key=sealer.camera_key, status_every=3600.0, clock=clock)
    with central(p, broker):
        wait_for(lambda: pub.connected)
        pub.pump()  # publishes what the window allows and reports the backlog as it stood
        wait_for(lambda: CAMERA.id in p.deployments.edge_reports())
        first = p.deployments.edge_reports()[CAMERA.id]
        assert first.waiting == 7 and first.reported_at == clock.now()
        assert pub.drain(15) == 0  # the reads arrive and are confirmed ...
        clock.advance(timedelta(minutes=1))
        assert pub.report_backlog()  # ... and the next report says the outbox is empty
        wait_for(lambda: p.deployments.edge_reports()[CAMERA.id].waiting == 0)
        current = p.deployments.edge_reports()[CAMERA.id]

        stranger = Camera("cam-x", "not approved", 1.0, 1.0, None, None)
        thief = SigningKey.generate()
        old = clock.now() - timedelta(minutes=1)
        publish_raw(broker, [
            (status_topic(CAMERA.id), encode_status(CAMERA.id, 0, 0, clock.now(), thief)),  # another key
            (status_topic(CAMERA.id), encode_status(CAMERA.id, 0, 0, old, sealer.camera_key)),  # replayed, older
            (status_topic(CAMERA.id), encode_status(CAMERA.id, 0, 0, clock.now() + timedelta(hours=1),
                                                    sealer.camera_key)),  # from the future
            (status_topic(stranger.id), encode_status(stranger.id, 0, 0, clock.now(), thief)),
            (status_topic(CAMERA.id), encode_status("cam-2", 0, 0, clock.now(), sealer.camera_key)),
            (status_topic(CAMERA.id), b"{not json"),
        ])
        wait_for(lambda: sum(n for (_, r), n in refusals(p).items() if r != "not_approved") >= 5
                 and ("cam-x", "unapproved_camera") in refusals(p))
    found = refusals(p)
    assert found[(CAMERA.id, "bad_signature")] == 1 and found[(CAMERA.id, "stale_status")] == 1
    assert found[(CAMERA.id, "future_status")] == 1 and found[(CAMERA.id, "topic_mismatch")] == 1
    assert found[(CAMERA.id, "malformed")] == 1 and found[("cam-x", "unapproved_camera")] == 1
    assert p.deployments.edge_reports()[CAMERA.id] == current  # none of them changed what is kept
    assert {e["body"]["reason"] for _, e in p.ledger.parsed() if e["kind"] == "read_refused"} >= {
        "bad_signature", "stale_status", "future_status"}
    pub.close()
    box.close()


def test_a_revoked_key_reports_nothing(platform: Platform, clock: ManualClock) -> None:
    """After the camera's key is revoked (a stolen device), its reports are refused like its reads."""
    p = platform
    who = people(p)
    sealer = enrolled_edge(p, CAMERA, who)
    recorder = EdgeStatusRecorder(p)
    report = encode_status(CAMERA.id, 3, 1, clock.now(), sealer.camera_key)
    assert recorder.record([(status_topic(CAMERA.id), report)]) == 1
    p.deployments.keys.revoke(CAMERA.id, who["head"], "the cabinet was broken open")
    clock.advance(timedelta(minutes=1))
    later = encode_status(CAMERA.id, 0, 0, clock.now(), sealer.camera_key)
    assert recorder.record([(status_topic(CAMERA.id), later)]) == 0
    assert p.deployments.edge_reports()[CAMERA.id].waiting == 4
    approve_camera(p, Camera("cam-2", "Second", 52.38, 4.9, 90.0, "main-st"), who)  # approved, but has no key at all
    assert recorder.record([(status_topic("cam-2"), encode_status("cam-2", 0, 0, clock.now(), sealer.camera_key))]
                           ) == 0
    assert refusals(p)[("cam-2", "bad_signature")] == 1
