"""Each role's home: what waits for them, the cameras' health (for those who watch alerts) and, for the ledger's
readers, the ledger's integrity."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from platewarden.governance.facade import Governance
from platewarden.governance.reconcile_record import last_reconcile
from platewarden.http.common import GovernanceDep
from platewarden.web.console import (
    LEDGER_ROLES,
    PAGE_ROLES,
    UserDep,
    render,
)
from platewarden.web.routes.approvals import inbox_for
from platewarden.web.sparkline import sparkline

router = APIRouter(include_in_schema=False)
QUIET_MINUTES = 15  # a camera in service with no read for this long is flagged on the dispatcher's home
RECONCILE_DUE_HOURS = 2  # the server reconciles hourly: a last run older than this is flagged
STALE_REPORT_MINUTES = 5  # an edge that reports every minute and has not for this long is flagged


def _camera_health(p: Governance) -> list[dict[str, Any]]:
    """Every camera in service, and any camera still sending reads: its reads per minute over the last hour, its
    reads today, its last read and whether it has gone quiet (counts only)."""
    now = p.clock.now()
    today = {cam: n for (day, cam), n in p.retention.reads_per_day_and_camera().items() if day == now.date()}
    activity = {a.camera_id: a for a in p.retention.camera_activity()}
    reports = p.deployments.edge_reports()
    out = []
    for cam in sorted({c.id for c in p.cameras.all()} | set(activity)):
        a = activity.get(cam)
        quiet = None if a is None else int((now - a.last_read_minute).total_seconds() // 60)
        out.append({"id": cam, "today": today.get(cam, 0), "last": a.last_read_minute if a else None,
                    "quiet": a is None or (quiet or 0) >= QUIET_MINUTES, "quiet_minutes": quiet,
                    "last_hour": sum(a.per_minute) if a else 0, "edge": reports.get(cam),
                    "edge_minutes": int((now - reports[cam].received_at).total_seconds() // 60)
                    if cam in reports else None,
                    "chart": sparkline(a.per_minute if a else (0,) * 60, f"reads per minute at {cam}, last hour")})
    return out


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    pending = p.alert_review.pending_count()
    cameras = _camera_health(p) if user.roles & PAGE_ROLES["/alerts"] else []
    reconciled = last_reconcile(p.ledger) if user.roles & LEDGER_ROLES else None
    return render(request, "home.html", user, title="Home", pending_alerts=pending, inbox=len(inbox_for(p, user)),
                  can_open={page for page, roles in PAGE_ROLES.items() if user.roles & roles},
                  cameras=cameras, quiet_minutes=QUIET_MINUTES, stale_report_minutes=STALE_REPORT_MINUTES,
                  ledger=p.ledger.status() if user.roles & LEDGER_ROLES else None,
                  reconciled=reconciled, reconcile_due_hours=RECONCILE_DUE_HOURS,
                  reconcile_age_hours=None if reconciled is None
                  else int((p.clock.now() - reconciled.at).total_seconds() // 3600),
                  witnesses=len(p.policy.ledger.witnesses), quorum=p.policy.ledger.quorum)
