"""Redress: the public files a complaint; reviewers and deciders work it."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, HTTPException, Request, status

from platewarden.api.deps import CurrentUser
from platewarden.api.schemas import (
    ComplaintIn,
    ComplaintOut,
    RedressDecisionIn,
)
from platewarden.domain.alerts import UnknownAlert
from platewarden.domain.redress import Complaint, ComplaintDetails, LiableParty, RedressError
from platewarden.http.common import GovernanceDep, client_address

router = APIRouter()


@router.post("/api/public/complaints", status_code=201, tags=["public"])
def file_complaint(body: ComplaintIn, request: Request, p: GovernanceDep) -> dict[str, str]:
    """Anyone who believes they were misidentified files a complaint (no account needed; limited per address and
    per hour)."""
    try:
        ref = p.redress.file(ComplaintDetails(body.plate, body.date, body.place, body.what_happened, body.contact),
                             client_address(request))
    except RedressError as exc:
        raise HTTPException(422, str(exc)) from exc
    return {"reference": ref, "state": "received"}


def _complaint_out(c: Complaint) -> ComplaintOut:
    return ComplaintOut(id=c.id, state=c.state.value, received_at=c.received_at, plate=c.details.plate,
                        date=c.details.date, place=c.details.place, what_happened=c.details.what_happened,
                        linked_alerts=list(c.linked_alerts), compensation=c.compensation.amount if c.compensation
                        else None, liable=c.compensation.liable.value if c.compensation else None,
                        suppressed_entry=c.suppressed_entry)


@router.get("/api/complaints", response_model=list[ComplaintOut], tags=["redress"])
def list_complaints(user: CurrentUser, p: GovernanceDep) -> list[ComplaintOut]:
    try:
        return [_complaint_out(c) for c in p.redress.all(user)]
    except PermissionError as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc


@router.post("/api/complaints/{complaint_id}/review", response_model=ComplaintOut, tags=["redress"])
def review_complaint(complaint_id: uuid.UUID, user: CurrentUser, p: GovernanceDep) -> ComplaintOut:
    try:
        return _complaint_out(p.redress.start_review(user, str(complaint_id)))
    except PermissionError as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    except KeyError as exc:
        raise HTTPException(404, "no such complaint") from exc
    except RedressError as exc:
        raise HTTPException(409, str(exc)) from exc


@router.get("/api/complaints/{complaint_id}/alerts", tags=["redress"])
def complaint_alerts(complaint_id: uuid.UUID, user: CurrentUser, p: GovernanceDep) -> list[str]:
    try:
        return p.redress.matching_alerts(user, str(complaint_id))
    except PermissionError as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    except KeyError as exc:
        raise HTTPException(404, "no such complaint") from exc
    except RedressError as exc:
        raise HTTPException(409, str(exc)) from exc


@router.post("/api/complaints/{complaint_id}/decision", response_model=ComplaintOut, tags=["redress"])
def decide_complaint(complaint_id: uuid.UUID, body: RedressDecisionIn, user: CurrentUser,
                     p: GovernanceDep) -> ComplaintOut:
    try:
        return _complaint_out(p.redress.decide(
            user, str(complaint_id), body.upheld, body.reason, body.linked_alerts, body.compensation,
            LiableParty(body.liable) if body.liable else None, body.compensation_reason, body.suppress_entry))
    except PermissionError as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    except KeyError as exc:
        raise HTTPException(404, "no such complaint") from exc
    except (RedressError, UnknownAlert) as exc:
        raise HTTPException(409, str(exc)) from exc

