"""Typed dependencies: the platform, the current user (bearer token, or a server-side session with CSRF protection).

A session signed in with a password only, whose roles need a second factor not yet enrolled, is good for one thing:
enrolling it (``EnrollingUser``). Everything else refuses it.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from platewarden.domain.users import User
from platewarden.governance.accounts import AuthError
from platewarden.governance.facade import Governance
from platewarden.governance.sessions import SessionEnded, SessionInfo
from platewarden.http.common import GovernanceDep
from platewarden.policy.model import Role

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


def check_session_csrf(request: Request) -> None:
    """State-changing requests on a session carry its CSRF token (header X-CSRF-Token)."""
    if request.method not in SAFE_METHODS:
        sent = request.headers.get("x-csrf-token", "")
        if not sent or not secrets.compare_digest(sent, request.session.get("csrf", "")):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong CSRF token")


def session_of(request: Request, platform: Governance) -> SessionInfo | None:
    sid = request.session.get("sid")
    if not sid:
        return None
    try:
        return platform.accounts.sessions.resolve(sid)
    except SessionEnded as exc:
        request.session.clear()
        raise _unauthorized(str(exc)) from exc


def _user(request: Request, platform: Governance, enrolling: bool) -> User:
    auth = request.headers.get("authorization", "")
    try:
        if auth.lower().startswith("bearer "):
            return platform.accounts.authenticate_token(auth[7:].strip())
        info = session_of(request, platform)
        if info is not None:
            check_session_csrf(request)
            if info.mfa_pending and not enrolling:
                raise HTTPException(status.HTTP_403_FORBIDDEN, "enrol a second factor first (POST "
                                                               "/api/account/mfa, or the console's sign-in)")
            return platform.accounts.get_active(info.user_id)
    except AuthError as exc:
        raise _unauthorized(str(exc)) from exc
    raise _unauthorized("sign in or send a bearer token")


def current_user(request: Request, platform: GovernanceDep) -> User:
    return _user(request, platform, enrolling=False)


def enrolling_user(request: Request, platform: GovernanceDep) -> User:
    return _user(request, platform, enrolling=True)


CurrentUser = Annotated[User, Depends(current_user)]
EnrollingUser = Annotated[User, Depends(enrolling_user)]


def require(user: User, *roles: Role) -> None:
    if not user.roles & set(roles):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"needs one of: {', '.join(r.value for r in roles)}")
