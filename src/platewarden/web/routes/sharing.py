"""Sharing agreements in the console: each agreement with its partner, jurisdiction, purposes, partner retention
and who has decided; a department head proposes, the chain decides (never the proposer), either ends one. Every act
goes through ``Sharing``, which ledgers it and its refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from platewarden.domain.approvals import next_level
from platewarden.domain.errors import Invalid, Refused
from platewarden.http.common import GovernanceDep
from platewarden.web.console import UserDep, allow, back, check_csrf, person_label, render

router = APIRouter(include_in_schema=False)


@router.get("/sharing", response_class=HTMLResponse)
def sharing_page(request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    allow(user, "/sharing")
    chain = p.sharing.chain
    rows = []
    for a in p.sharing.all():
        level = next_level(chain, list(a.steps)) if a.status.value == "pending" else None
        rows.append({"a": a, "proposer": person_label(p, a.requested_by),
                     "steps": [(s.role.value.replace("_", " "), person_label(p, s.decided_by), s.decision)
                               for s in a.steps],
                     "next": chain[level].value.replace("_", " ") if level is not None else None,
                     "decides": level is not None and chain[level] in user.roles and a.requested_by != user.id})
    return render(request, "sharing.html", user, title="Sharing", rows=rows, proposes=chain[0] in user.roles,
                  ends=bool(user.roles & set(chain)), offences=p.policy.search.offences,
                  max_retention=p.policy.sharing.max_partner_retention_days)


@router.post("/sharing")
def sharing_propose(request: Request, user: UserDep, p: GovernanceDep, csrf: Annotated[str, Form()],
                    partner: Annotated[str, Form()], jurisdiction: Annotated[str, Form()],
                    partner_key: Annotated[str, Form()], retention_days: Annotated[int, Form(ge=1, le=3650)],
                    valid_until: Annotated[str, Form()],
                    purposes: Annotated[list[str] | None, Form()] = None) -> Response:
    check_csrf(request, csrf, partner, jurisdiction, partner_key, valid_until, *(purposes or []))
    allow(user, "/sharing")
    try:
        until = datetime.fromisoformat(valid_until)
        a = p.sharing.propose(user, partner, jurisdiction, purposes or [], retention_days,
                              until if until.tzinfo else until.replace(tzinfo=UTC), partner_key)
    except (Refused, Invalid, ValueError) as exc:
        return back("/sharing", request, f"Refused (and recorded): {exc}")
    return back("/sharing", request, f"Agreement with {a.partner} proposed: it takes effect once the chain approves.")


@router.post("/sharing/{agreement_id}/{act}")
def sharing_act(agreement_id: str, act: str, request: Request, user: UserDep, p: GovernanceDep,
                csrf: Annotated[str, Form()], reason: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf, agreement_id, act, reason)
    if not reason.strip():
        return back("/sharing", request, "A decision states its reason.")
    try:
        if act in ("approve", "reject"):
            a = p.sharing.decide(agreement_id, user, act == "approve", reason)
            done = f"Decision recorded: the agreement is {a.status.value}."
        elif act == "end":
            p.sharing.end(agreement_id, user, reason)
            done = "Agreement ended: nothing is sent or received under it from now on."
        else:
            return back("/sharing", request, f"Unknown act {act!r}.")
    except (Refused, Invalid, LookupError) as exc:
        return back("/sharing", request, f"Refused (and recorded): {exc}")
    return back("/sharing", request, done)
