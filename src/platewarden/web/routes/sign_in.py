"""Signing in and out, and enrolling the second factor (the only pages a half-signed-in person reaches)."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import parse_qs, urlsplit

import segno
from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse

from platewarden.governance.accounts import AccountError, AuthError, Throttled
from platewarden.http.common import GovernanceDep, client_address
from platewarden.web.console import (
    EnrollingDep,
    back,
    check_csrf,
    render,
)

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, p: GovernanceDep) -> HTMLResponse:
    return render(request, "login.html", None, title="Sign in", sso=p.policy.accounts.sso)


@router.post("/login")
def login(request: Request, p: GovernanceDep, username: Annotated[str, Form(max_length=80)],
          password: Annotated[str, Form(max_length=1024)], code: Annotated[str, Form(max_length=20)] = "") -> Response:
    if any(ord(c) < 32 for c in username + password + code):
        raise HTTPException(422, "control characters are not allowed")
    try:
        signed = p.accounts.sign_in(username, password, code or None, client_address(request))
    except Throttled as exc:
        return back("/login", request, str(exc))
    except AuthError:
        return back("/login", request, "Wrong username, password or code.")
    old = request.session.get("sid")
    if old:
        p.accounts.sessions.end(old, "replaced")
    request.session.clear()
    request.session.update({"sid": p.accounts.sessions.open(signed.user, signed.mfa_pending),
                            "csrf": secrets.token_urlsafe(24)})
    return back("/account/mfa" if signed.mfa_pending else "/", request)


@router.post("/logout")
def logout(request: Request, p: GovernanceDep, csrf: Annotated[str, Form()]) -> Response:
    check_csrf(request, csrf)
    if request.session.get("sid"):
        p.accounts.sessions.end(request.session["sid"], "logout")
    request.session.clear()
    return back("/login", request)


@router.get("/account/mfa", response_class=HTMLResponse)
def mfa_page(request: Request, user: EnrollingDep, p: GovernanceDep) -> HTMLResponse:
    """Enrol the second factor: a QR code (inline SVG, no script) and the secret to type in by hand."""
    if p.accounts.mfa_enrolled(user.id):
        return render(request, "mfa.html", user, title="Second factor", enrolled=True)
    uri = p.accounts.start_mfa(user)
    qr = segno.make(uri, error="m").svg_inline(scale=4)
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    return render(request, "mfa.html", user, title="Second factor", enrolled=False, qr=qr, secret=secret)


@router.post("/account/mfa", response_class=HTMLResponse)
def mfa_confirm(request: Request, user: EnrollingDep, p: GovernanceDep, csrf: Annotated[str, Form()],
                code: Annotated[str, Form(max_length=20)]) -> Response:
    check_csrf(request, csrf, code)
    try:
        codes = p.accounts.confirm_mfa(user, code)
    except (AccountError, AuthError) as exc:
        return back("/account/mfa", request, str(exc))
    p.accounts.sessions.complete_mfa(request.session["sid"])
    return render(request, "mfa.html", user, title="Second factor", enrolled=True, recovery_codes=codes)
