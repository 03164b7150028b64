"""The API's routes: thin adapters over governance (for anything personal) and the public aggregates."""

from __future__ import annotations

import math
import uuid

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.responses import PlainTextResponse

from platewarden.api.deps import CurrentUser, PlatformDep, client_address, require
from platewarden.api.schemas import (
    AlertOut,
    ComplaintIn,
    ComplaintOut,
    DecisionIn,
    DispositionIn,
    HotlistIn,
    HotlistOut,
    QueryIn,
    ReadOut,
    RedressDecisionIn,
    ReviewIn,
    SearchRequestIn,
    SearchRequestOut,
    SearchResultOut,
)
from platewarden.audit.transparency import transparency
from platewarden.domain.alerts import AlreadyDisposed, UnknownAlert
from platewarden.domain.approvals import ApprovalRefused
from platewarden.domain.hotlist import HotlistEntry
from platewarden.domain.plates import normalize_plate
from platewarden.domain.redress import Complaint, ComplaintDetails, LiableParty, RedressError
from platewarden.governance.accounts import AccountError
from platewarden.governance.alert_review import AlertReview, AlertView
from platewarden.governance.scope import Query, Scope, ScopeError
from platewarden.governance.search import SearchRefused, SearchRequest
from platewarden.investigation.trajectory import trajectory
from platewarden.policy.model import Role

router = APIRouter()


@router.get("/healthz", tags=["ops"])
def healthz(p: PlatformDep) -> dict[str, str]:
    p.ledger.size()  # touches the database
    return {"status": "ok"}


def _alert_out(v: AlertView) -> AlertOut:
    a, e = v.detail.alert, v.entry
    return AlertOut(id=a.id, read_text=a.raw_text, hotlist_plate=a.hotlist_plate, distance=a.distance,
                    region_verified=a.region_verified, camera_id=v.detail.camera_id, seen_at=a.created_at,
                    confidence=v.detail.confidence,
                    disposition=v.detail.disposition.disposition.value if v.detail.disposition else None,
                    hotlist_region=e.region.value if e else None, hotlist_reason=e.reason if e else None,
                    hotlist_make=e.make if e else None, hotlist_colour=e.colour if e else None,
                    hotlist_source=e.source if e else None, hotlist_added_at=e.added_at if e else None,
                    crop_url=f"/api/alerts/{a.id}/crop.jpg")


@router.get("/api/alerts", response_model=list[AlertOut], tags=["alerts"])
def list_alerts(user: CurrentUser, p: PlatformDep, pending: bool = True) -> list[AlertOut]:
    review = AlertReview(p)
    try:
        views = review.pending(user) if pending else review.all(user)
    except PermissionError as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    return [_alert_out(v) for v in views]


@router.get("/api/alerts/{alert_id}/crop.jpg", response_class=Response, tags=["alerts"],
            responses={200: {"content": {"image/jpeg": {}}}})
def alert_crop(alert_id: uuid.UUID, user: CurrentUser, p: PlatformDep) -> Response:
    try:
        view = AlertReview(p).open(user, str(alert_id), "crop shown")
    except PermissionError as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    except UnknownAlert as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    return Response(view.detail.plate_crop_jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.post("/api/alerts/{alert_id}/disposition", status_code=204, tags=["alerts"])
def dispose(alert_id: uuid.UUID, body: DispositionIn, user: CurrentUser, p: PlatformDep) -> Response:
    try:
        AlertReview(p).dispose(user, str(alert_id), body.disposition, body.note)
    except PermissionError as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    except UnknownAlert as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    except (AlreadyDisposed, ValueError) as exc:
        raise HTTPException(status.HTTP_409_CONFLICT if isinstance(exc, AlreadyDisposed) else 422, str(exc)) from exc
    return Response(status_code=204)


def _hotlist_out(e: HotlistEntry) -> HotlistOut:
    return HotlistOut(id=e.id, plate=e.plate, region=e.region.value, reason=e.reason, source=e.source,
                      status=e.status.value, added_by=e.added_by, expires_at=e.expires_at)


@router.post("/api/hotlist", response_model=HotlistOut, status_code=201, tags=["hotlist"])
def propose_entry(body: HotlistIn, user: CurrentUser, p: PlatformDep) -> HotlistOut:
    try:
        entry = HotlistEntry(str(uuid.uuid4()), normalize_plate(body.plate), body.region, body.country, body.reason,
                             body.source, body.make, body.colour, user.label, p.clock.now(), body.expires_at)
        return _hotlist_out(p.hotlist.propose(entry, user))
    except ApprovalRefused as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc


@router.get("/api/hotlist/pending", response_model=list[HotlistOut], tags=["hotlist"])
def pending_entries(user: CurrentUser, p: PlatformDep) -> list[HotlistOut]:
    require(user, Role.OFFICER, Role.DEPARTMENT_HEAD)
    return [_hotlist_out(e) for e in p.hotlist.pending()]


@router.post("/api/hotlist/{entry_id}/approve", response_model=HotlistOut, tags=["hotlist"])
def approve_entry(entry_id: uuid.UUID, user: CurrentUser, p: PlatformDep) -> HotlistOut:
    try:
        return _hotlist_out(p.hotlist.approve(str(entry_id), user))
    except ApprovalRefused as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc


def _request_out(r: SearchRequest, overdue: set[str]) -> SearchRequestOut:
    return SearchRequestOut(id=r.id, case_number=r.case_number, offence=r.offence, status=r.status.value,
                            exigent=r.exigent, valid_until=r.valid_until,
                            steps=[{"level": str(s.level), "role": s.role.value, "decision": s.decision,
                                    "at": s.decided_at.isoformat()} for s in r.steps],
                            review_overdue=r.id in overdue)


@router.post("/api/searches", response_model=SearchRequestOut, status_code=201, tags=["searches"])
def apply_search(body: SearchRequestIn, user: CurrentUser, p: PlatformDep) -> SearchRequestOut:
    s = body.scope
    scope = Scope(tuple(normalize_plate(x) for x in s.plates), s.pattern.upper() if s.pattern else None,
                  s.pattern_reason, s.time_from, s.time_to, tuple(s.camera_ids), s.area, s.purpose, s.justification)
    try:
        req = p.searches.apply(user, body.case_number, body.offence, scope, body.exigent)
    except ApprovalRefused as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    except ScopeError as exc:
        raise HTTPException(422, str(exc)) from exc
    return _request_out(req, set())


@router.get("/api/searches", response_model=list[SearchRequestOut], tags=["searches"])
def list_searches(user: CurrentUser, p: PlatformDep) -> list[SearchRequestOut]:
    try:
        visible = p.searches.visible_to(user)
    except ApprovalRefused as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    overdue = {r.id for r in p.searches.overdue_reviews()}
    return [_request_out(r, overdue) for r in visible]


def _decision(p: PlatformDep, action: str, request_id: uuid.UUID, user: CurrentUser, reason: str,
              upheld: bool = True) -> SearchRequestOut:
    try:
        if action == "approve":
            req = p.searches.approve(str(request_id), user, reason)
        elif action == "reject":
            req = p.searches.reject(str(request_id), user, reason)
        elif action == "revoke":
            req = p.searches.revoke(str(request_id), user, reason)
        else:
            req = p.searches.review_exigent(str(request_id), user, upheld, reason)
    except KeyError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such search request") from exc
    except ApprovalRefused as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    return _request_out(req, set())


@router.post("/api/searches/{request_id}/approve", response_model=SearchRequestOut, tags=["searches"])
def approve_search(request_id: uuid.UUID, body: DecisionIn, user: CurrentUser, p: PlatformDep) -> SearchRequestOut:
    return _decision(p, "approve", request_id, user, body.reason)


@router.post("/api/searches/{request_id}/reject", response_model=SearchRequestOut, tags=["searches"])
def reject_search(request_id: uuid.UUID, body: DecisionIn, user: CurrentUser, p: PlatformDep) -> SearchRequestOut:
    return _decision(p, "reject", request_id, user, body.reason)


@router.post("/api/searches/{request_id}/revoke", response_model=SearchRequestOut, tags=["searches"])
def revoke_search(request_id: uuid.UUID, body: DecisionIn, user: CurrentUser, p: PlatformDep) -> SearchRequestOut:
    return _decision(p, "revoke", request_id, user, body.reason)


@router.post("/api/searches/{request_id}/review", response_model=SearchRequestOut, tags=["searches"])
def review_search(request_id: uuid.UUID, body: ReviewIn, user: CurrentUser, p: PlatformDep) -> SearchRequestOut:
    return _decision(p, "review", request_id, user, body.reason, body.upheld)


@router.post("/api/searches/{request_id}/run", response_model=SearchResultOut, tags=["searches"])
def run_search(request_id: uuid.UUID, body: QueryIn, user: CurrentUser, p: PlatformDep) -> SearchResultOut:
    q = Query(body.plate, body.pattern.upper() if body.pattern else None, body.time_from, body.time_to,
              tuple(body.camera_ids), body.area)
    try:
        res = p.searches.search(user, str(request_id), q)
    except SearchRefused as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"refused and ledgered: {exc}") from exc
    traj = trajectory(res.reads)
    return SearchResultOut(request_id=res.request_id, results_digest=res.digest, reads=[ReadOut(
        id=r.id, text=r.text, region=r.region.value, confidence=r.confidence, camera_id=r.camera_id,
        latitude=r.latitude, longitude=r.longitude, first_seen=r.first_seen, last_seen=r.last_seen,
        kmh_from_previous=None if i == 0 or traj.legs[i - 1].kmh is None or not math.isfinite(
            traj.legs[i - 1].kmh or 0) else round(traj.legs[i - 1].kmh or 0, 1),
        impossible_travel=i > 0 and traj.legs[i - 1].impossible) for i, r in enumerate(traj.reads)])


@router.post("/api/public/complaints", status_code=201, tags=["public"])
def file_complaint(body: ComplaintIn, request: Request, p: PlatformDep) -> dict[str, str]:
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
def list_complaints(user: CurrentUser, p: PlatformDep) -> list[ComplaintOut]:
    try:
        return [_complaint_out(c) for c in p.redress.all(user)]
    except PermissionError as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc


@router.post("/api/complaints/{complaint_id}/review", response_model=ComplaintOut, tags=["redress"])
def review_complaint(complaint_id: uuid.UUID, user: CurrentUser, p: PlatformDep) -> ComplaintOut:
    try:
        return _complaint_out(p.redress.start_review(user, str(complaint_id)))
    except PermissionError as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    except KeyError as exc:
        raise HTTPException(404, "no such complaint") from exc
    except RedressError as exc:
        raise HTTPException(409, str(exc)) from exc


@router.get("/api/complaints/{complaint_id}/alerts", tags=["redress"])
def complaint_alerts(complaint_id: uuid.UUID, user: CurrentUser, p: PlatformDep) -> list[str]:
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
                     p: PlatformDep) -> ComplaintOut:
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


@router.get("/api/ledger/checkpoint", response_class=PlainTextResponse, tags=["ledger"])
def ledger_checkpoint(p: PlatformDep) -> str:
    """The latest signed checkpoint with its cosignatures (public: it reveals only a size and a hash)."""
    return p.ledger.latest_note()


@router.get("/api/ledger/proof/{seq}", tags=["ledger"])
def ledger_proof(seq: int, user: CurrentUser, p: PlatformDep) -> dict[str, object]:
    require(user, Role.AUDITOR, Role.PROSECUTOR, Role.DEPARTMENT_HEAD, Role.ETHICS_BOARD)
    if seq < 0 or seq >= p.ledger.size():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such ledger entry")
    return {**p.ledger.prove(seq).to_json(), "entry": p.ledger.entry(seq)}


@router.get("/api/ledger/entries", tags=["ledger"])
def ledger_entries(user: CurrentUser, p: PlatformDep, start: int = 0, limit: int = 100) -> list[dict[str, object]]:
    require(user, Role.AUDITOR, Role.PROSECUTOR, Role.DEPARTMENT_HEAD, Role.ETHICS_BOARD)
    if start < 0 or not 1 <= limit <= 1000:
        raise HTTPException(422, "start ≥ 0 and 1 ≤ limit ≤ 1000")
    return [e for _, e in p.ledger.parsed(start, start + limit)]


@router.get("/api/public/transparency", tags=["public"])
def public_transparency(p: PlatformDep) -> dict[str, object]:
    """Aggregates for the public portal (no login): no plate, crop or name."""
    return transparency(p, p.clock.now())


__all__ = ["AccountError", "router"]
