"""The wire format, written as the attacks it stops: a broker client that forges, alters, re-signs, re-addresses or
backdates reads, or sends what is not a read at all; and receipts that are forged or re-addressed. Plus the broker
URL and the edge's sealed outbox."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest
from nacl.public import PrivateKey
from nacl.signing import SigningKey

from platewarden.domain.cameras import CameraKey
from platewarden.domain.clock import ManualClock
from platewarden.domain.reads import Read
from platewarden.edge.admission import check_key_window, check_read
from platewarden.edge.broker import Broker, BrokerUrlError
from platewarden.edge.identity import (
    CentralIdentity,
    CentralPublic,
    IdentityError,
    enroll,
    load_camera_key,
    parse_public_key,
    public_key_text,
)
from platewarden.edge.message import (
    MessageRefused,
    ReadBody,
    ReceiptBody,
    ReceiptRefused,
    encode,
    open_read,
    open_receipt,
    parse_envelope,
    sign_receipt,
    to_read,
    topic_for,
    verify_signature,
)
from platewarden.edge.outbox import Outbox
from platewarden.policy.model import EdgePolicy
from platewarden.runtime import Platform
from tests.factories import CAMERA, jpeg, make_read

CENTRAL = CentralIdentity(bytes(range(32)), bytes(range(32, 64)))
CENTRAL_PUBLIC = CENTRAL.public()
CAMERA_KEY = SigningKey(bytes(range(64, 96)))


def message(read: Read, sent_at: datetime, key: SigningKey = CAMERA_KEY,
            central: CentralPublic = CENTRAL_PUBLIC) -> bytes:
    return encode(read, sent_at, key, central)


def receive(payload: bytes, topic: str = topic_for(CAMERA.id), keys: list[SigningKey] | None = None,
            max_bytes: int = 1 << 18) -> ReadBody:
    """What central ingest does before the read's own checks."""
    env = parse_envelope(payload, topic, max_bytes)
    verify_signature(env, [k.verify_key for k in (keys or [CAMERA_KEY])])
    return open_read(env, CENTRAL)


def refused(fn, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(MessageRefused) as exc:
        fn(*args, **kwargs)
    return exc.value.reason


def test_round_trip_and_the_broker_sees_no_plate(clock: ManualClock) -> None:
    read = make_read("AB12CDE", clock.now())
    payload = message(read, clock.now())
    body = receive(payload)
    assert to_read(body, CAMERA) == read
    elsewhere = type(CAMERA)(CAMERA.id, "moved", 1.0, 2.0, None, None)
    assert (to_read(body, elsewhere).latitude, to_read(body, elsewhere).longitude) == (1.0, 2.0)
    # what a subscriber with the broker's full access gets: routing and idempotency only
    assert set(json.loads(payload)) == {"v", "camera_id", "id", "sealed", "sig"}
    for secret in (b"AB12CDE", base64.b64encode(read.plate_crop_jpeg)[:24], b"first_seen", b"latitude",
                   read.first_seen.isoformat().encode()):
        assert secret not in payload


def envelope(clock: ManualClock) -> dict:  # type: ignore[type-arg]
    return json.loads(message(make_read("AB12CDE", clock.now()), clock.now()))  # type: ignore[no-any-return]


@pytest.mark.parametrize(("change", "reason"), [
    (lambda e: e | {"extra": 1}, "schema"),
    (lambda e: e | {"v": 1}, "schema"),  # the old clear, unsigned format
    (lambda e: e | {"v": "2"}, "schema"),  # strict types
    (lambda e: {k: v for k, v in e.items() if k != "sig"}, "schema"),
    (lambda e: e | {"id": "not-a-uuid"}, "schema"),
    (lambda e: e | {"sealed": 12}, "schema"),
    (lambda e: e | {"camera_id": "cam-2"}, "topic_mismatch"),
    (lambda e: [e], "malformed"),
])
def test_bad_envelopes_are_refused_with_a_reason(clock: ManualClock, change, reason) -> None:  # type: ignore[no-untyped-def]
    payload = json.dumps(change(envelope(clock))).encode()
    assert refused(parse_envelope, payload, topic_for(CAMERA.id)) == reason


def test_size_json_depth_and_topic(clock: ManualClock) -> None:
    good = message(make_read("AB12CDE", clock.now()), clock.now())
    topic = topic_for(CAMERA.id)
    assert refused(parse_envelope, good, topic + "/x") == "bad_topic"
    assert refused(parse_envelope, good, "other/cam-1") == "bad_topic"
    assert refused(parse_envelope, b"\xff\xfe{", topic) == "malformed"
    assert refused(parse_envelope, b"[1, 2", topic) == "malformed"
    assert refused(parse_envelope, good, topic, len(good) - 1) == "oversized"
    assert refused(parse_envelope, b"[" * 100_000 + b"]" * 100_000, topic) == "malformed"  # no RecursionError
    assert refused(parse_envelope, b'{"v": 2, "camera_id": "\\ud800"}', topic) in ("schema", "malformed")


def test_forged_and_altered_messages_fail_the_signature(clock: ManualClock) -> None:
    read = make_read("AB12CDE", clock.now())
    thief = SigningKey.generate()
    assert refused(receive, message(read, clock.now(), key=thief)) == "bad_signature"  # any other key
    env = envelope(clock)
    other = json.loads(message(make_read("ZZ99ZZZ", clock.now()), clock.now()))
    swapped = json.dumps(env | {"sealed": other["sealed"]}).encode()  # a genuine ciphertext under another envelope
    assert refused(receive, swapped) == "bad_signature"
    renamed = json.dumps(env | {"id": "00000000-0000-5000-8000-000000000000"}).encode()
    assert refused(receive, renamed) == "bad_signature"
    assert refused(receive, json.dumps(env | {"sig": "AAAA"}).encode()) == "bad_signature"
    # the right key still among the camera's keys (a rotation keeps the old one for queued reads)
    assert receive(message(read, clock.now()), keys=[thief, CAMERA_KEY]).text == "AB12CDE"


def test_sealed_to_another_central_or_re_addressed(clock: ManualClock) -> None:
    read = make_read("AB12CDE", clock.now())
    elsewhere = CentralPublic(PrivateKey.generate().public_key, SigningKey.generate().verify_key)
    assert refused(receive, message(read, clock.now(), central=elsewhere)) == "undecryptable"
    # a camera key holder copies another read's sealed body into an envelope of its own, signed
    other = make_read("AB12CDE", clock.now() + timedelta(seconds=5), n=7)
    sealed = json.loads(message(other, clock.now()))["sealed"]
    from platewarden.edge.message import _read_signed_bytes

    sig = CAMERA_KEY.sign(_read_signed_bytes(CAMERA.id, read.id, sealed)).signature
    forged = json.dumps({"v": 2, "camera_id": CAMERA.id, "id": read.id, "sealed": sealed,
                         "sig": base64.b64encode(sig).decode()}).encode()
    assert refused(receive, forged) == "envelope_mismatch"


POLICY = EdgePolicy()


def body_of(read: Read, sent_at: datetime) -> ReadBody:
    return receive(message(read, sent_at))


@pytest.mark.parametrize(("text", "why"), [("=1+2<b>", "not_a_plate"), ("AB\x00C", "not_a_plate"),
                                           ("<svg onload=1>", "not_a_plate"), ("A", "not_a_plate"),
                                           ("ab12cd", "not_a_plate")])
def test_text_that_is_no_plate_is_refused(clock: ManualClock, text: str, why: str) -> None:
    body = body_of(make_read(text, clock.now()), clock.now())
    assert refused(check_read, body, clock.now(), POLICY, clock.now().date()) == why


def test_times_a_camera_may_not_claim(clock: ManualClock) -> None:
    now = clock.now()
    today = now.date() - timedelta(days=30)
    ok = body_of(make_read("AB12CDE", now - timedelta(minutes=5)), now)
    check_read(ok, now, POLICY, today)  # nothing to refuse
    late_but_fine = body_of(make_read("AB12CDE", now - timedelta(days=2)), now - timedelta(days=2))
    check_read(late_but_fine, now, POLICY, today)  # an edge back after two days offline
    future = body_of(make_read("AB12CDE", now + timedelta(minutes=59)), now + timedelta(minutes=59))
    assert refused(check_read, future, now, POLICY, today) == "future"
    ahead_of_queue = body_of(make_read("AB12CDE", now + timedelta(minutes=10)), now)
    assert refused(check_read, ahead_of_queue, now, POLICY, today) == "future"
    backdated = body_of(make_read("AB12CDE", now - timedelta(days=20)), now)
    assert refused(check_read, backdated, now, POLICY, today) == "backdated"
    too_late = body_of(make_read("AB12CDE", now - timedelta(days=8)), now - timedelta(days=8))
    assert refused(check_read, too_late, now, POLICY, today) == "late"
    stale = body_of(make_read("AB12CDE", now - timedelta(days=40)), now - timedelta(days=40))
    assert refused(check_read, stale, now, POLICY, today) == "stale"


def test_crops_that_are_not_small_jpegs(clock: ManualClock) -> None:
    now = clock.now()
    base = make_read("AB12CDE", now)
    flat_wide = cv2.imencode(".jpg", np.zeros((50, 2100, 3), np.uint8))[1].tobytes()  # small file, huge picture
    for crop, vehicle in [(b"<svg onload=alert(1)>", None), (b"\xff\xd8\xff" + b"\x00" * 100 + b"\xff\xd9", None),
                          (jpeg(1, (40, 120)), jpeg(2, (300, 250))), (flat_wide, None)]:
        body = body_of(Read(**{**base.__dict__, "plate_crop_jpeg": crop, "vehicle_crop_jpeg": vehicle}), now)
        assert refused(check_read, body, now, POLICY, now.date()) == "bad_crop"


def test_key_windows(clock: ManualClock) -> None:
    now = clock.now()
    text = public_key_text(CAMERA_KEY.verify_key)
    active = CameraKey(CAMERA.id, text, "f", now - timedelta(days=9), "import")
    retired = CameraKey(CAMERA.id, text, "f", now - timedelta(days=9), "import", retired_at=now - timedelta(hours=1))
    revoked = CameraKey(CAMERA.id, text, "f", now - timedelta(days=9), "import", revoked_at=now - timedelta(days=1))
    queued_before = body_of(make_read("AB12CDE", now - timedelta(hours=2)), now - timedelta(hours=2))
    queued_after = body_of(make_read("AB12CDE", now), now)
    check_key_window([active], 0, queued_after)
    check_key_window([retired], 0, queued_before)  # waited in the outbox across the rotation
    assert refused(check_key_window, [retired], 0, queued_after) == "retired_key"
    assert refused(check_key_window, [revoked], 0, queued_before) == "revoked_key"  # whatever it claims


def test_receipts_only_from_the_central(clock: ManualClock) -> None:
    body = ReceiptBody(camera_id=CAMERA.id, stored=[make_read("A1", clock.now()).id], issued_at=clock.now())
    signed = sign_receipt(body, CENTRAL)
    assert open_receipt(signed, CENTRAL.public()) == body
    impostor = CentralIdentity(bytes(range(32)), bytes(32))
    with pytest.raises(ReceiptRefused):
        open_receipt(sign_receipt(body, impostor), CENTRAL.public())
    unsigned = json.dumps({"v": 1, "stored": [str(body.stored[0])], "refused": []}).encode()  # the old format
    raw = json.loads(signed)
    other = base64.b64encode(body.model_copy(update={"camera_id": "cam-9"}).model_dump_json().encode()).decode()
    for bad in (unsigned, b"{", b"[" * 50_000, json.dumps(raw | {"body": other}).encode()):
        with pytest.raises(ReceiptRefused):
            open_receipt(bad, CENTRAL.public())


def test_enrolment_keeps_the_private_key_private(tmp_path: Path) -> None:
    path = tmp_path / "edge" / "cam-1.ed25519"
    public = enroll(path)
    assert path.stat().st_mode & 0o077 == 0 and path.parent.stat().st_mode & 0o077 == 0
    assert load_camera_key(path).verify_key == public
    assert parse_public_key(public_key_text(public)) == public
    with pytest.raises(IdentityError):
        enroll(path)  # never overwritten by accident
    assert enroll(path, replace=True) != public
    path.chmod(0o644)
    with pytest.raises(IdentityError, match="readable by others"):
        load_camera_key(path)
    for bad in ("", "ed25519:", "ed25519:!!!", "ed25519:" + base64.b64encode(b"short").decode(), "rsa:AAAA"):
        with pytest.raises(IdentityError):
            parse_public_key(bad)
    central = CENTRAL.public()
    assert CentralPublic.from_json(central.to_json()) == central
    for bad_file in ("{}", "not json", '{"format": "platewarden-central/1", "seal_key": "AA=="}'):
        with pytest.raises(IdentityError):
            CentralPublic.from_json(bad_file)


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
    box.put([(r.id, topic_for(r.camera_id), message(r, clock.now())) for r in reads])
    box.put([(reads[0].id, topic_for(reads[0].camera_id), message(reads[0], clock.now()))])  # queued once
    box.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("o.db*"))
    assert b"OB1XYZ" not in raw and base64.b64encode(reads[0].plate_crop_jpeg)[:40] not in raw
    box = Outbox(tmp_path / "o.db", key)
    assert len(box) == 3
    first = box.peek(2, set())
    assert [receive(m, t).text for _, t, m in first] == ["OB0XYZ", "OB1XYZ"]
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
    from tests.factories import activate, enrolled_edge, make_entry, people

    p, who = platform, people(platform)
    sealer = enrolled_edge(p, CAMERA, who)
    activate(p, make_entry("HOT123", clock.now()), who)
    zone = p.zones.designate(who["officer"], "Square", [(52.36, 4.88), (52.36, 4.90), (52.38, 4.90), (52.38, 4.88)],
                             "burglaries tripled around the square in 2026, case files 1-40", 3, 24,
                             clock.now() + timedelta(days=10))
    for name in ("head", "prosecutor", "ethics"):
        p.zones.decide(zone.id, who[name], True, "proportionate")
    clock.advance(timedelta(hours=3))  # the zone counts reads seen after its approval only
    reads = [make_read("HOT123", clock.now() - timedelta(minutes=20 * h), n=h) for h in range(3)]
    messages = [(topic_for(CAMERA.id), sealer.message(r, r.last_seen)) for r in reads]
    ingest = ReadIngest(p)
    ingest.handle(messages)
    ingest.handle(messages)  # redelivered
    assert p.reads.count() == 3
    assert p.alert_store.count_pending() == 3  # one alert per read, none twice
    assert [(a.plate, a.sightings) for a in p.zones.alerts(who["operator"], "respond")] == [("HOT123", 3)]
