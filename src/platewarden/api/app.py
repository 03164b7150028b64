"""The app factory: takes an opened Platform, so tests run the API against a temporary real database."""

from __future__ import annotations

import os
import secrets

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, generate_latest
from starlette.middleware.sessions import SessionMiddleware

from platewarden import __version__
from platewarden.api.deployment import deployment_router
from platewarden.api.routes import router
from platewarden.api.zones import zones_router
from platewarden.runtime import Platform
from platewarden.web.deployment_pages import deployment_pages
from platewarden.web.pages import LoginRequired, pages


def create_app(platform: Platform, session_secret: str | None = None, https_only: bool = True) -> FastAPI:
    app = FastAPI(title="platewarden", version=__version__,
                  description="Accountable licence plate recognition: every access to personal data goes through "
                              "governance and lands in the ledger.")
    app.state.platform = platform
    secret = session_secret or os.environ.get("PLATEWARDEN_SESSION_SECRET") or secrets.token_urlsafe(32)
    app.add_middleware(SessionMiddleware, secret_key=secret, same_site="strict", https_only=https_only,
                       session_cookie="platewarden_session", max_age=8 * 3600)
    registry = CollectorRegistry()
    requests = Counter("platewarden_http_requests", "HTTP requests", ["method", "status"], registry=registry)
    ledger_size = Gauge("platewarden_ledger_entries", "Entries in the ledger", registry=registry)

    @app.middleware("http")
    async def count(request: Request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        requests.labels(request.method, str(response.status_code)).inc()
        return response

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        ledger_size.set(platform.ledger.size())
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    app.include_router(router)
    app.include_router(deployment_router)
    app.include_router(zones_router)
    app.include_router(pages)
    app.include_router(deployment_pages)

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse("/login", status_code=303)

    return app
