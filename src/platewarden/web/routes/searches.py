"""Search requests: apply, see one, run it inside its authorization (results, track and map)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse

from platewarden.domain.approvals import ApprovalRefused
from platewarden.domain.plates import normalize_plate
from platewarden.domain.users import User
from platewarden.governance.facade import Governance
from platewarden.governance.scope import Query, Scope, ScopeError
from platewarden.governance.search import SearchRefused
from platewarden.http.common import GovernanceDep
from platewarden.investigation.trajectory import steps
from platewarden.web.console import (
    UserDep,
    allow,
    back,
    check_csrf,
    render,
)
from platewarden.web.maps import map_block, tiles_of

router = APIRouter(include_in_schema=False)


@router.get("/searches", response_class=HTMLResponse)
def searches_page(request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    allow(user, "/searches")
    try:
        mine = p.searches.visible_to(user)
    except ApprovalRefused as exc:
        raise HTTPException(403, str(exc)) from exc
    return render(request, "searches.html", user, title="Searches", requests=mine,
                  overdue={r.id for r in p.searches.overdue_reviews()})


@router.get("/searches/new", response_class=HTMLResponse)
def search_new_page(request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    allow(user, "/searches/new")
    return render(request, "search_new.html", user, title="New search", offences=p.policy.search.offences)


def _utc(value: str) -> datetime:
    dt = datetime.fromisoformat(value)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


@router.post("/searches/new")
def search_apply(request: Request, user: UserDep, p: GovernanceDep, csrf: Annotated[str, Form()],
                 case_number: Annotated[str, Form()], offence: Annotated[str, Form()],
                 time_from: Annotated[str, Form()], time_to: Annotated[str, Form()],
                 purpose: Annotated[str, Form()], justification: Annotated[str, Form()],
                 plates: Annotated[str, Form()] = "", pattern: Annotated[str, Form()] = "",
                 pattern_reason: Annotated[str, Form()] = "", cameras: Annotated[str, Form()] = "",
                 exigent: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf, case_number, offence, time_from, time_to, purpose, justification, plates, pattern,
               pattern_reason, cameras)
    try:
        scope = Scope(tuple(normalize_plate(x) for x in plates.split(",") if x.strip()),
                      pattern.strip().upper() or None, pattern_reason.strip() or None, _utc(time_from),
                      _utc(time_to), tuple(c.strip() for c in cameras.split(",") if c.strip()), None, purpose,
                      justification)
        req = p.searches.apply(user, case_number, offence, scope, exigent=bool(exigent))
    except (ScopeError, ApprovalRefused, ValueError) as exc:
        return back("/searches/new", request, f"Refused (and recorded): {exc}")
    return back(f"/searches/{req.id}", request, f"Request {req.status.value}.")


def _detail(request: Request, user: User, p: Governance, request_id: str, results: Any = None, digest: str = "",
            map_svg: str = "") -> HTMLResponse:
    try:
        r = p.searches.get(request_id)
    except KeyError as exc:
        raise HTTPException(404, "no such search request") from exc
    if r.requested_by != user.id and not user.roles & {*p.policy.approvals.historical_search[1:]}:
        raise HTTPException(403, "not your request")
    return render(request, "search_detail.html", user, title="Search", r=r, results=results, digest=digest,
                  map=map_svg)


@router.get("/searches/{request_id}", response_class=HTMLResponse)
def search_detail(request_id: str, request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    return _detail(request, user, p, request_id)


@router.post("/searches/{request_id}/run", response_class=HTMLResponse)
def search_run(request_id: str, request: Request, user: UserDep, p: GovernanceDep, csrf: Annotated[str, Form()],
               plate: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf, request_id, plate)
    try:
        r = p.searches.get(request_id)
        q = Query(plate or None, None if plate else r.scope.pattern, r.scope.time_from, r.scope.time_to,
                  r.scope.camera_ids, r.scope.area)
        res = p.searches.search(user, request_id, q)
    except (SearchRefused, KeyError) as exc:
        return back(f"/searches/{request_id}", request, f"Refused (and recorded): {exc}")
    rows = []
    track = steps(res.reads)
    for read, leg in track:  # plate by plate: no speed between two different vehicles
        speed = "—" if leg is None or leg.kmh is None else (
            f"{leg.kmh:.0f} km/h" if math.isfinite(leg.kmh) else "same moment, another place")
        if leg is not None and leg.impossible:
            speed += " — IMPOSSIBLE TRAVEL: cloned plate or misread?"
        rows.append({"read": read, "speed": speed})
    drawn = map_block(tiles_of(request), p.cameras.all(), track, "map of the sightings found")
    return _detail(request, user, p, request_id, rows, res.digest, drawn)
