"""Each role's home: what waits for them, and (for the ledger's readers) the ledger's integrity."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from platewarden.http.common import GovernanceDep
from platewarden.web.console import (
    LEDGER_ROLES,
    PAGE_ROLES,
    UserDep,
    render,
)
from platewarden.web.routes.approvals import inbox_for

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    pending = p.alert_review.pending_count()
    today = p.clock.now().date()
    reads_today = sorted((cam, n) for (day, cam), n in p.retention.reads_per_day_and_camera().items()
                         if day == today) if user.roles & PAGE_ROLES["/alerts"] else []
    return render(request, "home.html", user, title="Home", pending_alerts=pending, inbox=len(inbox_for(p, user)),
                  can_open={page for page, roles in PAGE_ROLES.items() if user.roles & roles},
                  reads_today=reads_today, ledger=p.ledger.status() if user.roles & LEDGER_ROLES else None,
                  witnesses=len(p.policy.ledger.witnesses), quorum=p.policy.ledger.quorum)
