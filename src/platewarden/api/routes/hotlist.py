"""Hotlist entries: proposed with provenance, approved along the policy's chain."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from platewarden.api.deps import CurrentUser, require
from platewarden.api.schemas import (
    ApiInput,
    HotlistIn,
    HotlistOut,
)
from platewarden.domain.hotlist import HotlistEntry
from platewarden.domain.plates import normalize_plate
from platewarden.http.common import GovernanceDep
from platewarden.policy.model import Role

router = APIRouter()


def _hotlist_out(e: HotlistEntry) -> HotlistOut:
    return HotlistOut(id=e.id, plate=e.plate, region=e.region.value, reason=e.reason, source=e.source,
                      status=e.status.value, added_by=e.added_by, expires_at=e.expires_at)


@router.post("/api/hotlist", response_model=HotlistOut, status_code=201, tags=["hotlist"])
def propose_entry(body: HotlistIn, user: CurrentUser, p: GovernanceDep) -> HotlistOut:
    try:
        entry = HotlistEntry(str(uuid.uuid4()), normalize_plate(body.plate), body.region, body.country, body.reason,
                             body.source, body.make, body.colour, user.label, p.clock.now(), body.expires_at)
        return _hotlist_out(p.hotlist.propose(entry, user))
    except ValueError as exc:  # the entry's own checks (plate, expiry) are plain ValueErrors of the domain
        raise HTTPException(422, str(exc)) from exc


@router.get("/api/hotlist", response_model=list[HotlistOut], tags=["hotlist"])
def list_entries(user: CurrentUser, p: GovernanceDep,
                 state: Annotated[str, Query(max_length=20, description="pending, active, expired, suppressed or "
                                                                        "removed")] = "active") -> list[HotlistOut]:
    """The entries in one state with their provenance (officers, department heads, auditors). Ledgered."""
    return [_hotlist_out(e) for e in p.hotlist.listing(user, state)]


@router.get("/api/hotlist/pending", response_model=list[HotlistOut], tags=["hotlist"])
def pending_entries(user: CurrentUser, p: GovernanceDep) -> list[HotlistOut]:
    require(user, Role.OFFICER, Role.DEPARTMENT_HEAD)
    return [_hotlist_out(e) for e in p.hotlist.pending()]


@router.post("/api/hotlist/{entry_id}/approve", response_model=HotlistOut, tags=["hotlist"])
def approve_entry(entry_id: uuid.UUID, user: CurrentUser, p: GovernanceDep) -> HotlistOut:
    return _hotlist_out(p.hotlist.approve(str(entry_id), user))



class HotlistImportIn(ApiInput):
    csv: Annotated[str, Field(min_length=1, max_length=10 * 1024 * 1024, description=(
        "CSV text: plate, region, reason, source, expires_at[, country, make, colour], with a header row."))]
    partial: bool = Field(False, description="Propose the good rows even if some rows are bad.")


class SkippedRow(BaseModel):
    line: int
    reason: str


class HotlistImportOut(BaseModel):
    proposed: int
    skipped: list[SkippedRow]


@router.post("/api/hotlist/import", response_model=HotlistImportOut, status_code=201, tags=["hotlist"])
def import_entries(body: HotlistImportIn, user: CurrentUser, p: GovernanceDep) -> HotlistImportOut:
    """Propose many entries at once (the first role of the hotlist chain); all or none unless ``partial``; each
    proposal ledgered with the rows, each entry then waits for its approvals. A bad file is a 422 naming its lines."""
    parsed = p.hotlist.import_csv(body.csv, user, body.partial)
    return HotlistImportOut(proposed=len(parsed.entries),
                            skipped=[SkippedRow(line=e.line, reason=e.reason) for e in parsed.errors])
