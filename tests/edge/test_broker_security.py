"""The broker as deployed (docs/mosquitto/: TLS with a private CA, an account per camera, the shipped ACL), attacked
by clients of the broker: anonymous ones, a camera publishing as another, a camera subscribing to others' reads, and
an eavesdropper with the broker's full access who must still see no plate, crop or position."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from platewarden.domain.cameras import Camera
from platewarden.domain.clock import ManualClock
from platewarden.edge.broker import Broker
from platewarden.edge.consumer import MqttIngest
from platewarden.edge.ingest import ReadIngest
from platewarden.edge.message import encode_status, status_topic, topic_for
from platewarden.edge.outbox import Outbox
from platewarden.edge.pipeline import queue_reads
from platewarden.edge.publisher import EdgePublisher
from platewarden.runtime import Platform
from tests.brokers import INGEST_USER, SecureMosquitto, have_mosquitto
from tests.edge.test_mqtt import edge_reads, wait_for
from tests.factories import CAMERA, enrolled_edge, people

OTHER = Camera("cam-2", "Harbour Rd", 52.38, 4.90, 0.0, "main-st")


@pytest.fixture
def secure_broker(tmp_path: Path) -> Iterator[SecureMosquitto]:
    if not have_mosquitto():
        pytest.skip("the mosquitto binary is not installed")
    b = SecureMosquitto(tmp_path / "broker", {INGEST_USER: "ingest-pw-1", CAMERA.id: "cam1-pw", OTHER.id: "cam2-pw",
                                              "auditor": "look-only"})
    b.start()
    try:
        yield b
    finally:
        b.stop()


def raw_client(b: SecureMosquitto, user: str | None, password: str | None = None, tls: bool = True) -> Any:
    """A client as an attacker would write it (paho directly); returns (client, CONNACK reason)."""
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"raw-{user}-{time.monotonic_ns()}",
                    protocol=mqtt.MQTTv5)
    if tls:
        c.tls_set(ca_certs=str(b.ca))
    if user:
        c.username_pw_set(user, password)
    result: dict[str, Any] = {}
    done = threading.Event()

    def on_connect(_c: Any, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        result["reason"] = reason
        done.set()

    c.on_connect = on_connect
    c.on_disconnect = lambda *_a: done.set()
    try:
        c.connect("127.0.0.1", b.port)
    except (OSError, ConnectionError) as exc:  # TLS refused outright
        return c, exc
    c.loop_start()
    done.wait(10)
    return c, result.get("reason")


def close(c: Any) -> None:
    c.disconnect()
    c.loop_stop()


def test_anonymous_and_wrong_password_are_refused(secure_broker: SecureMosquitto) -> None:
    for user, password in ((None, None), (CAMERA.id, "wrong"), ("nobody", "x")):
        c, reason = raw_client(secure_broker, user, password)
        assert reason is None or getattr(reason, "is_failure", True), (user, reason)
        assert not c.is_connected()
        close(c)
    c, reason = raw_client(secure_broker, CAMERA.id, "cam1-pw", tls=False)  # plain MQTT to the TLS port
    assert not c.is_connected()
    close(c)


def collect(b: SecureMosquitto, user: str, password: str, topic: str) -> tuple[Any, list[bytes], list[int]]:
    """Subscribe as ``user``; returns the client, what it receives, and the SUBACK reason codes."""
    c, reason = raw_client(b, user, password)
    assert not reason.is_failure, reason
    got: list[bytes] = []
    granted: list[int] = []
    acked = threading.Event()
    c.on_message = lambda _c, _u, m: got.append(bytes(m.payload))

    def on_subscribe(_c: Any, _u: Any, _mid: Any, codes: Any, _p: Any) -> None:
        granted.extend(int(rc.value) for rc in codes)
        acked.set()

    c.on_subscribe = on_subscribe
    c.subscribe(topic, qos=1)
    assert acked.wait(10)
    return c, got, granted


def test_the_acl_keeps_each_camera_in_its_lane(platform: Platform, clock: ManualClock,
                                               secure_broker: SecureMosquitto, tmp_path: Path) -> None:
    """Over TLS with per-camera accounts: cam-1's edge delivers; cam-1 cannot publish as cam-2 or read anyone's
    reads; an account the ACL names nowhere can do nothing."""
    p = platform
    who = people(p)
    sealer = enrolled_edge(p, CAMERA, who)
    env = secure_broker.env_for
    central = MqttIngest(ReadIngest(p), Broker.parse(secure_broker.url_for(INGEST_USER), env(INGEST_USER)),
                         "central-tls", batch_size=50)
    assert central.connected.wait(10)
    stop = threading.Event()
    t = threading.Thread(target=central.run, args=(stop,), daemon=True)
    t.start()
    spy, spied, spy_codes = collect(secure_broker, CAMERA.id, "cam1-pw", "platewarden/reads/#")
    nosy, nosed, nosy_codes = collect(secure_broker, "auditor", "look-only", "#")
    box = Outbox(tmp_path / "outbox.db", bytes(range(32)))
    pub = EdgePublisher(Broker.parse(secure_broker.url_for(CAMERA.id), env(CAMERA.id)), box, "edge-cam-1",
                        CAMERA.id, sealer.central, camera_key=sealer.camera_key, clock=clock)
    try:
        queue_reads(box, edge_reads(clock, 5), clock, sealer)
        assert pub.drain(20) == 0  # delivered and receipted over TLS
        wait_for(lambda: p.reads.count() == 5)
        wait_for(lambda: CAMERA.id in p.deployments.edge_reports())  # its outbox report passes the ACL too
        # cam-1 reporting on cam-2's status topic: the broker drops it
        c, _ = raw_client(secure_broker, CAMERA.id, "cam1-pw")
        c.publish(status_topic(OTHER.id), encode_status(OTHER.id, 0, 0, clock.now(), sealer.camera_key),
                  qos=1).wait_for_publish(5)
        close(c)
        # cam-1 publishing on cam-2's topic: the broker drops it (the central never sees it)
        c, _ = raw_client(secure_broker, CAMERA.id, "cam1-pw")
        info = c.publish(topic_for(OTHER.id), b'{"v":2}', qos=1)
        info.wait_for_publish(5)
        close(c)
        time.sleep(0.5)
        assert central.ingest.stats.messages == 5
        assert set(p.deployments.edge_reports()) == {CAMERA.id}  # cam-2's forged report never arrived:
        assert all(OTHER.id not in row for row in p.deployments.refusals())  # not even to be refused
    finally:
        stop.set()
        t.join(10)
        central.close()
        pub.close()
        box.close()
        close(spy)
        close(nosy)
    # Mosquitto may grant a wildcard subscription; its ACL is applied to each message delivered: none reached them
    assert spied == [] and nosed == [], (spy_codes, nosy_codes)


def test_an_eavesdropper_with_full_broker_access_sees_no_plate(platform: Platform, clock: ManualClock,
                                                               secure_broker: SecureMosquitto,
                                                               tmp_path: Path) -> None:
    """The central's own broker account (the widest the ACL gives) reads the raw messages: routing and idempotency
    only; no plate, crop, time of the sighting or position."""
    p = platform
    sealer = enrolled_edge(p, CAMERA, people(p))
    tap, tapped, codes = collect(secure_broker, INGEST_USER, "ingest-pw-1", "platewarden/reads/+")
    assert codes[0] < 0x80
    box = Outbox(tmp_path / "outbox.db", bytes(range(32)))
    pub = EdgePublisher(Broker.parse(secure_broker.url_for(CAMERA.id), secure_broker.env_for(CAMERA.id)), box,
                        "edge-cam-1", CAMERA.id, sealer.central)
    reads = edge_reads(clock, 5)
    try:
        queue_reads(box, reads, clock, sealer)
        wait_for(lambda: pub.pump() >= 0 and len(tapped) == 5)
    finally:
        pub.close()
        box.close()
        close(tap)
    raw = b"".join(tapped)
    for r in reads:
        import base64

        for secret in (r.text.encode(), base64.b64encode(r.plate_crop_jpeg)[:24], r.plate_crop_jpeg[100:140],
                       r.first_seen.isoformat().encode(), str(CAMERA.latitude).encode()):
            assert secret not in raw
    assert all(set(json.loads(m)) == {"v", "camera_id", "id", "sealed", "sig"} for m in tapped)
