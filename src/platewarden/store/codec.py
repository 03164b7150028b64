"""Turn domain objects into sealed rows and back. The one place that knows what goes into which ciphertext."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from typing import Any

from platewarden.domain.observations import Alternative, CharConfidence
from platewarden.domain.plates import Region
from platewarden.domain.reads import Read
from platewarden.store.cipher import blind_index, seal, unseal
from platewarden.store.keyring import DayKeys


def _aad(read_id: str, column: str) -> bytes:
    return f"read|{read_id}|{column}".encode()


def read_to_row(read: Read, keys: DayKeys, key_scope: str) -> dict[str, Any]:
    payload = {"salt": os.urandom(16).hex(),
        "text": read.text, "region": read.region.value, "country": read.country, "confidence": read.confidence,
        "chars": [[c.char, c.confidence] for c in read.chars],
        "alternatives": [[a.text, a.confidence] for a in read.alternatives],
        "camera_id": read.camera_id, "latitude": read.latitude, "longitude": read.longitude,
        "last_seen": read.last_seen.isoformat(), "observations": read.observations, "agreeing": read.agreeing,
    }
    return seal_read(read.id, payload, read.plate_crop_jpeg, read.vehicle_crop_jpeg, keys.data_key) | {
        "day": read.day, "purge_day": read.day, "first_seen": read.first_seen,
        "plate_index": blind_index(keys.index_key, read.text), "key_scope": key_scope}


def seal_read(read_id: str, payload: dict[str, Any], plate_crop: bytes, vehicle_crop: bytes | None,
              key: bytes) -> dict[str, Any]:
    """The sealed columns of a read and its commitment (what the ledger's roots are built from)."""
    row: dict[str, Any] = {
        "id": read_id,
        "payload": seal(key, json.dumps(payload, separators=(",", ":")).encode(), _aad(read_id, "payload")),
        "plate_crop": seal(key, plate_crop, _aad(read_id, "plate_crop")),
        "vehicle_crop": seal(key, vehicle_crop, _aad(read_id, "vehicle_crop")) if vehicle_crop is not None else None,
    }
    row["row_digest"] = commitment(read_id, payload, plate_crop, vehicle_crop)[1]
    return row


COMMITMENT_TAG = b"platewarden-read-v1\x00"


def committed_bytes(read_id: str, payload: dict[str, Any], plate_crop: bytes, vehicle_crop: bytes | None) -> bytes:
    """The exact bytes a read's commitment covers: its fields (without the salt) and its crops' SHA-256, as JSON
    with sorted keys. An evidence package ships these bytes, so a verifier hashes them without re-serialising."""
    fields = {k: v for k, v in payload.items() if k != "salt"}
    doc = {"id": read_id, "read": fields, "plate_crop_sha256": hashlib.sha256(plate_crop).hexdigest(),
           "vehicle_crop_sha256": hashlib.sha256(vehicle_crop).hexdigest() if vehicle_crop is not None else None}
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def commitment(read_id: str, payload: dict[str, Any], plate_crop: bytes, vehicle_crop: bytes | None
               ) -> tuple[bytes, bytes]:
    """(committed bytes, SHA-256(tag || salt || committed bytes)): a hiding, binding commitment to the read's
    content. The random salt (sealed with the read) stops anyone from testing guesses of a plate against the
    ledger; revealing it with the content (an evidence package) lets anyone check the content was ingested as is,
    even after the read was re-encrypted for a case."""
    data = committed_bytes(read_id, payload, plate_crop, vehicle_crop)
    return data, hashlib.sha256(COMMITMENT_TAG + bytes.fromhex(payload["salt"]) + data).digest()


def unseal_payload(row: Any, key: bytes) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(unseal(key, row.payload, _aad(row.id, "payload")))
    return payload


def row_to_read(row: Any, key: bytes) -> Read:
    p = unseal_payload(row, key)
    first_seen = row.first_seen  # aware on every backend (schema.UtcDateTime)
    return Read(
        id=row.id, camera_id=p["camera_id"], text=p["text"], region=Region(p["region"]), country=p["country"],
        confidence=p["confidence"], chars=tuple(CharConfidence(c, v) for c, v in p["chars"]),
        alternatives=tuple(Alternative(t, v) for t, v in p["alternatives"]), first_seen=first_seen,
        last_seen=datetime.fromisoformat(p["last_seen"]), observations=p["observations"], agreeing=p["agreeing"],
        latitude=p["latitude"], longitude=p["longitude"],
        plate_crop_jpeg=unseal(key, row.plate_crop, _aad(row.id, "plate_crop")),
        vehicle_crop_jpeg=unseal(key, row.vehicle_crop, _aad(row.id, "vehicle_crop"))
        if row.vehicle_crop is not None else None,
    )
