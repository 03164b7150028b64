"""Notification outlets over HTTP: proposing, deciding, removing and listing the governed places alert notifications
go (``governance/outlets.py``). Every act is the service's, under the policy's ``notification_outlet`` chain, and
ledgered there; refusals map to HTTP once, in ``platewarden.server``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from platewarden.api.deps import CurrentUser
from platewarden.api.schemas import ApiInput
from platewarden.governance.outlets import Outlet
from platewarden.http.common import GovernanceDep

router = APIRouter(tags=["outlets"])

OutletId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class OutletIn(ApiInput):
    url: Annotated[str, Field(min_length=1, max_length=500,
                              description="https://HOST/PATH or mqtts://[USER@]HOST[:PORT]/TOPIC")]
    purpose: Annotated[str, Field(min_length=1, max_length=2000, description="What it is for and who receives it.")]


class OutletDecisionIn(ApiInput):
    approve: bool
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class OutletRemoveIn(ApiInput):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class OutletOut(BaseModel):
    id: int
    url: str
    purpose: str
    status: str
    enabled: bool
    consecutive_failures: int
    disabled_reason: str | None
    proposed_at: datetime


def _out(o: Outlet) -> OutletOut:
    return OutletOut(id=o.id, url=o.url, purpose=o.purpose, status=o.status, enabled=o.enabled,
                     consecutive_failures=o.consecutive_failures, disabled_reason=o.disabled_reason,
                     proposed_at=o.proposed_at)


@router.get("/api/outlets", response_model=list[OutletOut])
def list_outlets(user: CurrentUser, p: GovernanceDep) -> list[OutletOut]:
    """Every outlet with its state and delivery failures (its approval chain, auditors, the ethics board)."""
    return [_out(o) for o in p.outlets.visible_to(user)]


@router.post("/api/outlets", response_model=OutletOut, status_code=201)
def propose_outlet(body: OutletIn, user: CurrentUser, p: GovernanceDep) -> OutletOut:
    """Propose an outlet; it receives nothing until the rest of its chain approves. Ledgered."""
    return _out(p.outlets.propose(user, body.url, body.purpose))


@router.post("/api/outlets/{outlet_id}/decision", response_model=OutletOut)
def decide_outlet(outlet_id: OutletId, body: OutletDecisionIn, user: CurrentUser, p: GovernanceDep) -> OutletOut:
    """Approve or reject a proposed outlet (never its proposer). Ledgered."""
    return _out(p.outlets.decide(user, outlet_id, body.approve, body.reason))


@router.post("/api/outlets/{outlet_id}/remove", status_code=204)
def remove_outlet(outlet_id: OutletId, body: OutletRemoveIn, user: CurrentUser, p: GovernanceDep) -> Response:
    """End an outlet at once (anyone of its chain). Ledgered."""
    p.outlets.remove(user, outlet_id, body.reason)
    return Response(status_code=204)
