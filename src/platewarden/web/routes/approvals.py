"""The approvals inbox: search requests with their history and whose turn it is, role grants to approve."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse

from platewarden.domain.approvals import ApprovalRefused, next_level
from platewarden.domain.users import User
from platewarden.governance.facade import Governance
from platewarden.governance.search import Decision, SearchRequest, Status
from platewarden.http.common import GovernanceDep
from platewarden.web.console import (
    UserDep,
    allow,
    back,
    check_csrf,
    person_label,
    render,
)
from platewarden.web.routes.deployment import deployment_inbox

router = APIRouter(include_in_schema=False)


def inbox_for(p: Governance, user: User) -> list[SearchRequest]:
    chain = p.policy.approvals.historical_search
    out = []
    for r in p.searches.all():
        if r.requested_by == user.id or any(s.decided_by == user.id for s in r.steps):
            continue
        if r.status is Status.PENDING:
            level = next_level(chain, list(r.steps))
            if level is not None and chain[level] in user.roles:
                out.append(r)
        elif r.exigent and r.status is Status.EXIGENT:
            done = {s.role for s in r.steps}
            if any(role in user.roles and role not in done for role in chain[1:]):
                out.append(r)
    return out


@router.get("/approvals", response_class=HTMLResponse)
def approvals_page(request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    allow(user, "/approvals")

    grants = p.accounts.awaiting_grant(user) if user.roles & set(p.policy.accounts.role_grant_approvers) else []
    requests = inbox_for(p, user)
    chain = p.policy.approvals.historical_search

    # Who applied, who decided before, and whose turn it is: an approver judges the request with its history.
    people = {uid: person_label(p, uid) for r in requests for uid in (r.requested_by, *(s.decided_by for s in r.steps))}
    next_role = {r.id: (chain[level].value.replace("_", " ") if (level := next_level(chain, list(r.steps)))
                        is not None else None) for r in requests}
    return render(request, "approvals.html", user, title="Approvals", requests=requests, grants=grants,
                  people=people, next_role=next_role, **deployment_inbox(p, user))


@router.post("/approvals/{request_id}")
def approvals_decide(request_id: str, request: Request, user: UserDep, p: GovernanceDep, csrf: Annotated[str, Form()],
                     action: Annotated[str, Form()], reason: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf, request_id, action, reason)
    if action not in {Decision.APPROVE, Decision.REJECT, Decision.UPHOLD, Decision.NOT_UPHELD}:
        raise HTTPException(422, "unknown action")  # revoking is done from the request's own page
    try:
        p.searches.decide(request_id, user, Decision(action), reason)
    except (ApprovalRefused, KeyError) as exc:
        return back("/approvals", request, f"Refused (and recorded): {exc}")
    return back("/approvals", request, "Decision recorded.")
