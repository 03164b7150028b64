"""Zone watch over HTTP: zones and their figures are public; designation and decisions follow the policy's chain;
alerts (with plates) are for operators and officers, and each viewing is ledgered."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, Field

from platewarden.api.deps import CurrentUser
from platewarden.api.schemas import ApiInput
from platewarden.domain.zones import Zone
from platewarden.http.common import GovernanceDep

zones_router = APIRouter(tags=["zones"])


class ZoneIn(ApiInput):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    polygon: Annotated[list[tuple[float, float]], Field(min_length=3, max_length=200)]
    justification: Annotated[str, Field(min_length=1, max_length=5000)]
    min_sightings: Annotated[int, Field(ge=1, le=1000)]
    window_hours: Annotated[float, Field(gt=0, le=24 * 365)]
    expires_at: AwareDatetime


class ZoneDecisionIn(ApiInput):
    approve: bool
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class ZoneRevokeIn(ApiInput):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class ZoneOut(BaseModel):
    id: str
    name: str
    polygon: list[tuple[float, float]]
    min_sightings: int
    window_hours: float
    expires_at: datetime
    status: str
    approvals: int


class ZoneFiguresOut(ZoneOut):
    cameras: int
    area_km2: float
    cameras_per_km2: float
    sightings: int
    alerts: int


class ZoneAlertOut(BaseModel):
    id: str
    zone_id: str
    created_at: datetime
    sightings: int
    plate: str
    read_ids: list[str]


def _out(z: Zone) -> dict[str, object]:
    return {"id": z.id, "name": z.name, "polygon": list(z.polygon), "min_sightings": z.min_sightings,
            "window_hours": z.window.total_seconds() / 3600, "expires_at": z.expires_at, "status": z.status.value,
            "approvals": sum(s.decision == "approved" for s in z.steps)}


@zones_router.get("/api/public/zones", response_model=list[ZoneFiguresOut], tags=["public"])
def public_zones(p: GovernanceDep) -> list[ZoneFiguresOut]:
    """Every zone with its camera density and alert count (no plates)."""
    return [ZoneFiguresOut(**_out(s.zone), cameras=s.cameras, area_km2=round(s.area_km2, 4),  # type: ignore[arg-type]
                           cameras_per_km2=round(s.cameras_per_km2, 3), sightings=s.sightings, alerts=s.alerts)
            for s in p.zones.stats()]


@zones_router.post("/api/zones", response_model=ZoneOut, status_code=201)
def designate(body: ZoneIn, user: CurrentUser, p: GovernanceDep) -> ZoneOut:
    z = p.zones.designate(user, body.name, list(body.polygon), body.justification, body.min_sightings,
                          body.window_hours, body.expires_at)  # refusals 403, a bad zone 422 (server.ERROR_STATUS)
    return ZoneOut(**_out(z))  # type: ignore[arg-type]


@zones_router.post("/api/zones/{zone_id}/decision", response_model=ZoneOut)
def decide(zone_id: uuid.UUID, body: ZoneDecisionIn, user: CurrentUser, p: GovernanceDep) -> ZoneOut:
    z = p.zones.decide(str(zone_id), user, body.approve, body.reason)  # 404 no such zone, 403 refused
    return ZoneOut(**_out(z))  # type: ignore[arg-type]


@zones_router.post("/api/zones/{zone_id}/revoke", status_code=204)
def revoke(zone_id: uuid.UUID, body: ZoneRevokeIn, user: CurrentUser, p: GovernanceDep) -> None:
    """End a zone before its expiry: its key, presence tokens and alerts are destroyed at once (ledgered)."""
    p.zones.revoke(str(zone_id), user, body.reason)


@zones_router.get("/api/zones/alerts", response_model=list[ZoneAlertOut])
def zone_alerts(purpose: str, user: CurrentUser, p: GovernanceDep) -> list[ZoneAlertOut]:
    shown = p.zones.alerts(user, purpose)
    return [ZoneAlertOut(id=a.id, zone_id=a.zone_id, created_at=a.created_at, sightings=a.sightings, plate=a.plate,
                         read_ids=list(a.read_ids)) for a in shown]
