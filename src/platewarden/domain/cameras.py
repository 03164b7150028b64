"""Cameras: where reads come from. A read is always bound to a registered camera and its position."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

_CAMERA_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_JURISDICTION = re.compile(r"^[a-z]{2,4}(-[a-z]{2,3})?(:[0-9]*\.?[0-9]+)?$")


@dataclass(frozen=True)
class Camera:
    id: str
    name: str
    latitude: float
    longitude: float
    heading_deg: float | None
    road_segment: str | None
    # where this camera's plates come from ("us-ca", "us-ca:0.7"): a hint for the reader that overrides the policy's
    # ``recognition.jurisdictions``; empty means the policy's. Checked against the plate formats by governance.
    jurisdictions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _CAMERA_ID.match(self.id):
            raise ValueError(f"camera id {self.id!r}: use 1-64 letters, digits, '.', '_' or '-'")
        if not -90 <= self.latitude <= 90:
            raise ValueError(f"camera {self.id}: latitude {self.latitude} is outside -90..90")
        if not -180 <= self.longitude <= 180:
            raise ValueError(f"camera {self.id}: longitude {self.longitude} is outside -180..180")
        if self.heading_deg is not None and not 0 <= self.heading_deg < 360:
            raise ValueError(f"camera {self.id}: heading {self.heading_deg} is outside 0..360")
        if any(not _JURISDICTION.match(j) for j in self.jurisdictions):
            raise ValueError(f"camera {self.id}: jurisdictions are codes such as us-ca or us-ca:0.7, not "
                             f"{list(self.jurisdictions)}")

    @property
    def jurisdiction_text(self) -> str:
        """The hint as stored and as ``--region`` takes it ("" when the policy's applies)."""
        return ",".join(self.jurisdictions)


def jurisdictions_from_text(text: str | None) -> tuple[str, ...]:
    """The stored (comma-separated) form back into codes."""
    return tuple(j.strip() for j in (text or "").split(",") if j.strip())


@dataclass(frozen=True)
class CameraKey:
    """A camera's registered signing key (the public half) and its life: registered with the camera's approval or a
    rotation, retired by the next rotation, revoked when it may have been stolen."""

    camera_id: str
    public_key: str  # "ed25519:BASE64"
    fingerprint: str
    registered_at: datetime
    registered_via: str
    retired_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def state(self) -> str:
        return "revoked" if self.revoked_at else "retired" if self.retired_at else "active"

    def accepts(self, sent_at: datetime) -> bool:
        """Whether a read the edge says it queued at ``sent_at`` may carry this key's signature: never after a
        revocation; after a rotation only reads queued before it (they waited in the outbox)."""
        if self.revoked_at is not None:
            return False
        return self.retired_at is None or sent_at < self.retired_at
