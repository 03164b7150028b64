"""Public pages, no sign-in: transparency figures, the annual report, the complaint form."""

from __future__ import annotations

import uuid
from typing import Annotated

import yaml
from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from platewarden.domain.redress import ComplaintDetails, RedressError
from platewarden.http.common import GovernanceDep, PublicDep, client_address
from platewarden.web.console import (
    LoginRequired,
    SecondFactorRequired,
    back,
    check_csrf,
    render,
    session_user,
)
from platewarden.web.maps import map_block, tiles_of

router = APIRouter(include_in_schema=False)


@router.get("/public/complaint", response_class=HTMLResponse)
def complaint_page(request: Request, reference: str | None = None) -> HTMLResponse:
    request.session.setdefault("csrf", uuid.uuid4().hex)  # anonymous forms are CSRF-protected too
    return render(request, "complaint.html", None, title="Complaint", reference=reference)


@router.post("/public/complaint")
def complaint_file(request: Request, p: GovernanceDep, csrf: Annotated[str, Form()], plate: Annotated[str, Form()],
                   date: Annotated[str, Form()], place: Annotated[str, Form()],
                   what_happened: Annotated[str, Form()], contact: Annotated[str, Form()]) -> Response:
    check_csrf(request, csrf, plate, date, place, what_happened, contact)
    try:
        ref = p.redress.file(ComplaintDetails(plate, date, place, what_happened, contact), client_address(request))
    except RedressError as exc:
        return back("/public/complaint", request, str(exc))
    return RedirectResponse(f"/public/complaint?reference={ref}", status_code=303)


@router.get("/public", response_class=HTMLResponse)
def public_page(request: Request, p: GovernanceDep, public: PublicDep) -> HTMLResponse:
    t = public.recent(p.clock.now())
    user = None
    if request.session.get("sid"):
        try:
            user = session_user(request, p)
        except (LoginRequired, SecondFactorRequired):
            user = None
    return render(request, "public.html", user, title="Transparency", t=t,
                  map=map_block(tiles_of(request), p.cameras.all()),
                  policy_yaml=yaml.safe_dump(t["policy"], sort_keys=False))


@router.get("/public/annual-report", response_class=HTMLResponse)
def annual_report_page(p: GovernanceDep, public: PublicDep, year: int | None = None) -> HTMLResponse:
    """The public annual report (aggregates only), the same figures as ``platewarden report annual``."""
    from platewarden.audit.annual import render_annual

    year = year or p.clock.now().year
    if not 2000 <= year <= p.clock.now().year:
        raise HTTPException(422, f"no annual report for {year}")
    return HTMLResponse(render_annual(public.annual(year)))
