"""Typed dependencies: the platform, the current user (bearer token, or session cookie with CSRF protection)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from platewarden.domain.users import User
from platewarden.governance.accounts import AuthError
from platewarden.policy.model import Role
from platewarden.runtime import Platform

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


PlatformDep = Annotated[Platform, Depends(get_platform)]


def current_user(request: Request, platform: PlatformDep) -> User:
    auth = request.headers.get("authorization", "")
    try:
        if auth.lower().startswith("bearer "):
            return platform.accounts.authenticate_token(auth[7:].strip())
        user_id = request.session.get("user_id")
        if user_id:
            if request.method not in SAFE_METHODS:
                sent = request.headers.get("x-csrf-token", "")
                if not sent or not secrets.compare_digest(sent, request.session.get("csrf", "")):
                    raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong CSRF token")
            return platform.accounts.get(user_id)
    except AuthError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc),
                            headers={"WWW-Authenticate": "Bearer"}) from exc
    raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in or send a bearer token",
                        headers={"WWW-Authenticate": "Bearer"})


CurrentUser = Annotated[User, Depends(current_user)]


def require(user: User, *roles: Role) -> None:
    if not user.roles & set(roles):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"needs one of: {', '.join(r.value for r in roles)}")
