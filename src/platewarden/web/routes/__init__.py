"""The console's routes, one module per area (as ``api/routes`` has one per resource); ``server`` mounts
``ROUTERS`` in this order. Each module reaches personal data only through the governance services."""

from fastapi import APIRouter

from platewarden.web.routes import (
    accounts,
    alerts,
    approvals,
    cases,
    complaints,
    deployment,
    home,
    hotlist,
    ledger,
    live_alerts,
    public,
    searches,
    sharing,
    sign_in,
    zones,
)

ROUTERS: tuple[APIRouter, ...] = (
    live_alerts.router, sign_in.router, home.router, alerts.router, approvals.router, searches.router, cases.router,
    hotlist.router, complaints.router, ledger.router, accounts.router, public.router, deployment.router,
    zones.router, sharing.router)
