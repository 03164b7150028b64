"""Zone watch (seed §2.2): a designated area where a vehicle seen often raises an alert. Pure rules: the polygon,
the frequency test, and what a designation must state. The service (governance/zones.py) keeps sightings only as
keyed tokens, so nobody sees a plate unless the frequency test fires.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from platewarden.domain.approvals import Step
from platewarden.domain.errors import Invalid

EARTH_RADIUS_KM = 6371.0088


class ZoneError(Invalid):
    """A designation that does not meet the rules; nothing is stored."""


class ZoneStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"
    EXPIRED = "expired"
    REVOKED = "revoked"


Polygon = tuple[tuple[float, float], ...]  # (latitude, longitude) vertices, not repeated at the end


@dataclass(frozen=True)
class Zone:
    id: str
    name: str
    polygon: Polygon
    justification: str
    min_sightings: int
    window: timedelta
    requested_by: str
    requested_at: datetime
    expires_at: datetime
    status: ZoneStatus
    status_reason: str | None
    steps: tuple[Step, ...] = ()
    activated_at: datetime | None = None  # when the last approval made it active

    def watching(self, at: datetime) -> bool:
        """Whether a read seen at ``at`` counts: the zone is active, and ``at`` lies between its activation and its
        expiry. A read from before the zone was approved never counts, whenever it is processed."""
        started = self.activated_at or self.requested_at
        return self.status is ZoneStatus.ACTIVE and started <= at < self.expires_at

    def expired(self, now: datetime) -> bool:
        """Past its expiry but not yet ended (its key and tokens still exist)."""
        return self.status in (ZoneStatus.ACTIVE, ZoneStatus.PENDING) and now >= self.expires_at

    def contains(self, latitude: float, longitude: float) -> bool:
        return point_in_polygon(latitude, longitude, self.polygon)


def point_in_polygon(lat: float, lon: float, polygon: Sequence[tuple[float, float]]) -> bool:
    """Even-odd rule on the (lat, lon) plane: adequate for city-sized zones away from the antimeridian."""
    inside = False
    n = len(polygon)
    for i in range(n):
        (y1, x1), (y2, x2) = polygon[i], polygon[(i + 1) % n]
        if (y1 > lat) != (y2 > lat):
            x_cross = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < x_cross:
                inside = not inside
    return inside


def area_km2(polygon: Sequence[tuple[float, float]]) -> float:
    """Shoelace area after an equirectangular projection at the polygon's mean latitude (city scale)."""
    lat0 = math.radians(sum(p[0] for p in polygon) / len(polygon))
    pts = [(math.radians(lon) * math.cos(lat0) * EARTH_RADIUS_KM, math.radians(lat) * EARTH_RADIUS_KM)
           for lat, lon in polygon]
    s = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1], strict=True))
    return abs(s) / 2


def check_designation(polygon: Sequence[tuple[float, float]], justification: str, min_sightings: int,
                      window: timedelta, requested_at: datetime, expires_at: datetime, floor_sightings: int,
                      max_window: timedelta, max_duration: timedelta) -> None:
    if not 3 <= len(polygon) <= 200:
        raise ZoneError("a zone is a polygon of 3 to 200 vertices")
    for lat, lon in polygon:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ZoneError(f"vertex ({lat}, {lon}) is not a latitude/longitude")
    if area_km2(polygon) <= 0:
        raise ZoneError("the polygon has no area")
    if len(justification.strip()) < 30:
        raise ZoneError("justify the zone (at least 30 characters): the evidence that this area needs watching")
    if min_sightings < floor_sightings:
        raise ZoneError(f"an alert needs at least {floor_sightings} sightings (policy)")
    if not timedelta(minutes=10) <= window <= max_window:
        raise ZoneError(f"the window must be between 10 minutes and {max_window} (policy)")
    if not requested_at < expires_at <= requested_at + max_duration:
        raise ZoneError(f"a zone expires within {max_duration.days} days (policy)")


def frequent(times: Sequence[datetime], at: datetime, min_sightings: int, window: timedelta) -> bool:
    """Whether at least ``min_sightings`` of ``times`` fall within ``window`` ending at ``at``."""
    return sum(1 for t in times if at - window <= t <= at) >= min_sightings
