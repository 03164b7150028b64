"""Single sign-on in the console: the OpenID Connect authorization code flow, with PKCE, through Authlib.

Authlib reads the provider's discovery document, sends the person there with a fresh state and nonce, exchanges the
code, and checks the ID token (signature against the provider's published keys, issuer, audience, expiry, nonce).
What the token says then goes to governance (``governance/single_sign_on.py``), which decides whether it is an
account and which roles it holds. Only enabled when the policy has ``accounts.sso``; needs the ``[oidc]`` extra.
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from platewarden.governance.accounts import AuthError
from platewarden.governance.single_sign_on import IdentityAssertion
from platewarden.http.common import client_address
from platewarden.policy.model import SsoPolicy
from platewarden.runtime import Platform

sso_pages = APIRouter(include_in_schema=False)
CLIENT_SECRET_ENV = "PLATEWARDEN_OIDC_CLIENT_SECRET"


class SsoUnavailable(RuntimeError):
    """Single sign-on is configured but cannot work (the extra or the client secret is missing)."""


def install(app: FastAPI, platform: Platform) -> None:
    """Register the provider's client on the app when the policy configures single sign-on (else nothing)."""
    sso = platform.policy.accounts.sso
    app.state.oidc = None
    if sso is None:
        return
    try:
        from authlib.integrations.starlette_client import OAuth
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise SsoUnavailable("accounts.sso is set in the policy, but single sign-on needs the [oidc] extra: "
                             "pip install 'platewarden[oidc]'") from exc
    secret = os.environ.get(CLIENT_SECRET_ENV)
    if not secret:
        raise SsoUnavailable(f"accounts.sso is set in the policy: put the client secret the identity provider gave "
                             f"platewarden in {CLIENT_SECRET_ENV} (never in the policy or the repository)")
    # a confidential client (the secret authenticates the code exchange) with PKCE binding the code to this browser
    kwargs: dict[str, Any] = {"scope": "openid profile email", "code_challenge_method": "S256"}
    oauth = OAuth()
    oauth.register("agency", client_id=sso.client_id, client_secret=secret,
                   server_metadata_url=f"{sso.issuer}/.well-known/openid-configuration", client_kwargs=kwargs)
    app.state.oidc = oauth.create_client("agency")


def _back(request: Request, flash: str) -> RedirectResponse:
    request.session["flash"] = flash
    return RedirectResponse("/login", status_code=303)


@sso_pages.get("/login/sso")
async def sso_start(request: Request) -> Response:
    client = request.app.state.oidc
    if client is None:
        return _back(request, "Single sign-on is not set up here.")
    return await client.authorize_redirect(request, str(request.url_for("sso_callback")))  # type: ignore[no-any-return]


@sso_pages.get("/login/sso/callback", name="sso_callback")
async def sso_callback(request: Request) -> Response:
    from authlib.integrations.starlette_client import OAuthError

    client = request.app.state.oidc
    p: Platform = request.app.state.platform
    if client is None:
        return _back(request, "Single sign-on is not set up here.")
    try:
        token = await client.authorize_access_token(request)
    except OAuthError as exc:  # the provider refused, or state, nonce, signature or audience did not hold
        p.accounts.record_failed_sign_in(None, "sso", client_address(request), f"sso: {exc.error}"[:60],
                                         count_account=False)
        return _back(request, "The identity provider's answer could not be verified: sign in again.")
    sso = p.policy.accounts.sso
    assert sso is not None  # the client exists only when it is configured
    claim = assertion(token.get("userinfo") or {}, sso)
    try:
        user = p.sso.sign_in(claim, client_address(request))
    except AuthError as exc:
        return _back(request, str(exc))
    old = request.session.get("sid")
    if old:
        p.accounts.sessions.end(old, "replaced")
    request.session.clear()
    request.session.update({"sid": p.accounts.sessions.open(user, mfa_pending=False),
                            "csrf": secrets.token_urlsafe(24)})
    return RedirectResponse("/", status_code=303)


def assertion(claims: dict[str, Any], sso: SsoPolicy) -> IdentityAssertion:
    """The verified ID token's claims as governance reads them (missing or odd claims become empty, never errors)."""

    def when(value: object) -> datetime | None:
        return datetime.fromtimestamp(value, UTC) if isinstance(value, int | float) else None

    groups = claims.get(sso.groups_claim) or []
    amr = claims.get("amr") or []
    return IdentityAssertion(
        issuer=str(claims.get("iss", "")), subject=str(claims.get("sub", "")),
        username=str(claims.get(sso.username_claim) or ""), full_name=str(claims.get("name") or ""),
        groups=frozenset(str(g) for g in groups) if isinstance(groups, list) else frozenset(),
        amr=frozenset(str(a) for a in amr) if isinstance(amr, list) else frozenset(),
        issued_at=when(claims.get("iat")) or datetime.fromtimestamp(0, UTC), auth_time=when(claims.get("auth_time")))
