"""Zone watch in the console: every zone on a map with its state and figures, designation by an officer, revocation
by a department head, prosecutor or the ethics board, and zone alerts (with plates) for operators and officers
after they state a purpose. Decisions along the chain are in the approvals inbox. Every act goes through
``ZoneWatch``, which ledgers it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from platewarden.domain.errors import Invalid, Refused
from platewarden.domain.users import User
from platewarden.governance.facade import Governance
from platewarden.governance.zones import VIEWERS, ZoneAlert
from platewarden.http.common import GovernanceDep
from platewarden.policy.model import Role
from platewarden.web.console import UserDep, allow, back, check_csrf, render
from platewarden.web.maps import map_block, tiles_of

router = APIRouter(include_in_schema=False)
REVOKERS = frozenset({Role.DEPARTMENT_HEAD, Role.PROSECUTOR, Role.ETHICS_BOARD})


def _page(request: Request, user: User, p: Governance, alerts: list[ZoneAlert] | None = None) -> HTMLResponse:
    stats = p.zones.stats()
    drawn = map_block(tiles_of(request), p.cameras.all(), None, "map of cameras and zones", [s.zone for s in stats])
    return render(request, "zones.html", user, title="Zones", stats=stats, map=drawn, alerts=alerts,
                  designates=p.zones.chain[0] in user.roles, revokes=bool(user.roles & REVOKERS),
                  views_alerts=bool(user.roles & VIEWERS), limits=p.policy.zones)


@router.get("/zones", response_class=HTMLResponse)
def zones_page(request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    allow(user, "/zones")
    return _page(request, user, p)


def _polygon(text: str) -> list[tuple[float, float]]:
    """``lat,lon; lat,lon; ...`` (one vertex per line also works)."""
    out = []
    for part in text.replace("\n", ";").split(";"):
        if part.strip():
            lat, lon = part.split(",")
            out.append((float(lat), float(lon)))
    return out


@router.post("/zones")
def zone_designate(request: Request, user: UserDep, p: GovernanceDep, csrf: Annotated[str, Form()],
                   name: Annotated[str, Form()], polygon: Annotated[str, Form()],
                   justification: Annotated[str, Form()], min_sightings: Annotated[int, Form(ge=1, le=1000)],
                   window_hours: Annotated[float, Form(gt=0, le=8760)], expires: Annotated[str, Form()]) -> Response:
    check_csrf(request, csrf, name, polygon, justification, expires)
    allow(user, "/zones")
    try:
        until = datetime.fromisoformat(expires)
        vertices = _polygon(polygon)
        z = p.zones.designate(user, name, vertices, justification, min_sightings, window_hours,
                              until if until.tzinfo else until.replace(tzinfo=UTC))
    except (Refused, Invalid, ValueError) as exc:
        return back("/zones", request, f"Refused: {exc}")
    return back("/zones", request, f"Zone {z.name} designated: it watches nothing until the chain approves it.")


@router.post("/zones/{zone_id}/revoke")
def zone_revoke(zone_id: str, request: Request, user: UserDep, p: GovernanceDep, csrf: Annotated[str, Form()],
                reason: Annotated[str, Form()]) -> Response:
    check_csrf(request, csrf, zone_id, reason)
    try:
        p.zones.revoke(zone_id, user, reason)
    except (Refused, Invalid, LookupError) as exc:
        return back("/zones", request, f"Refused: {exc}")
    return back("/zones", request, "Zone revoked: its key, tokens and alerts are destroyed.")


@router.post("/zones/alerts", response_class=HTMLResponse)
def zone_alerts(request: Request, user: UserDep, p: GovernanceDep, csrf: Annotated[str, Form()],
                purpose: Annotated[str, Form()]) -> Response:
    """The alerts with their plates, after a purpose is stated; the viewing is ledgered by the service."""
    check_csrf(request, csrf, purpose)
    allow(user, "/zones")
    try:
        alerts = p.zones.alerts(user, purpose)
    except Refused as exc:
        return back("/zones", request, f"Refused (and recorded): {exc}")
    return _page(request, user, p, alerts)
