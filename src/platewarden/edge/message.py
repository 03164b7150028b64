"""The edge → central wire format: one read per MQTT message, sealed, signed, versioned, checked strictly on arrival.

A message is an **envelope** in the clear with only what routing and idempotency need (version, camera, read id)
around the **read** sealed to the central's public key (text, crops, times: the broker never sees a plate), and the
camera's Ed25519 signature over both. The central verifies the signature with the key registered for the camera
before it decrypts anything, then checks the read itself (``edge.admission``).

Parsing is bounded before anything else: a size limit, then pydantic's JSON parser (depth-limited, strict types, no
unknown fields), so no payload can crash the worker; what fails is refused with a reason and quarantined. The
camera's position is not in the message at all: the central registry, not the edge, says where a camera stands.

Receipts (central → edge) are signed by the central: an edge forgets a read only on a receipt it verified.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey
from pydantic import AwareDatetime, Base64Bytes, BaseModel, ConfigDict, Field, ValidationError

from platewarden.domain.cameras import Camera
from platewarden.domain.observations import Alternative, CharConfidence
from platewarden.domain.plates import Region
from platewarden.domain.reads import Read
from platewarden.edge.identity import CentralIdentity, CentralPublic

TOPIC_PREFIX = "platewarden/reads/"
RECEIPT_PREFIX = "platewarden/stored/"  # central → edge: which reads are committed (or refused for good)
STATUS_PREFIX = "platewarden/status/"  # edge → central: the outbox's backlog, counts only, signed by the camera
MAX_MESSAGE_BYTES = 256 * 1024  # a sealed read with two crops is ~20 KB; anything near this is not a read
VERSION = 2
READ_CONTEXT = b"platewarden-read/2\n"  # domain separation: a read signature is nothing else's
RECEIPT_CONTEXT = b"platewarden-receipt/2\n"
STATUS_CONTEXT = b"platewarden-status/2\n"
MAX_STATUS_BYTES = 2_000
CAMERA_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")  # as domain/cameras.py; also MQTT-topic safe

Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class MessageRefused(ValueError):
    """A message the central ingest will not store; ``reason`` is what the refusal is counted under."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


class WireChar(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    c: str = Field(min_length=1, max_length=2, description="One character of the plate.")
    p: Probability = Field(description="Its confidence.")


class WireAlternative(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str = Field(min_length=1, max_length=16, description="Another reading of the plate.")
    confidence: Probability = Field(description="Its confidence.")


class ReadBody(BaseModel):
    """The sealed part: the read itself (version 2; version 1 was this in the clear, unsigned, and is refused)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    v: Literal[2] = Field(2, description="Format version; a central refuses versions it does not know.")
    id: UUID = Field(description="The read's deterministic id (domain.reads.read_id_for): redelivery is idempotent.")
    camera_id: str = Field(pattern=CAMERA_ID.pattern, description="Must equal the envelope's (and the topic's).")
    text: str = Field(min_length=1, max_length=16, description="The fused plate text.")
    region: Region = Field(description="Plate style region.")
    country: str | None = Field(None, max_length=3, description="ISO 3166 alpha-2 where knowable.")
    confidence: Probability = Field(description="Confidence of the fused text.")
    chars: list[WireChar] = Field(max_length=16, description="Per-character confidences.")
    alternatives: list[WireAlternative] = Field(max_length=8, description="Other readings, best first.")
    first_seen: AwareDatetime = Field(description="First frame with the plate.")
    last_seen: AwareDatetime = Field(description="Last frame with the plate.")
    observations: int = Field(ge=1, le=100_000, description="Frames fused.")
    agreeing: int = Field(ge=0, le=100_000, description="Frames that agree with the text.")
    plate_crop: Base64Bytes = Field(description="JPEG of the plate, base64.")
    vehicle_crop: Base64Bytes | None = Field(None, description="Small JPEG of the vehicle, base64.")
    sent_at: AwareDatetime = Field(description="When the edge queued it (time checks, latency).")


class Envelope(BaseModel):
    """The clear part: routing and idempotency only, and the camera's signature over it and the sealed read."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    v: Literal[2] = Field(description="Format version.")
    camera_id: str = Field(pattern=CAMERA_ID.pattern, description="Must equal the topic's camera.")
    id: str = Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                    description="The read's id (receipts name it).")
    sealed: str = Field(max_length=MAX_MESSAGE_BYTES, description="The read, sealed to the central (base64).")
    sig: str = Field(max_length=100, description="Ed25519 signature of the camera (base64).")

    def signed_bytes(self) -> bytes:
        return _read_signed_bytes(self.camera_id, self.id, self.sealed)


def _read_signed_bytes(camera_id: str, read_id: str, sealed_b64: str) -> bytes:
    return READ_CONTEXT + f"{camera_id}\n{read_id}\n{sealed_b64}".encode()


class ReceiptBody(BaseModel):
    """Central → edge, after the commit: the edge deletes these reads from its outbox. A PUBACK only says the
    broker has a message; a broker can still lose it (a crash without persistence, a full queue, a restart while
    no shared-subscription member is connected), so the edge keeps each read until its receipt, and publishes
    again reads whose receipt does not come. Signed by the central: a broker client cannot forge one."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    v: Literal[2] = Field(2, description="Format version.")
    camera_id: str = Field(pattern=CAMERA_ID.pattern, description="The camera whose reads these are.")
    stored: list[UUID] = Field(default_factory=list, max_length=10_000, description="Reads now in the store.")
    refused: list[UUID] = Field(default_factory=list, max_length=10_000,
                                description="Reads the central will never store (stale, unapproved camera).")
    issued_at: AwareDatetime = Field(description="When the central issued it.")


class SignedReceipt(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    body: str = Field(max_length=2_000_000, description="The receipt body, JSON, base64.")
    sig: str = Field(max_length=100, description="The central's Ed25519 signature (base64).")


class ReceiptRefused(ValueError):
    """A receipt the edge will not act on (forged, for another camera, malformed)."""


def topic_for(camera_id: str) -> str:
    return TOPIC_PREFIX + camera_id


def receipt_topic(camera_id: str) -> str:
    return RECEIPT_PREFIX + camera_id


def camera_of_topic(topic: str) -> str | None:
    """The camera a topic names, or None when the topic is not one of ours or the id is not a valid camera id."""
    if not topic.startswith(TOPIC_PREFIX):
        return None
    cam = topic[len(TOPIC_PREFIX):]
    return cam if CAMERA_ID.match(cam) else None


def encode(read: Read, sent_at: datetime, camera_key: SigningKey, central: CentralPublic) -> bytes:
    """The message an edge publishes for one read: sealed to the central, signed with the camera's key."""
    body = {
        "v": VERSION, "id": read.id, "camera_id": read.camera_id, "text": read.text, "region": read.region.value,
        "country": read.country, "confidence": read.confidence,
        "chars": [{"c": c.char, "p": c.confidence} for c in read.chars],
        "alternatives": [{"text": a.text, "confidence": a.confidence} for a in read.alternatives],
        "first_seen": read.first_seen.isoformat(), "last_seen": read.last_seen.isoformat(),
        "observations": read.observations, "agreeing": read.agreeing,
        "plate_crop": _b64(read.plate_crop_jpeg),
        "vehicle_crop": _b64(read.vehicle_crop_jpeg) if read.vehicle_crop_jpeg is not None else None,
        "sent_at": sent_at.isoformat(),
    }
    sealed = _b64(central.seal(json.dumps(body, separators=(",", ":")).encode()))
    sig = camera_key.sign(_read_signed_bytes(read.camera_id, read.id, sealed)).signature
    return json.dumps({"v": VERSION, "camera_id": read.camera_id, "id": read.id, "sealed": sealed,
                       "sig": _b64(sig)}, separators=(",", ":")).encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        return None


def payload_digest(payload: bytes) -> str:
    """How a refused message is named in quarantine and the ledger (never its content)."""
    return hashlib.sha256(payload).hexdigest()


def parse_envelope(payload: bytes, topic: str, max_bytes: int = MAX_MESSAGE_BYTES) -> Envelope:
    """The clear part of a message received on ``topic``, parsed with bounds; raises MessageRefused."""
    if len(payload) > max_bytes:
        raise MessageRefused("oversized", f"{len(payload)} bytes, limit {max_bytes}")
    cam = camera_of_topic(topic)
    if cam is None:
        raise MessageRefused("bad_topic", f"topic {topic[:100]!r} does not name a camera")
    try:
        env = Envelope.model_validate_json(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        if first["type"].startswith("json_") or first["type"] in ("recursion_loop", "model_type"):
            raise MessageRefused("malformed", f"not a JSON object: {first['msg']}") from None
        where = ".".join(map(str, first["loc"]))
        raise MessageRefused("schema", f"{where}: {first['msg']} ({exc.error_count()} errors)") from None
    if env.camera_id != cam:
        raise MessageRefused("topic_mismatch", f"message for camera {env.camera_id!r} on the topic of {cam!r}")
    return env


def verify_signature(env: Envelope, keys: list[VerifyKey]) -> int:
    """Which of the camera's keys signed the envelope (its index); raises MessageRefused("bad_signature")."""
    sig = _unb64(env.sig)
    if sig is None or len(sig) != 64:
        raise MessageRefused("bad_signature", "the signature is not 64 bytes of base64")
    signed = env.signed_bytes()
    for i, key in enumerate(keys):
        try:
            key.verify(signed, sig)
            return i
        except BadSignatureError:
            continue
    raise MessageRefused("bad_signature", f"not signed by a key registered for camera {env.camera_id}")


def open_read(env: Envelope, central: CentralIdentity) -> ReadBody:
    """Decrypt and parse the sealed read (only after its signature verified); raises MessageRefused."""
    sealed = _unb64(env.sealed)
    plain = central.unseal(sealed) if sealed is not None else None
    if plain is None:
        raise MessageRefused("undecryptable", "not sealed to this central, or altered")
    try:
        body = ReadBody.model_validate_json(plain)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise MessageRefused("schema", f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
                                       f" ({exc.error_count()} errors)") from None
    if body.camera_id != env.camera_id or str(body.id) != env.id:
        raise MessageRefused("envelope_mismatch", "the sealed read names another camera or read than its envelope")
    if body.last_seen < body.first_seen or body.agreeing > body.observations:
        raise MessageRefused("schema", "inconsistent times or counts")
    return body


def to_read(body: ReadBody, camera: Camera) -> Read:
    """The domain Read, placed where the registry says the camera stands."""
    return Read(id=str(body.id), camera_id=camera.id, text=body.text, region=body.region, country=body.country,
                confidence=body.confidence, chars=tuple(CharConfidence(c.c, c.p) for c in body.chars),
                alternatives=tuple(Alternative(a.text, a.confidence) for a in body.alternatives),
                first_seen=body.first_seen, last_seen=body.last_seen, observations=body.observations,
                agreeing=body.agreeing, latitude=camera.latitude, longitude=camera.longitude,
                plate_crop_jpeg=body.plate_crop, vehicle_crop_jpeg=body.vehicle_crop)


def sign_receipt(body: ReceiptBody, central: CentralIdentity) -> bytes:
    raw = body.model_dump_json().encode()
    return SignedReceipt(body=_b64(raw), sig=_b64(central.sign(RECEIPT_CONTEXT + raw))).model_dump_json().encode()


def open_receipt(payload: bytes, central: CentralPublic, max_bytes: int = 4_000_000) -> ReceiptBody:
    """A receipt verified with the central's key; raises ReceiptRefused for anything else."""
    if len(payload) > max_bytes:
        raise ReceiptRefused("oversized receipt")
    try:
        signed = SignedReceipt.model_validate_json(payload)
    except ValidationError as exc:
        raise ReceiptRefused(f"malformed receipt: {exc.errors()[0]['msg']}") from None
    raw, sig = _unb64(signed.body), _unb64(signed.sig)
    if raw is None or sig is None:
        raise ReceiptRefused("malformed receipt: bad base64")
    try:
        central.receipt_key.verify(RECEIPT_CONTEXT + raw, sig)
    except (BadSignatureError, ValueError):
        raise ReceiptRefused("receipt not signed by the central") from None
    try:
        return ReceiptBody.model_validate_json(raw)
    except ValidationError as exc:
        raise ReceiptRefused(f"malformed receipt body: {exc.errors()[0]['msg']}") from None


class StatusBody(BaseModel):
    """Edge → central, every minute or so: how many reads wait in the camera's outbox. The central cannot see into
    an edge; without this a dispatcher learns of a backlog (a broker outage, a refused key) only when the reads stop.
    Counts only (no plate, no time of any read), so it travels in the clear, signed by the camera's key like its
    reads: a broker client can neither forge a report nor, by replaying an old one, hide a backlog (the central
    keeps the newest report by the edge's own clock)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    v: Literal[2] = Field(description="Format version.")
    camera_id: str = Field(pattern=CAMERA_ID.pattern, description="Must equal the topic's camera.")
    unsent: int = Field(ge=0, le=100_000_000, description="Reads in the outbox not yet published.")
    awaiting_receipt: int = Field(ge=0, le=100_000_000, description="Reads published, awaiting the central's receipt.")
    reported_at: str = Field(max_length=40, description="When the edge counted (ISO 8601 with zone).")


class SignedStatus(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    body: str = Field(max_length=MAX_STATUS_BYTES, description="The status body, JSON, base64.")
    sig: str = Field(max_length=100, description="The camera's Ed25519 signature (base64).")


def status_topic(camera_id: str) -> str:
    return STATUS_PREFIX + camera_id


def encode_status(camera_id: str, unsent: int, awaiting_receipt: int, at: datetime, camera_key: SigningKey) -> bytes:
    raw = StatusBody(v=2, camera_id=camera_id, unsent=unsent, awaiting_receipt=awaiting_receipt,
                     reported_at=at.isoformat()).model_dump_json().encode()
    return SignedStatus(body=_b64(raw), sig=_b64(camera_key.sign(STATUS_CONTEXT + raw).signature)
                        ).model_dump_json().encode()


def open_status(payload: bytes, topic: str, keys: list[VerifyKey]) -> tuple[StatusBody, datetime]:
    """A status report verified with one of the camera's keys, and its time; raises MessageRefused."""
    if len(payload) > 2 * MAX_STATUS_BYTES:
        raise MessageRefused("oversized", f"{len(payload)} bytes for a status report")
    cam = topic[len(STATUS_PREFIX):] if topic.startswith(STATUS_PREFIX) else ""
    if not CAMERA_ID.match(cam):
        raise MessageRefused("bad_topic", f"topic {topic[:100]!r} does not name a camera")
    try:
        signed = SignedStatus.model_validate_json(payload)
    except ValidationError as exc:
        raise MessageRefused("malformed", f"status report: {exc.errors()[0]['msg']}") from None
    raw, sig = _unb64(signed.body), _unb64(signed.sig)
    if raw is None or sig is None or len(sig) != 64:
        raise MessageRefused("malformed", "status report: bad base64")
    for key in keys:
        try:
            key.verify(STATUS_CONTEXT + raw, sig)
            break
        except BadSignatureError:
            continue
    else:
        raise MessageRefused("bad_signature", f"status report not signed by a key registered for camera {cam}")
    try:
        body = StatusBody.model_validate_json(raw)
        at = datetime.fromisoformat(body.reported_at)
    except (ValidationError, ValueError) as exc:
        raise MessageRefused("schema", f"status report body: {str(exc).splitlines()[0][:200]}") from None
    if body.camera_id != cam:
        raise MessageRefused("topic_mismatch", f"status of camera {body.camera_id!r} on the topic of {cam!r}")
    if at.tzinfo is None:
        raise MessageRefused("schema", "status report time without a zone")
    return body, at
