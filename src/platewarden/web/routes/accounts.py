"""Accounts for administrators: activate, unlock, reset a second factor (each change ledgered by the service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse

from platewarden.governance.accounts import AccountError
from platewarden.http.common import GovernanceDep
from platewarden.web.console import (
    UserDep,
    allow,
    back,
    check_csrf,
    render,
)

router = APIRouter(include_in_schema=False)


@router.get("/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    allow(user, "/accounts")
    accounts = p.accounts.all(user)
    return render(request, "accounts.html", user, title="Accounts", accounts=accounts)


@router.post("/accounts/{user_id}")
def accounts_change(user_id: str, request: Request, user: UserDep, p: GovernanceDep, csrf: Annotated[str, Form()],
                    action: Annotated[str, Form()]) -> Response:
    check_csrf(request, csrf, user_id, action)
    where = "/approvals" if action == "grant" else "/accounts"
    change = {"deactivate": p.accounts.deactivate, "reactivate": p.accounts.reactivate,
              "unlock": p.accounts.unlock, "reset_mfa": p.accounts.reset_mfa,
              "grant": p.accounts.approve_grant}.get(action)
    if change is None:
        raise HTTPException(422, "unknown action")
    try:
        change(user, user_id)
    except (AccountError, PermissionError) as exc:
        return back(where, request, f"Refused: {exc}")
    return back(where, request, f"Done: {action.replace('_', ' ')} (recorded in the ledger).")
