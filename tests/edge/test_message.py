"""The wire format and the broker URL: what is accepted, and that everything else is refused with its reason."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path

import pytest

from platewarden.domain.clock import ManualClock
from platewarden.edge.broker import Broker, BrokerUrlError
from platewarden.edge.message import MessageRefused, decode, encode, to_read, topic_for
from platewarden.edge.outbox import Outbox
from platewarden.runtime import Platform
from tests.factories import CAMERA, make_read


def test_round_trip_places_the_read_where_the_registry_says(clock: ManualClock) -> None:
    read = make_read("AB12CDE", clock.now())
    msg = decode(encode(read, clock.now()), topic_for(CAMERA.id))
    assert to_read(msg, CAMERA) == read
    elsewhere = type(CAMERA)(CAMERA.id, "moved", 1.0, 2.0, None, None)
    assert (to_read(msg, elsewhere).latitude, to_read(msg, elsewhere).longitude) == (1.0, 2.0)
    assert b"latitude" not in encode(read, clock.now())


def body(clock: ManualClock) -> dict:  # type: ignore[type-arg]
    return json.loads(encode(make_read("AB12CDE", clock.now()), clock.now()))  # type: ignore[no-any-return]


@pytest.mark.parametrize(("change", "reason"), [
    (lambda b: b | {"extra": 1}, "schema"),
    (lambda b: b | {"v": 2}, "schema"),
    (lambda b: {k: v for k, v in b.items() if k != "plate_crop"}, "schema"),
    (lambda b: b | {"plate_crop": "***not base64***"}, "schema"),
    (lambda b: b | {"id": "not-a-uuid"}, "schema"),
    (lambda b: b | {"first_seen": "2026-11-02T08:00:00"}, "schema"),  # no zone
    (lambda b: b | {"confidence": 1.5}, "schema"),
    (lambda b: b | {"text": "X" * 40}, "schema"),
    (lambda b: b | {"camera_id": "cam-2"}, "topic_mismatch"),
    (lambda b: b | {"agreeing": 99}, "schema"),
    (lambda b: b | {"last_seen": "2020-01-01T00:00:00+00:00"}, "schema"),
])
def test_bad_messages_are_refused_with_a_reason(clock: ManualClock, change, reason) -> None:  # type: ignore[no-untyped-def]
    payload = json.dumps(change(body(clock))).encode()
    with pytest.raises(MessageRefused) as exc:
        decode(payload, topic_for(CAMERA.id))
    assert exc.value.reason == reason


def test_size_json_and_topic(clock: ManualClock) -> None:
    good = encode(make_read("AB12CDE", clock.now()), clock.now())
    for payload, topic, reason in [(good, topic_for(CAMERA.id) + "/x", "bad_topic"),
                                   (good, "other/cam-1", "bad_topic"),
                                   (b"\xff\xfe{", topic_for(CAMERA.id), "malformed"),
                                   (b"[1, 2", topic_for(CAMERA.id), "malformed"),
                                   (good, topic_for(CAMERA.id), "oversized")]:
        with pytest.raises(MessageRefused) as exc:
            decode(payload, topic, max_bytes=len(good) - 1 if reason == "oversized" else 1 << 20)
        assert exc.value.reason == reason


def test_broker_urls() -> None:
    b = Broker.parse("mqtts://ingest@broker.example:8884", {"PLATEWARDEN_MQTT_PASSWORD": "s3cret"})
    assert (b.host, b.port, b.tls, b.username, b.password) == ("broker.example", 8884, True, "ingest", "s3cret")
    assert "s3cret" not in str(b) and "s3cret" not in repr(b)
    assert Broker.parse("mqtt://127.0.0.1", {}).port == 1883
    assert Broker.parse("mqtts://h", {}).port == 8883
    for bad in ["http://h", "mqtt://", "mqtt://h/path", "mqtt://h:notaport", "mqtt://:pw@h"]:
        with pytest.raises(BrokerUrlError):
            Broker.parse(bad, {})


def test_outbox_is_sealed_and_survives_a_restart(tmp_path: Path, clock: ManualClock) -> None:
    key = bytes(range(32))
    box = Outbox(tmp_path / "o.db", key)
    reads = [make_read(f"OB{i}XYZ", clock.now() + timedelta(seconds=i), n=i) for i in range(3)]
    box.put([(r.id, topic_for(r.camera_id), encode(r, clock.now())) for r in reads])
    box.put([(reads[0].id, topic_for(reads[0].camera_id), encode(reads[0], clock.now()))])  # queued once
    box.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("o.db*"))
    assert b"OB1XYZ" not in raw and base64.b64encode(reads[0].plate_crop_jpeg)[:40] not in raw
    box = Outbox(tmp_path / "o.db", key)
    assert len(box) == 3
    first = box.peek(2, set())
    assert [decode(m, t).text for _, t, m in first] == ["OB0XYZ", "OB1XYZ"]
    assert [s for s, _, _ in box.peek(5, {first[0][0]})] == [first[1][0], first[1][0] + 1]
    box.delete([first[0][0]])
    assert len(box) == 2
    from cryptography.exceptions import InvalidTag

    with pytest.raises(InvalidTag):
        Outbox(tmp_path / "o.db", bytes(32)).peek(1, set())  # another key reads nothing


def test_central_ingest_raises_hotlist_and_zone_alerts_once(platform: Platform, clock: ManualClock) -> None:
    """Edge reads are checked centrally: a hotlist hit and a frequent-presence zone alert, neither twice when the
    same messages are delivered again."""
    from platewarden.edge.ingest import ReadIngest
    from tests.factories import activate, approve_camera, make_entry, people

    p, who = platform, people(platform)
    approve_camera(p, CAMERA, who)
    activate(p, make_entry("HOT123", clock.now()), who)
    zone = p.zones.designate(who["officer"], "Square", [(52.36, 4.88), (52.36, 4.90), (52.38, 4.90), (52.38, 4.88)],
                             "burglaries tripled around the square in 2026, case files 1-40", 3, 24,
                             clock.now() + timedelta(days=10))
    for name in ("head", "prosecutor", "ethics"):
        p.zones.decide(zone.id, who[name], True, "proportionate")
    clock.advance(timedelta(hours=3))  # the zone counts reads seen after its approval only
    reads = [make_read("HOT123", clock.now() - timedelta(hours=h), n=h) for h in range(3)]
    messages = [(topic_for(CAMERA.id), encode(r, clock.now())) for r in reads]
    ingest = ReadIngest(p)
    ingest.handle(messages)
    ingest.handle(messages)  # redelivered
    assert p.reads.count() == 3
    assert p.alert_store.count_pending() == 3  # one alert per read, none twice
    assert [(a.plate, a.sightings) for a in p.zones.alerts(who["operator"], "respond")] == [("HOT123", 3)]
