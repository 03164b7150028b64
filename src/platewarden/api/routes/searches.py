"""Historical searches: apply, decide along the chain, run inside the authorization."""

from __future__ import annotations

import math
import uuid

from fastapi import APIRouter, Response

from platewarden.api.deps import CurrentUser
from platewarden.api.schemas import (
    DecisionIn,
    ExportIn,
    QueryIn,
    ReadOut,
    ReviewIn,
    SearchRequestIn,
    SearchRequestOut,
    SearchResultOut,
)
from platewarden.domain.plates import normalize_plate
from platewarden.governance.scope import Query, Scope
from platewarden.governance.search import Decision, SearchRequest
from platewarden.http.common import GovernanceDep
from platewarden.investigation.trajectory import steps

router = APIRouter()


def _request_out(r: SearchRequest, overdue: set[str]) -> SearchRequestOut:
    return SearchRequestOut(id=r.id, case_number=r.case_number, offence=r.offence, status=r.status.value,
                            exigent=r.exigent, valid_until=r.valid_until,
                            steps=[{"level": str(s.level), "role": s.role.value, "decision": s.decision,
                                    "at": s.decided_at.isoformat()} for s in r.steps],
                            review_overdue=r.id in overdue)


@router.post("/api/searches", response_model=SearchRequestOut, status_code=201, tags=["searches"])
def apply_search(body: SearchRequestIn, user: CurrentUser, p: GovernanceDep) -> SearchRequestOut:
    s = body.scope
    scope = Scope(tuple(normalize_plate(x) for x in s.plates), s.pattern.upper() if s.pattern else None,
                  s.pattern_reason, s.time_from, s.time_to, tuple(s.camera_ids), s.area, s.purpose, s.justification)
    req = p.searches.apply(user, body.case_number, body.offence, scope, body.exigent)
    return _request_out(req, set())


@router.get("/api/searches", response_model=list[SearchRequestOut], tags=["searches"])
def list_searches(user: CurrentUser, p: GovernanceDep) -> list[SearchRequestOut]:
    visible = p.searches.visible_to(user)
    overdue = {r.id for r in p.searches.overdue_reviews()}
    return [_request_out(r, overdue) for r in visible]


def _decision(p: GovernanceDep, decision: Decision, request_id: uuid.UUID, user: CurrentUser,
              reason: str) -> SearchRequestOut:
    return _request_out(p.searches.decide(str(request_id), user, decision, reason), set())


@router.post("/api/searches/{request_id}/approve", response_model=SearchRequestOut, tags=["searches"])
def approve_search(request_id: uuid.UUID, body: DecisionIn, user: CurrentUser, p: GovernanceDep) -> SearchRequestOut:
    return _decision(p, Decision.APPROVE, request_id, user, body.reason)


@router.post("/api/searches/{request_id}/reject", response_model=SearchRequestOut, tags=["searches"])
def reject_search(request_id: uuid.UUID, body: DecisionIn, user: CurrentUser, p: GovernanceDep) -> SearchRequestOut:
    return _decision(p, Decision.REJECT, request_id, user, body.reason)


@router.post("/api/searches/{request_id}/revoke", response_model=SearchRequestOut, tags=["searches"])
def revoke_search(request_id: uuid.UUID, body: DecisionIn, user: CurrentUser, p: GovernanceDep) -> SearchRequestOut:
    return _decision(p, Decision.REVOKE, request_id, user, body.reason)


@router.post("/api/searches/{request_id}/review", response_model=SearchRequestOut, tags=["searches"])
def review_search(request_id: uuid.UUID, body: ReviewIn, user: CurrentUser, p: GovernanceDep) -> SearchRequestOut:
    return _decision(p, Decision.UPHOLD if body.upheld else Decision.NOT_UPHELD, request_id, user, body.reason)


@router.post("/api/searches/{request_id}/run", response_model=SearchResultOut, tags=["searches"])
def run_search(request_id: uuid.UUID, body: QueryIn, user: CurrentUser, p: GovernanceDep) -> SearchResultOut:
    res = p.searches.search(user, str(request_id), _query(body))
    return SearchResultOut(request_id=res.request_id, results_digest=res.digest, reads=[ReadOut(
        id=r.id, text=r.text, region=r.region.value, confidence=r.confidence, camera_id=r.camera_id,
        latitude=r.latitude, longitude=r.longitude, first_seen=r.first_seen, last_seen=r.last_seen,
        kmh_from_previous=None if leg is None or leg.kmh is None or not math.isfinite(leg.kmh)
        else round(leg.kmh, 1), impossible_travel=leg is not None and leg.impossible)
        for r, leg in steps(res.reads)])


def _query(body: QueryIn) -> Query:
    return Query(body.plate, body.pattern.upper() if body.pattern else None, body.time_from, body.time_to,
                 tuple(body.camera_ids), body.area)


@router.post("/api/searches/{request_id}/export", response_class=Response, tags=["searches"],
             responses={200: {"content": {"text/csv": {}, "application/pdf": {}}}})
def export_search(request_id: uuid.UUID, body: ExportIn, user: CurrentUser, p: GovernanceDep) -> Response:
    """The results as a CSV, or a PDF signed with the log's key (``platewarden search verify-export``); the export
    is ledgered with its file's digest. Plaintext plates: never cached."""
    f = p.searches.export(user, str(request_id), _query(body), body.format)
    return Response(f.content, media_type=f.media_type, headers={
        "Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{f.filename}"',
        "X-Export-Results": str(f.results), "X-Ledger-Entry": str(f.ledger_entry),
        "X-Log-Key": p.ledger.public_key.encode()})
