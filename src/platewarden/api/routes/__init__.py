"""The API's routers, one module per resource; each is a thin adapter over governance (for anything personal)
or over the public aggregates. ``platewarden.server`` mounts ``ROUTERS``."""

from fastapi import APIRouter

from platewarden.api.routes import (
    accounts,
    alerts,
    deployment,
    evidence,
    holds,
    hotlist,
    ledger,
    ops,
    outlets,
    policy,
    public,
    redress,
    reports,
    searches,
    sharing,
    zones,
)

ROUTERS: tuple[APIRouter, ...] = (
    accounts.accounts_router, ops.router, alerts.router, hotlist.router, searches.router, redress.router,
    holds.router, evidence.router, ledger.router, public.router, deployment.deployment_router, zones.zones_router,
    outlets.router, sharing.router, policy.router, reports.router)
