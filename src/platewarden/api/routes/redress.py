"""Redress: the public files a complaint; reviewers and deciders work it."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from platewarden.api.deps import CurrentUser
from platewarden.api.schemas import (
    ComplaintIn,
    ComplaintOut,
    RedressDecisionIn,
)
from platewarden.domain.redress import Complaint, ComplaintDetails, LiableParty
from platewarden.http.common import GovernanceDep, client_address

router = APIRouter()


@router.post("/api/public/complaints", status_code=201, tags=["public"])
def file_complaint(body: ComplaintIn, request: Request, p: GovernanceDep) -> dict[str, str]:
    """Anyone who believes they were misidentified files a complaint (no account needed; limited per address and
    per hour). An incomplete or implausible complaint is a 422 saying what is missing."""
    ref = p.redress.file(ComplaintDetails(body.plate, body.date, body.place, body.what_happened, body.contact),
                         client_address(request))
    return {"reference": ref, "state": "received"}


def _complaint_out(c: Complaint) -> ComplaintOut:
    return ComplaintOut(id=c.id, state=c.state.value, received_at=c.received_at, plate=c.details.plate,
                        date=c.details.date, place=c.details.place, what_happened=c.details.what_happened,
                        linked_alerts=list(c.linked_alerts), compensation=c.compensation.amount if c.compensation
                        else None, liable=c.compensation.liable.value if c.compensation else None,
                        suppressed_entry=c.suppressed_entry)


# Refusals are the services' (server.ERROR_STATUS maps them once): 403 not a reviewer, or the reviewer deciding
# alone; 404 no such complaint; 409 a step its state does not allow; 422 a decision without its reasons.

@router.get("/api/complaints", response_model=list[ComplaintOut], tags=["redress"])
def list_complaints(user: CurrentUser, p: GovernanceDep) -> list[ComplaintOut]:
    return [_complaint_out(c) for c in p.redress.all(user)]


@router.post("/api/complaints/{complaint_id}/review", response_model=ComplaintOut, tags=["redress"])
def review_complaint(complaint_id: uuid.UUID, user: CurrentUser, p: GovernanceDep) -> ComplaintOut:
    return _complaint_out(p.redress.start_review(user, str(complaint_id)))


@router.get("/api/complaints/{complaint_id}/alerts", tags=["redress"])
def complaint_alerts(complaint_id: uuid.UUID, user: CurrentUser, p: GovernanceDep) -> list[str]:
    return p.redress.matching_alerts(user, str(complaint_id))


@router.post("/api/complaints/{complaint_id}/decision", response_model=ComplaintOut, tags=["redress"])
def decide_complaint(complaint_id: uuid.UUID, body: RedressDecisionIn, user: CurrentUser,
                     p: GovernanceDep) -> ComplaintOut:
    return _complaint_out(p.redress.decide(
        user, str(complaint_id), body.upheld, body.reason, body.linked_alerts, body.compensation,
        LiableParty(body.liable) if body.liable else None, body.compensation_reason, body.suppress_entry))
