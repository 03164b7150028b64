"""Cases and holds: what a case keeps past the ordinary limit, the acts on a hold (request from a search's results,
approve, review, release) and a case's evidence package, each through the retention and evidence services that the
API and the CLI use; the daily counts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from platewarden.domain.errors import Invalid, Refused
from platewarden.domain.users import User
from platewarden.http.common import GovernanceDep
from platewarden.investigation.evidence import EXPORTERS
from platewarden.policy.model import Role
from platewarden.web.console import (
    UserDep,
    allow,
    back,
    check_csrf,
    render,
)

router = APIRouter(include_in_schema=False)
DECIDERS = frozenset({Role.DEPARTMENT_HEAD, Role.PROSECUTOR})


def _acts(user: User, hold: dict[str, object]) -> list[str]:
    """Which buttons a hold shows this person: the service decides, the page only leaves out what would be refused
    for certain (a requester never approves or reviews their own hold)."""
    if not user.roles & DECIDERS or hold["state"] == "released":
        return []
    own = hold["requested_by"] == user.id
    if hold["state"] == "awaiting approval":
        return ["release"] if own else ["approve", "release"]
    return ["release"] if own else ["review", "release"]


@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    allow(user, "/cases")
    holds = p.retention.holds_for(user)
    counts = sorted(p.retention.reads_per_day_and_camera().items(), reverse=True)[:50]
    cases = sorted({str(h["case_number"]) for h in holds if h["state"] != "released"})
    acts = {h["id"]: _acts(user, h) for h in holds}
    return render(request, "cases.html", user, title="Cases", holds=holds, acts=acts,
                  counts=counts, cases=cases, exports=bool(user.roles & EXPORTERS),
                  log_key=p.ledger.public_key.encode(), retention_days=p.policy.retention.ordinary_days,
                  review_days=p.policy.retention.hold_review_days)


@router.post("/cases/holds")
def hold_request(request: Request, user: UserDep, p: GovernanceDep, csrf: Annotated[str, Form()],
                 case_number: Annotated[str, Form()], reason: Annotated[str, Form()],
                 read_ids: Annotated[list[str] | None, Form()] = None,
                 back_to: Annotated[str, Form()] = "/cases") -> Response:
    """Keep reads found by an authorized search for their case (the results page's checkboxes)."""
    ids = read_ids or []
    check_csrf(request, csrf, case_number, reason, *ids)
    target = back_to if back_to.startswith("/searches/") else "/cases"
    try:
        p.retention.request_hold(user, case_number, ids, reason)
    except Refused as exc:
        return back(target, request, f"Refused (and recorded): {exc}")
    return back("/cases", request, f"Hold requested for case {case_number} ({len(set(ids))} reads): a department head "
                                   "or prosecutor other than you approves it.")


@router.post("/cases/holds/{hold_id}/{act}")
def hold_act(hold_id: str, act: str, request: Request, user: UserDep, p: GovernanceDep,
             csrf: Annotated[str, Form()], reason: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf, hold_id, act, reason)
    try:
        if act == "approve":
            p.retention.approve_hold(user, hold_id)
            done = "Hold approved: its reads are kept for the case."
        elif act == "review":
            done = f"Hold kept after review; next review by {p.retention.review_hold(user, hold_id, reason)}."
        elif act == "release":
            if not reason.strip():
                return back("/cases", request, "A release states its reason.")
            p.retention.release(user, hold_id, reason)
            done = "Hold released: the reads no other hold keeps are destroyed."
        else:
            return back("/cases", request, f"Unknown act {act!r}.")
    except Refused as exc:
        return back("/cases", request, f"Refused (and recorded): {exc}")
    return back("/cases", request, done)


@router.post("/cases/evidence")
def evidence_export(request: Request, user: UserDep, p: GovernanceDep, csrf: Annotated[str, Form()],
                    case_number: Annotated[str, Form()]) -> Response:
    """The case's evidence package (a zip ``platewarden evidence verify`` checks offline with the log key shown on
    the page). Plaintext plates and crops: never cached; the export or its refusal is ledgered by the service."""
    check_csrf(request, csrf, case_number)
    try:
        package, reads = p.evidence.package(user, case_number)
    except (Refused, Invalid) as exc:
        return back("/cases", request, f"Refused (and recorded): {exc}")
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in case_number)
    return Response(package, media_type="application/zip", headers={
        "Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="evidence-{safe}.zip"',
        "X-Evidence-Reads": str(reads)})
