"""Signing in and out, the second factor, one's own password and tokens, and (administrators) the accounts."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import BaseModel, Field

from platewarden.api.deps import CurrentUser, EnrollingUser, check_session_csrf
from platewarden.api.schemas import ApiInput, LoginIn, SessionOut
from platewarden.governance.accounts import Account, AccountError, AuthError, Throttled, UnknownAccount
from platewarden.http.common import GovernanceDep, client_address
from platewarden.policy.model import Role

accounts_router = APIRouter(tags=["auth"])


class MfaStartOut(BaseModel):
    otpauth_uri: str = Field(description="Scan it (or type its secret) into an authenticator app, then confirm.")


class CodeIn(ApiInput):
    code: Annotated[str, Field(min_length=6, max_length=20)]


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str] = Field(description="Shown once: each signs in once in place of a code.")


class PasswordIn(ApiInput):
    old_password: Annotated[str, Field(min_length=1, max_length=1024)]
    new_password: Annotated[str, Field(min_length=1, max_length=1024)]


class TokenIn(ApiInput):
    label: Annotated[str, Field(min_length=1, max_length=120)] = "api"
    days: Annotated[int | None, Field(ge=1, le=366)] = None


class TokenOut(BaseModel):
    token: str = Field(description="Shown once; send it as 'Authorization: Bearer ...'.")


class TokenInfoOut(BaseModel):
    id: str
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked: bool


class AccountOut(BaseModel):
    id: str
    username: str
    full_name: str
    organisation: str
    roles: list[str]
    active: bool
    locked: bool
    second_factor: bool


class RolesIn(ApiInput):
    roles: Annotated[list[Role], Field(min_length=1, max_length=8)]


class AccountIn(ApiInput):
    username: Annotated[str, Field(min_length=1, max_length=64)]
    full_name: Annotated[str, Field(min_length=1, max_length=200)]
    organisation: Annotated[str, Field(min_length=1, max_length=200)]
    roles: Annotated[list[Role], Field(min_length=1, max_length=8)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]


def _refused(exc: Exception) -> HTTPException:
    if isinstance(exc, UnknownAccount):
        return HTTPException(status.HTTP_404_NOT_FOUND, str(exc))
    if isinstance(exc, AuthError):
        return HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc))
    if isinstance(exc, PermissionError):
        return HTTPException(status.HTTP_403_FORBIDDEN, str(exc))
    return HTTPException(422, str(exc))


@accounts_router.post("/api/session", response_model=SessionOut)
def login(body: LoginIn, request: Request, p: GovernanceDep) -> SessionOut:
    """Sign in: password, and the authenticator's code where a second factor is enrolled. Failures are ledgered and
    throttled (429), and too many in a row lock the account."""
    try:
        signed = p.accounts.sign_in(body.username, body.password, body.code, client_address(request))
    except Throttled as exc:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, str(exc)) from exc
    except AuthError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc)) from exc
    old = request.session.get("sid")
    if old:
        p.accounts.sessions.end(old, "replaced")
    request.session.clear()
    request.session["sid"] = p.accounts.sessions.open(signed.user, signed.mfa_pending)
    request.session["csrf"] = secrets.token_urlsafe(24)
    return SessionOut(username=signed.user.username, roles=sorted(r.value for r in signed.user.roles),
                      csrf_token=request.session["csrf"], second_factor="enrol" if signed.mfa_pending else "ok")


@accounts_router.delete("/api/session", status_code=204)
def logout(request: Request, p: GovernanceDep) -> Response:
    """Sign out: the session ends on the server (a copy of the cookie stops working). Needs the CSRF token."""
    if request.session.get("sid"):
        check_session_csrf(request)
        p.accounts.sessions.end(request.session["sid"], "logout")
    request.session.clear()
    return Response(status_code=204)


@accounts_router.post("/api/account/mfa", response_model=MfaStartOut)
def mfa_start(user: EnrollingUser, p: GovernanceDep) -> MfaStartOut:
    try:
        return MfaStartOut(otpauth_uri=p.accounts.start_mfa(user))
    except AccountError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc


@accounts_router.post("/api/account/mfa/confirm", response_model=RecoveryCodesOut)
def mfa_confirm(body: CodeIn, request: Request, user: EnrollingUser, p: GovernanceDep) -> RecoveryCodesOut:
    try:
        codes = p.accounts.confirm_mfa(user, body.code)
    except (AccountError, AuthError) as exc:
        raise _refused(exc) from exc
    if request.session.get("sid"):
        p.accounts.sessions.complete_mfa(request.session["sid"])
    return RecoveryCodesOut(recovery_codes=codes)


@accounts_router.post("/api/account/password", status_code=204)
def change_password(body: PasswordIn, request: Request, user: CurrentUser, p: GovernanceDep) -> Response:
    """Every session and token of the account ends, this one too: sign in again."""
    try:
        p.accounts.change_password(user, body.old_password, body.new_password)
    except (AccountError, AuthError) as exc:
        raise _refused(exc) from exc
    request.session.clear()
    return Response(status_code=204)


@accounts_router.post("/api/tokens", response_model=TokenOut, status_code=201)
def issue_token(body: TokenIn, user: CurrentUser, p: GovernanceDep) -> TokenOut:
    try:
        return TokenOut(token=p.accounts.issue_token(user, body.label, body.days))
    except AccountError as exc:
        raise _refused(exc) from exc


@accounts_router.get("/api/tokens", response_model=list[TokenInfoOut])
def list_tokens(user: CurrentUser, p: GovernanceDep) -> list[TokenInfoOut]:
    return [TokenInfoOut(id=t.id, label=t.label, created_at=t.created_at, expires_at=t.expires_at,
                         revoked=t.revoked) for t in p.accounts.tokens(user)]


@accounts_router.delete("/api/tokens/{token_id}", status_code=204)
def revoke_token(token_id: str, user: CurrentUser, p: GovernanceDep) -> Response:
    try:
        p.accounts.revoke_token(user, token_id)
    except (AccountError, PermissionError) as exc:
        raise _refused(exc) from exc
    return Response(status_code=204)


@accounts_router.get("/api/users", response_model=list[AccountOut])
def list_users(user: CurrentUser, p: GovernanceDep) -> list[AccountOut]:
    """Every account (administrators)."""
    try:
        accounts = p.accounts.all(user)
    except PermissionError as exc:
        raise _refused(exc) from exc
    return [_account_out(a) for a in accounts]


@accounts_router.post("/api/users", response_model=AccountOut, status_code=201)
def create_user(body: AccountIn, user: CurrentUser, p: GovernanceDep) -> AccountOut:
    """Create a local account (administrators). Its roles wait for a department head's or the ethics board's
    approval (``POST /api/users/{id}/grant``) before it can act. Ledgered."""
    try:
        created = p.accounts.create(user, body.username, body.full_name, body.organisation, set(body.roles),
                                    body.password)
    except (AccountError, PermissionError, ValueError) as exc:
        raise _refused(exc) from exc
    return _account_out(next(a for a in p.accounts.all(user) if a.user.id == created.id))


def _account_out(a: Account) -> AccountOut:
    return AccountOut(id=a.user.id, username=a.user.username, full_name=a.user.full_name,
                      organisation=a.user.organisation, roles=sorted(r.value for r in a.user.roles),
                      active=a.active, locked=a.locked, second_factor=a.mfa)


@accounts_router.get("/api/users/awaiting-grant", response_model=list[AccountOut])
def awaiting_grant(user: CurrentUser, p: GovernanceDep) -> list[AccountOut]:
    """Accounts whose roles wait for this person's approval (a department head or the ethics board)."""
    return [_account_out(a) for a in p.accounts.awaiting_grant(user)]


_ACTIONS = {"deactivate": "deactivate", "reactivate": "reactivate", "unlock": "unlock", "reset-mfa": "reset_mfa",
            "grant": "approve_grant"}


@accounts_router.post("/api/users/{user_id}/{action}", status_code=204)
def change_user(user_id: str, action: str, user: CurrentUser, p: GovernanceDep) -> Response:
    """deactivate (ends every session and token), reactivate, unlock, reset-mfa (administrators); grant (a
    department head or the ethics board approves the roles an administrator gave). Ledgered."""
    if action not in _ACTIONS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no action {action!r}: {', '.join(_ACTIONS)}")
    try:
        getattr(p.accounts, _ACTIONS[action])(user, user_id)
    except (AccountError, PermissionError) as exc:
        raise _refused(exc) from exc
    return Response(status_code=204)


@accounts_router.put("/api/users/{user_id}/roles", status_code=204)
def set_roles(user_id: str, body: RolesIn, user: CurrentUser, p: GovernanceDep) -> Response:
    """Change an account's roles (administrators); every session and token of the account ends."""
    try:
        p.accounts.set_roles(user, user_id, set(body.roles))
    except (AccountError, PermissionError, ValueError) as exc:
        raise _refused(exc) from exc
    return Response(status_code=204)
