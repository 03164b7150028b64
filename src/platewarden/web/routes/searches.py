"""Search requests: apply, see one with its history and whose turn it is, run it inside its authorization (results
page by page with crop thumbnails, tracks kept apart per plate, the map), export the results, ask to hold them."""

from __future__ import annotations

import base64
import math
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse

from platewarden.domain.approvals import ApprovalRefused, next_level
from platewarden.domain.plates import normalize_plate
from platewarden.domain.users import User
from platewarden.governance.facade import Governance
from platewarden.governance.scope import Query, Scope, ScopeError
from platewarden.governance.search import SearchRefused, SearchRequest, Status
from platewarden.http.common import GovernanceDep
from platewarden.investigation.search_export import ExportFormat
from platewarden.investigation.trajectory import steps
from platewarden.web.console import (
    UserDep,
    allow,
    back,
    check_csrf,
    person_label,
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


PAGE_SIZE = 50


def _next_step(p: Governance, r: SearchRequest, now: datetime) -> str:
    """Whose turn it is, in words: the request page answers "what is this waiting for?"."""
    chain = p.policy.approvals.historical_search
    if r.status is Status.PENDING:
        level = next_level(chain, list(r.steps))
        return "nothing: the chain is complete" if level is None else \
            f"a {chain[level].value.replace('_', ' ')} must decide (level {level + 1} of {len(chain)})"
    if r.status is Status.EXIGENT:
        done = {s.role for s in r.steps}
        left = [role.value.replace("_", " ") for role in chain[1:] if role not in done]
        review = f"; review after the fact by: {', '.join(left)}" if left else "; reviewed"
        return ("the applicant may run it" if r.active_at(now) else "nobody: the exigent window has ended") + review
    if r.status is Status.ACTIVE:
        return "the applicant may run it" if r.active_at(now) else "nobody: the authorization has expired"
    return f"nobody: the request was {r.status.value}"


def _detail(request: Request, user: User, p: Governance, request_id: str, results: list[dict[str, Any]] | None = None,
            digest: str = "", map_svg: str = "", page: int = 0, total: int = 0, plate: str = "") -> HTMLResponse:
    try:
        r = p.searches.get(request_id)
    except KeyError as exc:
        raise HTTPException(404, "no such search request") from exc
    if r.requested_by != user.id and not user.roles & {*p.policy.approvals.historical_search[1:]}:
        raise HTTPException(403, "not your request")
    now = p.clock.now()
    history = [{"who": person_label(p, r.requested_by), "what": "applied", "at": r.requested_at, "reason": ""}] + [
        {"who": person_label(p, s.decided_by), "what": f"{s.decision} as {s.role.value.replace('_', ' ')}",
         "at": s.decided_at, "reason": s.reason} for s in r.steps]
    pages = max(1, math.ceil(total / PAGE_SIZE))
    return render(request, "search_detail.html", user, title="Search", r=r, results=results, digest=digest,
                  map=map_svg, history=history, next_step=_next_step(p, r, now),
                  can_run=r.requested_by == user.id and r.active_at(now), page=page, pages=pages, total=total,
                  plate=plate if results is not None else (r.scope.plates[0] if r.scope.plates else ""))


@router.get("/searches/{request_id}", response_class=HTMLResponse)
def search_detail(request_id: str, request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    return _detail(request, user, p, request_id)


def _query(r: SearchRequest, plate: str) -> Query:
    return Query(normalize_plate(plate) if plate.strip() else None, None if plate.strip() else r.scope.pattern,
                 r.scope.time_from, r.scope.time_to, r.scope.camera_ids, r.scope.area)


def _thumbnail(jpeg: bytes) -> str:
    """The plate crop inline (``data:``): it comes out of the same ledgered run as the row, no second door."""
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()


@router.post("/searches/{request_id}/run", response_class=HTMLResponse)
def search_run(request_id: str, request: Request, user: UserDep, p: GovernanceDep, csrf: Annotated[str, Form()],
               plate: Annotated[str, Form()] = "", page: Annotated[int, Form(ge=0, le=100_000)] = 0) -> Response:
    """One page of results; every page is a run of its own, ledgered with the count and digest of all results."""
    check_csrf(request, csrf, request_id, plate)
    try:
        r = p.searches.get(request_id)
        res = p.searches.search(user, request_id, _query(r, plate))
    except (SearchRefused, KeyError) as exc:
        return back(f"/searches/{request_id}", request, f"Refused (and recorded): {exc}")
    track = steps(res.reads)  # plate by plate: no speed between two different vehicles
    page = min(page, max(0, (len(track) - 1) // PAGE_SIZE))
    rows = []
    for i, (read, leg) in enumerate(track[page * PAGE_SIZE:(page + 1) * PAGE_SIZE], page * PAGE_SIZE + 1):
        speed = "—" if leg is None or leg.kmh is None else (
            f"{leg.kmh:.0f} km/h" if math.isfinite(leg.kmh) else "same moment, another place")
        if leg is not None and leg.impossible:
            speed += " — IMPOSSIBLE TRAVEL: cloned plate or misread?"
        rows.append({"n": i, "read": read, "speed": speed, "thumb": _thumbnail(read.plate_crop_jpeg)})
    drawn = map_block(tiles_of(request), p.cameras.all(), track, "map of the sightings found")
    return _detail(request, user, p, request_id, rows, res.digest, drawn, page, len(track), plate)


@router.post("/searches/{request_id}/export")
def search_export(request_id: str, request: Request, user: UserDep, p: GovernanceDep, csrf: Annotated[str, Form()],
                  format: Annotated[ExportFormat, Form()], plate: Annotated[str, Form()] = "") -> Response:
    """The results as a CSV or a signed PDF (a download); the export is ledgered with its file's digest."""
    check_csrf(request, csrf, request_id, plate)
    try:
        f = p.searches.export(user, request_id, _query(p.searches.get(request_id), plate), format)
    except (SearchRefused, KeyError) as exc:
        return back(f"/searches/{request_id}", request, f"Refused (and recorded): {exc}")
    return Response(f.content, media_type=f.media_type, headers={
        "Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{f.filename}"'})
