"""The edge → central wire format: one read per MQTT message, versioned JSON, validated strictly on arrival.

Why strict: the central store trusts nothing the network hands it. A message is refused (and counted) when it is
larger than the limit, not JSON, not exactly this schema (unknown fields too: ``extra="forbid"``), or claims a
camera other than its topic's. The camera's position is not in the message at all: the central registry, not the
edge, says where a camera stands.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, Base64Bytes, BaseModel, ConfigDict, Field, ValidationError

from platewarden.domain.cameras import Camera
from platewarden.domain.observations import Alternative, CharConfidence
from platewarden.domain.plates import Region
from platewarden.domain.reads import Read

TOPIC_PREFIX = "platewarden/reads/"
RECEIPT_PREFIX = "platewarden/stored/"  # central → edge: which reads are committed (or refused for good)
MAX_MESSAGE_BYTES = 512 * 1024  # a read with two crops is ~15 KB; anything near this is not a read
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


class ReadMessage(BaseModel):
    """Version 1 of a published read."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    v: Literal[1] = Field(1, description="Format version; a central refuses versions it does not know.")
    id: UUID = Field(description="The read's deterministic id (domain.reads.read_id_for): redelivery is idempotent.")
    camera_id: str = Field(pattern=CAMERA_ID.pattern, description="Must equal the topic's camera.")
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
    sent_at: AwareDatetime = Field(description="When the edge first queued it (latency, diagnosis).")


class Receipt(BaseModel):
    """Central → edge, after the commit: the edge deletes these reads from its outbox. A PUBACK only says the
    broker has a message; a broker can still lose it (a crash without persistence, a full queue, a restart while
    no shared-subscription member is connected), so the edge keeps each read until its receipt, and publishes
    again reads whose receipt does not come."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    v: Literal[1] = Field(1, description="Format version.")
    stored: list[UUID] = Field(default_factory=list, max_length=10_000, description="Reads now in the store.")
    refused: list[UUID] = Field(default_factory=list, max_length=10_000,
                                description="Reads the central will never store (stale, unapproved camera).")


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


def encode(read: Read, sent_at: datetime) -> bytes:
    body = {
        "v": 1, "id": read.id, "camera_id": read.camera_id, "text": read.text, "region": read.region.value,
        "country": read.country, "confidence": read.confidence,
        "chars": [{"c": c.char, "p": c.confidence} for c in read.chars],
        "alternatives": [{"text": a.text, "confidence": a.confidence} for a in read.alternatives],
        "first_seen": read.first_seen.isoformat(), "last_seen": read.last_seen.isoformat(),
        "observations": read.observations, "agreeing": read.agreeing,
        "plate_crop": _b64(read.plate_crop_jpeg),
        "vehicle_crop": _b64(read.vehicle_crop_jpeg) if read.vehicle_crop_jpeg is not None else None,
        "sent_at": sent_at.isoformat(),
    }
    return json.dumps(body, separators=(",", ":")).encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def decode(payload: bytes, topic: str, max_bytes: int = MAX_MESSAGE_BYTES) -> ReadMessage:
    """Validate a message received on ``topic``; raises MessageRefused."""
    if len(payload) > max_bytes:
        raise MessageRefused("oversized", f"{len(payload)} bytes, limit {max_bytes}")
    cam = camera_of_topic(topic)
    if cam is None:
        raise MessageRefused("bad_topic", f"topic {topic[:100]!r} does not name a camera")
    try:
        raw = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MessageRefused("malformed", f"not JSON: {exc}") from None
    try:
        msg = ReadMessage.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise MessageRefused("schema", f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
                                       f" ({exc.error_count()} errors)") from None
    if msg.camera_id != cam:
        raise MessageRefused("topic_mismatch", f"message for camera {msg.camera_id!r} on the topic of {cam!r}")
    if msg.last_seen < msg.first_seen or msg.agreeing > msg.observations:
        raise MessageRefused("schema", "inconsistent times or counts")
    return msg


def to_read(msg: ReadMessage, camera: Camera) -> Read:
    """The domain Read, placed where the registry says the camera stands."""
    return Read(id=str(msg.id), camera_id=camera.id, text=msg.text, region=msg.region, country=msg.country,
                confidence=msg.confidence, chars=tuple(CharConfidence(c.c, c.p) for c in msg.chars),
                alternatives=tuple(Alternative(a.text, a.confidence) for a in msg.alternatives),
                first_seen=msg.first_seen, last_seen=msg.last_seen, observations=msg.observations,
                agreeing=msg.agreeing, latitude=camera.latitude, longitude=camera.longitude,
                plate_crop_jpeg=msg.plate_crop, vehicle_crop_jpeg=msg.vehicle_crop)
