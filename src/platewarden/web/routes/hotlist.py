"""The hotlist by state with its provenance; approval by the next person of the chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from platewarden.http.common import GovernanceDep
from platewarden.web.console import (
    UserDep,
    allow,
    back,
    check_csrf,
    render,
)

router = APIRouter(include_in_schema=False)


@router.get("/hotlist", response_class=HTMLResponse)
def hotlist_page(request: Request, user: UserDep, p: GovernanceDep, state: str = "active") -> HTMLResponse:
    allow(user, "/hotlist")
    entries = p.hotlist.listing(user, state)  # refuses an unknown state (422) and ledgers the listing
    return render(request, "hotlist.html", user, title="Hotlist", entries=entries, state=state,
                  states=p.hotlist.LIST_STATES, now=p.clock.now())


@router.post("/hotlist/{entry_id}/approve")
def hotlist_approve(entry_id: str, request: Request, user: UserDep, p: GovernanceDep,
                    csrf: Annotated[str, Form()]) -> Response:
    check_csrf(request, csrf, entry_id)
    try:
        entry = p.hotlist.approve(entry_id, user)  # the chain's next level; never the proposer; ledgered
    except PermissionError as exc:
        return back("/hotlist?state=pending", request, f"Refused: {exc}")
    return back("/hotlist?state=pending", request,
                f"{entry.plate}: {entry.status.value} (recorded in the ledger).")
