"""The app factory, and the only module that sees both the REST API (``api``) and the console (``web``): it mounts
their routers on one app that takes an opened Platform, so tests run it against a temporary real database.

Every response carries a strict Content-Security-Policy (no inline script, no framing) and the usual hardening
headers; the API's documentation is served from the package (no CDN); ``/metrics`` answers administrators and
auditors only (its counters move with every request).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from platewarden import __version__
from platewarden.api.deps import CurrentUser, require
from platewarden.api.routes import ROUTERS
from platewarden.audit.compliance.gathering import ComplianceGathering
from platewarden.audit.public import PublicFigures
from platewarden.domain.errors import Conflict, Invalid, NotFound, PlatewardenError, Refused
from platewarden.policy.model import Role
from platewarden.runtime import Platform
from platewarden.web.console import LoginRequired, SecondFactorRequired, error_page, is_console
from platewarden.web.maps import MapTiles
from platewarden.web.routes import ROUTERS as WEB_ROUTERS
from platewarden.web.sso import install as install_sso
from platewarden.web.sso import sso_pages

STATIC = Path(__file__).resolve().parent / "web" / "static"
def content_security_policy(tile_origin: str | None = None) -> str:
    """No inline script, no framing; images from here, plus the deployment's map tile host when it has one."""
    images = "'self' data:" + (f" {tile_origin}" if tile_origin else "")
    return ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"img-src {images}; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


SECURITY_HEADERS = {
    "Content-Security-Policy": content_security_policy(),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def create_app(platform: Platform, session_secret: str | None = None, https_only: bool = True) -> FastAPI:
    app = FastAPI(title="platewarden", version=__version__, docs_url=None, redoc_url=None,
                  description="Accountable licence plate recognition: every access to personal data goes through "
                              "governance and lands in the ledger.")
    app.state.platform = platform  # routes see it through http.common: as Governance (services only)
    app.state.public = PublicFigures(platform)
    app.state.compliance = ComplianceGathering(platform)  # a governed act that reads every table: its own door
    app.state.map_tiles = MapTiles(platform.settings.map_tiles, platform.settings.map_attribution)
    headers = SECURITY_HEADERS | {"Content-Security-Policy":
                                  content_security_policy(platform.settings.map_tile_origin)}
    secret = session_secret or os.environ.get("PLATEWARDEN_SESSION_SECRET") or secrets.token_urlsafe(32)
    # The cookie carries the session's random id, its CSRF token and a flash message; the session itself (who, until
    # when, ended or not) lives in the database. Its own lifetime is the policy's absolute limit.
    app.add_middleware(SessionMiddleware, secret_key=secret, same_site="strict", https_only=https_only,
                       session_cookie="platewarden_session",
                       max_age=platform.policy.accounts.session_absolute_hours * 3600)
    registry = CollectorRegistry()
    requests = Counter("platewarden_http_requests", "HTTP requests", ["method", "status"], registry=registry)
    ledger_size = Gauge("platewarden_ledger_entries", "Entries in the ledger", registry=registry)

    @app.middleware("http")
    async def harden(request: Request, call_next):  # type: ignore[no-untyped-def]
        path = request.scope.get("path", "")
        if any(ord(c) < 32 or ord(c) == 127 for c in path):  # no id or page has control characters (nor NUL)
            response: Response = JSONResponse({"detail": "control characters in the path"}, status_code=400)
        else:
            response = await call_next(request)
        requests.labels(request.method, str(response.status_code)).inc()
        for k, v in headers.items():
            response.headers.setdefault(k, v)
        if request.url.path.startswith(("/api/", "/login", "/account")):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.get("/metrics", include_in_schema=False)
    def metrics(user: CurrentUser) -> Response:
        """Operational counters for administrators and auditors (a bearer token): they move with every request and
        ledger entry, so the public must not watch them."""
        require(user, Role.ADMINISTRATOR, Role.AUDITOR)
        ledger_size.set(platform.ledger.size())
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        return FileResponse(STATIC / "docs.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/docs/static", StaticFiles(directory=_swagger_ui()), name="swagger-ui")
    for api_router in ROUTERS:
        app.include_router(api_router)
    for web_router in WEB_ROUTERS:
        app.include_router(web_router)
    app.include_router(sso_pages)
    install_sso(app, platform)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        """422 naming what is wrong, without echoing the input back (it may hold a plate, a password, or text that
        is not even encodable, such as a lone surrogate)."""
        detail = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")).encode("utf-8", "replace").decode(),
                   "type": e.get("type", "")} for e in exc.errors()]
        if is_console(request):
            fields = sorted({str(d["loc"][-1]) for d in detail if d["loc"]})  # type: ignore[index]
            return error_page(request, 422, "Missing or not valid: " + (", ".join(fields) or "the request") + ".")
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_refusal(request: Request, exc: StarletteHTTPException) -> Response:
        if is_console(request):
            return error_page(request, exc.status_code, str(exc.detail), dict(exc.headers or {}))
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(PlatewardenError)
    async def refused(request: Request, exc: PlatewardenError) -> Response:
        """Every refusal the services raise, mapped once: the routes only call the services."""
        if is_console(request):
            return error_page(request, http_status(exc), str(exc))
        return JSONResponse({"detail": str(exc)}, status_code=http_status(exc))

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(SecondFactorRequired)
    async def to_enrolment(request: Request, exc: SecondFactorRequired) -> RedirectResponse:
        return RedirectResponse("/account/mfa", status_code=303)

    return app


ERROR_STATUS: tuple[tuple[type[PlatewardenError], int], ...] = (
    (Refused, 403), (NotFound, 404), (Conflict, 409), (Invalid, 422))


def http_status(exc: PlatewardenError) -> int:
    return next((code for kind, code in ERROR_STATUS if isinstance(exc, kind)), 400)


def _swagger_ui() -> str:
    import swagger_ui_bundle  # type: ignore[import-untyped]

    path: str = swagger_ui_bundle.swagger_ui_path
    if not Path(path).is_dir():
        raise HTTPException(500, "the swagger-ui-bundle package is incomplete")
    return path
