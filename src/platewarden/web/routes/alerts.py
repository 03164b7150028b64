"""The alert queue: the crops beside the hotlist record, and what a person concluded."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse

from platewarden.domain.alerts import AlreadyDisposed, Disposition, UnknownAlert
from platewarden.http.common import GovernanceDep
from platewarden.web.console import (
    UserDep,
    allow,
    back,
    check_csrf,
    render,
)

router = APIRouter(include_in_schema=False)


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    allow(user, "/alerts")
    try:
        views = p.alert_review.pending(user)
    except PermissionError as exc:
        raise HTTPException(403, str(exc)) from exc
    return render(request, "alerts.html", user, title="Alerts", views=views, now=p.clock.now())


@router.get("/alerts/{alert_id}/crop.jpg")
def alert_crop(alert_id: str, user: UserDep, p: GovernanceDep) -> Response:
    try:
        view = p.alert_review.open(user, alert_id, "crop shown")
    except PermissionError as exc:
        raise HTTPException(403, str(exc)) from exc
    except UnknownAlert as exc:
        raise HTTPException(404, str(exc)) from exc
    return Response(view.detail.plate_crop_jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.post("/alerts/{alert_id}/disposition")
def alert_dispose(alert_id: str, request: Request, user: UserDep, p: GovernanceDep, csrf: Annotated[str, Form()],
                  disposition: Annotated[Disposition, Form()], note: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf, alert_id, note)
    try:
        p.alert_review.dispose(user, alert_id, disposition, note)
    except (ValueError, PermissionError, UnknownAlert, AlreadyDisposed) as exc:
        return back("/alerts", request, f"Not recorded: {exc}")
    return back("/alerts", request, f"Recorded: {disposition.value}.")
