"""Hotlist alerts: listing them (each look ledgered), the crop, and the disposition a person records."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from platewarden.api.deps import CurrentUser
from platewarden.api.schemas import (
    AlertOut,
    DispositionIn,
)
from platewarden.governance.alert_review import AlertView
from platewarden.http.common import GovernanceDep

router = APIRouter()


def _alert_out(v: AlertView) -> AlertOut:
    a, e = v.detail.alert, v.entry
    return AlertOut(id=a.id, read_text=a.raw_text, hotlist_plate=a.hotlist_plate, distance=a.distance,
                    region_verified=a.region_verified, camera_id=v.detail.camera_id, seen_at=a.created_at,
                    confidence=v.detail.confidence,
                    disposition=v.detail.disposition.disposition.value if v.detail.disposition else None,
                    hotlist_region=e.region.value if e else None, hotlist_reason=e.reason if e else None,
                    hotlist_make=e.make if e else None, hotlist_colour=e.colour if e else None,
                    hotlist_source=e.source if e else None, hotlist_added_at=e.added_at if e else None,
                    crop_url=f"/api/alerts/{a.id}/crop.jpg")


@router.get("/api/alerts", response_model=list[AlertOut], tags=["alerts"])
def list_alerts(user: CurrentUser, p: GovernanceDep, pending: bool = True) -> list[AlertOut]:
    review = p.alert_review
    views = review.pending(user) if pending else review.all(user)
    return [_alert_out(v) for v in views]


@router.get("/api/alerts/{alert_id}/crop.jpg", response_class=Response, tags=["alerts"],
            responses={200: {"content": {"image/jpeg": {}}}})
def alert_crop(alert_id: uuid.UUID, user: CurrentUser, p: GovernanceDep) -> Response:
    view = p.alert_review.open(user, str(alert_id), "crop shown")
    return Response(view.detail.plate_crop_jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.post("/api/alerts/{alert_id}/disposition", status_code=204, tags=["alerts"])
def dispose(alert_id: uuid.UUID, body: DispositionIn, user: CurrentUser, p: GovernanceDep) -> Response:
    p.alert_review.dispose(user, str(alert_id), body.disposition, body.note)
    return Response(status_code=204)

