"""Cases and holds: what a case keeps past the ordinary limit, and the daily counts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from platewarden.http.common import GovernanceDep
from platewarden.web.console import (
    UserDep,
    allow,
    render,
)

router = APIRouter(include_in_schema=False)


@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    allow(user, "/cases")
    counts = sorted(p.retention.reads_per_day_and_camera().items(), reverse=True)[:50]
    return render(request, "cases.html", user, title="Cases", holds=p.retention.holds(), counts=counts,
                  retention_days=p.policy.retention.ordinary_days)
