"""Holds over HTTP: an officer, head or prosecutor asks to keep a case's reads past the ordinary limit, another head
or prosecutor approves, either releases (which destroys what no hold keeps any more). Every step is the retention
service's, ledgered there; refusals are 403 through the one error handler."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from platewarden.api.deps import CurrentUser
from platewarden.api.schemas import ApiInput
from platewarden.http.common import GovernanceDep

router = APIRouter(tags=["holds"])


class HoldIn(ApiInput):
    case_number: Annotated[str, Field(min_length=1, max_length=80)]
    read_ids: Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Field(min_length=1,
                                                                                          max_length=10_000)]
    reason: Annotated[str, Field(min_length=1, max_length=5000)]


class ReleaseIn(ApiInput):
    reason: Annotated[str, Field(min_length=1, max_length=5000)]


class HoldOut(BaseModel):
    id: str
    case_number: str
    reads: int
    review_by: date
    state: str  # awaiting approval / active / review due / released
    created_at: datetime


def _out(h: dict[str, object]) -> HoldOut:
    return HoldOut.model_validate({**h, "id": str(h["id"])})


@router.get("/api/holds", response_model=list[HoldOut])
def list_holds(user: CurrentUser, p: GovernanceDep) -> list[HoldOut]:
    return [_out(h) for h in p.retention.holds_for(user)]


@router.post("/api/holds", response_model=HoldOut, status_code=201)
def request_hold(body: HoldIn, user: CurrentUser, p: GovernanceDep) -> HoldOut:
    hold_id = p.retention.request_hold(user, body.case_number, body.read_ids, body.reason)
    return next(_out(h) for h in p.retention.holds() if h["id"] == hold_id)


@router.post("/api/holds/{hold_id}/approve", response_model=HoldOut)
def approve_hold(hold_id: uuid.UUID, user: CurrentUser, p: GovernanceDep) -> HoldOut:
    p.retention.approve_hold(user, str(hold_id))
    return next(_out(h) for h in p.retention.holds() if h["id"] == str(hold_id))


@router.post("/api/holds/{hold_id}/release", status_code=204)
def release_hold(hold_id: uuid.UUID, body: ReleaseIn, user: CurrentUser, p: GovernanceDep) -> None:
    p.retention.release(user, str(hold_id), body.reason)


@router.post("/api/holds/{hold_id}/review", response_model=HoldOut)
def review_hold(hold_id: uuid.UUID, body: ReleaseIn, user: CurrentUser, p: GovernanceDep) -> HoldOut:
    """Keep a placed hold for another review period; the reason says why the case still needs its reads."""
    p.retention.review_hold(user, str(hold_id), body.reason)
    return next(_out(h) for h in p.retention.holds() if h["id"] == str(hold_id))
