"""A Read: one vehicle's plate as seen by one camera, fused over the frames in which it was visible."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from platewarden.domain.observations import Alternative, CharConfidence
from platewarden.domain.plates import Region

READ_NAMESPACE = uuid.UUID("6f1c2b8e-2d7a-4f59-9b7e-5e0c4a1d9a31")


def read_id_for(camera_id: str, first_seen: datetime, track_no: int) -> str:
    """Deterministic id: replaying the same video or retrying an upload yields the same id, so ingestion is
    idempotent."""
    return str(uuid.uuid5(READ_NAMESPACE, f"{camera_id}|{first_seen.isoformat()}|{track_no}"))


@dataclass(frozen=True)
class Read:
    id: str
    camera_id: str
    text: str
    region: Region
    country: str | None
    confidence: float
    chars: tuple[CharConfidence, ...]
    alternatives: tuple[Alternative, ...]
    first_seen: datetime
    last_seen: datetime
    observations: int
    agreeing: int
    latitude: float
    longitude: float
    plate_crop_jpeg: bytes
    vehicle_crop_jpeg: bytes | None

    def __post_init__(self) -> None:
        if self.first_seen.tzinfo is None or self.last_seen.tzinfo is None:
            raise ValueError("read times must be timezone-aware")
        if self.last_seen < self.first_seen:
            raise ValueError("a read cannot end before it starts")
        if not 0 <= self.agreeing <= self.observations:
            raise ValueError("agreeing observations must be between 0 and the number of observations")

    @property
    def day(self) -> date:
        """The retention partition the read belongs to (UTC day of first sighting)."""
        return self.first_seen.date()
