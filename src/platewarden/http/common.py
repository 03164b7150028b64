"""The two things every HTTP adapter needs: the opened platform (set on the app by ``server.create_app``) and the
peer's address (for throttling and the ledger)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from platewarden.runtime import Platform


def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


PlatformDep = Annotated[Platform, Depends(get_platform)]


def client_address(request: Request) -> str:
    """The peer's address (behind a proxy, configure it to pass the real one: uvicorn --proxy-headers)."""
    return request.client.host if request.client else "unknown"
