"""Turn domain objects into sealed rows and back. The one place that knows what goes into which ciphertext."""

from __future__ import annotations

import json
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
    payload = {
        "text": read.text, "region": read.region.value, "country": read.country, "confidence": read.confidence,
        "chars": [[c.char, c.confidence] for c in read.chars],
        "alternatives": [[a.text, a.confidence] for a in read.alternatives],
        "camera_id": read.camera_id, "latitude": read.latitude, "longitude": read.longitude,
        "last_seen": read.last_seen.isoformat(), "observations": read.observations, "agreeing": read.agreeing,
    }
    k = keys.data_key
    return {
        "id": read.id, "day": read.day, "first_seen": read.first_seen,
        "plate_index": blind_index(keys.index_key, read.text),
        "payload": seal(k, json.dumps(payload, separators=(",", ":")).encode(), _aad(read.id, "payload")),
        "plate_crop": seal(k, read.plate_crop_jpeg, _aad(read.id, "plate_crop")),
        "vehicle_crop": seal(k, read.vehicle_crop_jpeg, _aad(read.id, "vehicle_crop"))
        if read.vehicle_crop_jpeg is not None else None,
        "key_scope": key_scope,
    }


def row_to_read(row: Any, key: bytes) -> Read:
    p = json.loads(unseal(key, row.payload, _aad(row.id, "payload")))
    first_seen = row.first_seen
    if first_seen.tzinfo is None:  # SQLite returns naive datetimes; we store UTC only
        from datetime import UTC

        first_seen = first_seen.replace(tzinfo=UTC)
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
