"""Complaints of people who believe a reader misidentified them (redress, seed §4.2): the reviewer takes one up and
looks up the alerts on its plate; a second person decides, with compensation and a hotlist suppression where the
policy gives those to a department head. Every step is the redress service's, ledgered there."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from platewarden.domain.errors import PlatewardenError
from platewarden.domain.redress import LiableParty
from platewarden.http.common import GovernanceDep
from platewarden.web.console import UserDep, allow, back, check_csrf, render

router = APIRouter(include_in_schema=False)


@router.get("/complaints", response_class=HTMLResponse)
def complaints_page(request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    allow(user, "/complaints")
    complaints = p.redress.all(user)  # plates and contacts: the listing is ledgered
    matches = {c.id: p.redress.matching_alerts(user, c.id) for c in complaints if c.state.value == "under_review"}
    return render(request, "complaints.html", user, title="Complaints", complaints=complaints, matches=matches,
                  liable=[x.value for x in LiableParty], currency=p.policy.redress.currency,
                  single_limit=p.policy.redress.compensation_single_limit)


@router.post("/complaints/{complaint_id}/review")
def complaint_review(complaint_id: str, request: Request, user: UserDep, p: GovernanceDep,
                     csrf: Annotated[str, Form()]) -> Response:
    check_csrf(request, csrf, complaint_id)
    try:
        p.redress.start_review(user, complaint_id)
    except PlatewardenError as exc:
        return back("/complaints", request, f"Not recorded: {exc}")
    return back("/complaints", request, "Review started (recorded in the ledger); a second person decides.")


@router.post("/complaints/{complaint_id}/decision")
def complaint_decide(complaint_id: str, request: Request, user: UserDep, p: GovernanceDep,
                     csrf: Annotated[str, Form()], outcome: Annotated[str, Form()],
                     reason: Annotated[str, Form(max_length=4000)] = "",
                     linked: Annotated[list[str] | None, Form()] = None,
                     compensation: Annotated[str, Form(max_length=20)] = "",
                     liable: Annotated[str, Form(max_length=20)] = "",
                     compensation_reason: Annotated[str, Form(max_length=2000)] = "",
                     suppress: Annotated[str, Form(max_length=3)] = "") -> Response:
    check_csrf(request, csrf, complaint_id, outcome, reason, compensation, liable, compensation_reason)
    try:
        amount = float(compensation) if compensation.strip() else None
        party = LiableParty(liable) if liable else None
    except ValueError:
        return back("/complaints", request, "Not recorded: compensation is an amount, and liable one of the list")
    try:
        p.redress.decide(user, complaint_id, outcome == "upheld", reason, list(linked or []), amount, party,
                         compensation_reason, suppress == "yes")
    except PlatewardenError as exc:
        return back("/complaints", request, f"Not recorded: {exc}")
    return back("/complaints", request, f"Decided: {outcome} (recorded in the ledger).")
