"""Server-rendered pages. Every page that shows personal data goes through governance, like the API."""

from __future__ import annotations

import json
import math
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import segno
import yaml
from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi import Query as QueryParam
from fastapi.responses import HTMLResponse, RedirectResponse

from platewarden.domain.alerts import AlreadyDisposed, Disposition, UnknownAlert
from platewarden.domain.approvals import ApprovalRefused, next_level
from platewarden.domain.plates import normalize_plate
from platewarden.domain.redress import ComplaintDetails, RedressError
from platewarden.domain.users import User
from platewarden.governance.accounts import AccountError, AuthError, Throttled
from platewarden.governance.facade import Governance
from platewarden.governance.scope import Query, Scope, ScopeError
from platewarden.governance.search import Decision, SearchRefused, SearchRequest, Status
from platewarden.http.common import GovernanceDep, PublicDep, client_address
from platewarden.investigation.trajectory import steps
from platewarden.ledger.entries import EventKind
from platewarden.web.console import (
    LEDGER_ROLES,
    PAGE_ROLES,
    EnrollingDep,
    LoginRequired,
    SecondFactorRequired,
    UserDep,
    allow,
    back,
    check_csrf,
    render,
    session_user,
)
from platewarden.web.deployment_pages import deployment_inbox
from platewarden.web.maps import map_block, tiles_of

pages = APIRouter(include_in_schema=False)


@pages.get("/login", response_class=HTMLResponse)
def login_page(request: Request, p: GovernanceDep) -> HTMLResponse:
    return render(request, "login.html", None, title="Sign in", sso=p.policy.accounts.sso)


@pages.post("/login")
def login(request: Request, p: GovernanceDep, username: Annotated[str, Form(max_length=80)],
          password: Annotated[str, Form(max_length=1024)], code: Annotated[str, Form(max_length=20)] = "") -> Response:
    if any(ord(c) < 32 for c in username + password + code):
        raise HTTPException(422, "control characters are not allowed")
    try:
        signed = p.accounts.sign_in(username, password, code or None, client_address(request))
    except Throttled as exc:
        return back("/login", request, str(exc))
    except AuthError:
        return back("/login", request, "Wrong username, password or code.")
    old = request.session.get("sid")
    if old:
        p.accounts.sessions.end(old, "replaced")
    request.session.clear()
    request.session.update({"sid": p.accounts.sessions.open(signed.user, signed.mfa_pending),
                            "csrf": secrets.token_urlsafe(24)})
    return back("/account/mfa" if signed.mfa_pending else "/", request)


@pages.post("/logout")
def logout(request: Request, p: GovernanceDep, csrf: Annotated[str, Form()]) -> Response:
    check_csrf(request, csrf)
    if request.session.get("sid"):
        p.accounts.sessions.end(request.session["sid"], "logout")
    request.session.clear()
    return back("/login", request)


@pages.get("/account/mfa", response_class=HTMLResponse)
def mfa_page(request: Request, user: EnrollingDep, p: GovernanceDep) -> HTMLResponse:
    """Enrol the second factor: a QR code (inline SVG, no script) and the secret to type in by hand."""
    if p.accounts.mfa_enrolled(user.id):
        return render(request, "mfa.html", user, title="Second factor", enrolled=True)
    uri = p.accounts.start_mfa(user)
    qr = segno.make(uri, error="m").svg_inline(scale=4)
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    return render(request, "mfa.html", user, title="Second factor", enrolled=False, qr=qr, secret=secret)


@pages.post("/account/mfa", response_class=HTMLResponse)
def mfa_confirm(request: Request, user: EnrollingDep, p: GovernanceDep, csrf: Annotated[str, Form()],
                code: Annotated[str, Form(max_length=20)]) -> Response:
    check_csrf(request, csrf, code)
    try:
        codes = p.accounts.confirm_mfa(user, code)
    except (AccountError, AuthError) as exc:
        return back("/account/mfa", request, str(exc))
    p.accounts.sessions.complete_mfa(request.session["sid"])
    return render(request, "mfa.html", user, title="Second factor", enrolled=True, recovery_codes=codes)


@pages.get("/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    allow(user, "/accounts")
    accounts = p.accounts.all(user)
    return render(request, "accounts.html", user, title="Accounts", accounts=accounts)


@pages.post("/accounts/{user_id}")
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


def _inbox(p: Governance, user: User) -> list[SearchRequest]:
    chain = p.policy.approvals.historical_search
    out = []
    for r in p.searches.all():
        if r.requested_by == user.id or any(s.decided_by == user.id for s in r.steps):
            continue
        if r.status is Status.PENDING:
            level = next_level(chain, list(r.steps))
            if level is not None and chain[level] in user.roles:
                out.append(r)
        elif r.exigent and r.status is Status.EXIGENT:
            done = {s.role for s in r.steps}
            if any(role in user.roles and role not in done for role in chain[1:]):
                out.append(r)
    return out


@pages.get("/", response_class=HTMLResponse)
def home(request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    pending = p.alert_review.pending_count()
    today = p.clock.now().date()
    reads_today = sorted((cam, n) for (day, cam), n in p.retention.reads_per_day_and_camera().items()
                         if day == today) if user.roles & PAGE_ROLES["/alerts"] else []
    return render(request, "home.html", user, title="Home", pending_alerts=pending, inbox=len(_inbox(p, user)),
                  can_open={page for page, roles in PAGE_ROLES.items() if user.roles & roles},
                  reads_today=reads_today, ledger=p.ledger.status() if user.roles & LEDGER_ROLES else None,
                  witnesses=len(p.policy.ledger.witnesses), quorum=p.policy.ledger.quorum)


@pages.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    allow(user, "/alerts")
    try:
        views = p.alert_review.pending(user)
    except PermissionError as exc:
        raise HTTPException(403, str(exc)) from exc
    return render(request, "alerts.html", user, title="Alerts", views=views, now=p.clock.now())


@pages.get("/alerts/{alert_id}/crop.jpg")
def alert_crop(alert_id: str, user: UserDep, p: GovernanceDep) -> Response:
    try:
        view = p.alert_review.open(user, alert_id, "crop shown")
    except PermissionError as exc:
        raise HTTPException(403, str(exc)) from exc
    except UnknownAlert as exc:
        raise HTTPException(404, str(exc)) from exc
    return Response(view.detail.plate_crop_jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@pages.post("/alerts/{alert_id}/disposition")
def alert_dispose(alert_id: str, request: Request, user: UserDep, p: GovernanceDep, csrf: Annotated[str, Form()],
                  disposition: Annotated[Disposition, Form()], note: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf, alert_id, note)
    try:
        p.alert_review.dispose(user, alert_id, disposition, note)
    except (ValueError, PermissionError, UnknownAlert, AlreadyDisposed) as exc:
        return back("/alerts", request, f"Not recorded: {exc}")
    return back("/alerts", request, f"Recorded: {disposition.value}.")


@pages.get("/approvals", response_class=HTMLResponse)
def approvals_page(request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    allow(user, "/approvals")

    grants = p.accounts.awaiting_grant(user) if user.roles & set(p.policy.accounts.role_grant_approvers) else []
    requests = _inbox(p, user)
    chain = p.policy.approvals.historical_search

    def who(user_id: str) -> str:
        try:
            return p.accounts.get(user_id).label
        except LookupError:
            return f"unknown account {user_id[:8]}"

    # Who applied, who decided before, and whose turn it is: an approver judges the request with its history.
    people = {uid: who(uid) for r in requests for uid in (r.requested_by, *(s.decided_by for s in r.steps))}
    next_role = {r.id: (chain[level].value.replace("_", " ") if (level := next_level(chain, list(r.steps)))
                        is not None else None) for r in requests}
    return render(request, "approvals.html", user, title="Approvals", requests=requests, grants=grants,
                  people=people, next_role=next_role, **deployment_inbox(p, user))


@pages.post("/approvals/{request_id}")
def approvals_decide(request_id: str, request: Request, user: UserDep, p: GovernanceDep, csrf: Annotated[str, Form()],
                     action: Annotated[str, Form()], reason: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf, request_id, action, reason)
    if action not in {Decision.APPROVE, Decision.REJECT, Decision.UPHOLD, Decision.NOT_UPHELD}:
        raise HTTPException(422, "unknown action")  # revoking is done from the request's own page
    try:
        p.searches.decide(request_id, user, Decision(action), reason)
    except (ApprovalRefused, KeyError) as exc:
        return back("/approvals", request, f"Refused (and recorded): {exc}")
    return back("/approvals", request, "Decision recorded.")


@pages.get("/searches", response_class=HTMLResponse)
def searches_page(request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    allow(user, "/searches")
    try:
        mine = p.searches.visible_to(user)
    except ApprovalRefused as exc:
        raise HTTPException(403, str(exc)) from exc
    return render(request, "searches.html", user, title="Searches", requests=mine,
                  overdue={r.id for r in p.searches.overdue_reviews()})


@pages.get("/searches/new", response_class=HTMLResponse)
def search_new_page(request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    allow(user, "/searches/new")
    return render(request, "search_new.html", user, title="New search", offences=p.policy.search.offences)


def _utc(value: str) -> datetime:
    dt = datetime.fromisoformat(value)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


@pages.post("/searches/new")
def search_apply(request: Request, user: UserDep, p: GovernanceDep, csrf: Annotated[str, Form()],
                 case_number: Annotated[str, Form()], offence: Annotated[str, Form()],
                 time_from: Annotated[str, Form()], time_to: Annotated[str, Form()],
                 purpose: Annotated[str, Form()], justification: Annotated[str, Form()],
                 plates: Annotated[str, Form()] = "", pattern: Annotated[str, Form()] = "",
                 pattern_reason: Annotated[str, Form()] = "", cameras: Annotated[str, Form()] = "",
                 exigent: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf, case_number, offence, time_from, time_to, purpose, justification, plates, pattern,
               pattern_reason, cameras)
    try:
        scope = Scope(tuple(normalize_plate(x) for x in plates.split(",") if x.strip()),
                      pattern.strip().upper() or None, pattern_reason.strip() or None, _utc(time_from),
                      _utc(time_to), tuple(c.strip() for c in cameras.split(",") if c.strip()), None, purpose,
                      justification)
        req = p.searches.apply(user, case_number, offence, scope, exigent=bool(exigent))
    except (ScopeError, ApprovalRefused, ValueError) as exc:
        return back("/searches/new", request, f"Refused (and recorded): {exc}")
    return back(f"/searches/{req.id}", request, f"Request {req.status.value}.")


def _detail(request: Request, user: User, p: Governance, request_id: str, results: Any = None, digest: str = "",
            map_svg: str = "") -> HTMLResponse:
    try:
        r = p.searches.get(request_id)
    except KeyError as exc:
        raise HTTPException(404, "no such search request") from exc
    if r.requested_by != user.id and not user.roles & {*p.policy.approvals.historical_search[1:]}:
        raise HTTPException(403, "not your request")
    return render(request, "search_detail.html", user, title="Search", r=r, results=results, digest=digest,
                  map=map_svg)


@pages.get("/searches/{request_id}", response_class=HTMLResponse)
def search_detail(request_id: str, request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    return _detail(request, user, p, request_id)


@pages.post("/searches/{request_id}/run", response_class=HTMLResponse)
def search_run(request_id: str, request: Request, user: UserDep, p: GovernanceDep, csrf: Annotated[str, Form()],
               plate: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf, request_id, plate)
    try:
        r = p.searches.get(request_id)
        q = Query(plate or None, None if plate else r.scope.pattern, r.scope.time_from, r.scope.time_to,
                  r.scope.camera_ids, r.scope.area)
        res = p.searches.search(user, request_id, q)
    except (SearchRefused, KeyError) as exc:
        return back(f"/searches/{request_id}", request, f"Refused (and recorded): {exc}")
    rows = []
    track = steps(res.reads)
    for read, leg in track:  # plate by plate: no speed between two different vehicles
        speed = "—" if leg is None or leg.kmh is None else (
            f"{leg.kmh:.0f} km/h" if math.isfinite(leg.kmh) else "same moment, another place")
        if leg is not None and leg.impossible:
            speed += " — IMPOSSIBLE TRAVEL: cloned plate or misread?"
        rows.append({"read": read, "speed": speed})
    drawn = map_block(tiles_of(request), p.cameras.all(), track, "map of the sightings found")
    return _detail(request, user, p, request_id, rows, res.digest, drawn)


@pages.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    allow(user, "/cases")
    counts = sorted(p.retention.reads_per_day_and_camera().items(), reverse=True)[:50]
    return render(request, "cases.html", user, title="Cases", holds=p.retention.holds(), counts=counts,
                  retention_days=p.policy.retention.ordinary_days)


@pages.get("/hotlist", response_class=HTMLResponse)
def hotlist_page(request: Request, user: UserDep, p: GovernanceDep, state: str = "active") -> HTMLResponse:
    allow(user, "/hotlist")
    entries = p.hotlist.listing(user, state)  # refuses an unknown state (422) and ledgers the listing
    return render(request, "hotlist.html", user, title="Hotlist", entries=entries, state=state,
                  states=p.hotlist.LIST_STATES, now=p.clock.now())


@pages.post("/hotlist/{entry_id}/approve")
def hotlist_approve(entry_id: str, request: Request, user: UserDep, p: GovernanceDep,
                    csrf: Annotated[str, Form()]) -> Response:
    check_csrf(request, csrf, entry_id)
    try:
        entry = p.hotlist.approve(entry_id, user)  # the chain's next level; never the proposer; ledgered
    except PermissionError as exc:
        return back("/hotlist?state=pending", request, f"Refused: {exc}")
    return back("/hotlist?state=pending", request,
                f"{entry.plate}: {entry.status.value} (recorded in the ledger).")


@pages.get("/ledger", response_class=HTMLResponse)
def ledger_page(request: Request, user: UserDep, p: GovernanceDep, proof: int | None = None,
                kind: Annotated[str, QueryParam(max_length=40)] = "",
                actor: Annotated[str, QueryParam(max_length=200)] = "",
                case: Annotated[str, QueryParam(max_length=200)] = "",
                day_from: Annotated[str, QueryParam(max_length=10)] = "",
                day_to: Annotated[str, QueryParam(max_length=10)] = "", before: int | None = None,
                since_size: int | None = None) -> HTMLResponse:
    """The ledger explorer: filter by kind, actor, case and day; an entry's inclusion proof; the consistency proof
    from an older checkpoint to the latest (what a witness checks)."""
    allow(user, "/ledger")  # as the API: who did what, case numbers, offences
    kinds = sorted(k.value for k in EventKind)
    if kind and kind not in kinds:
        raise HTTPException(422, f"unknown kind {kind!r}: one of {', '.join(kinds)}")
    try:
        since = datetime.fromisoformat(day_from).replace(tzinfo=UTC) if day_from else None
        until = (datetime.fromisoformat(day_to).replace(tzinfo=UTC) + timedelta(days=1)) if day_to else None
    except ValueError:
        raise HTTPException(422, "days are YYYY-MM-DD") from None

    def wanted(entry: dict[str, Any]) -> bool:
        body = entry.get("body") or {}
        return ((not actor or actor.lower() in str(entry.get("actor", "")).lower())
                and (not case or case in (str(body.get("case", "")), str(body.get("case_number", "")))))

    entries, lowest = p.ledger.find(kind or None, since, until, before, match=wanted if actor or case else None)
    size = p.ledger.size()
    pr = p.ledger.prove(proof) if proof is not None and 0 <= proof < size else None
    status = p.ledger.status()
    consistency = None
    if since_size is not None and status.checkpoint_size and 0 < since_size <= status.checkpoint_size:
        consistency = [h.hex() for h in p.ledger.consistency(since_size, status.checkpoint_size)]
    filters = {"kind": kind, "actor": actor, "case": case, "day_from": day_from, "day_to": day_to}
    older = urlencode({**{k: v for k, v in filters.items() if v}, "before": lowest}) if lowest > 0 else ""
    return render(request, "ledger.html", user, title="Ledger", entries=entries, note=p.ledger.latest_note(),
                  proof=pr, proof_json=json.dumps(pr.to_json(), indent=2) if pr else "", kinds=kinds,
                  filters=filters, older=older, status=status, since_size=since_size, consistency=consistency)


@pages.get("/public/complaint", response_class=HTMLResponse)
def complaint_page(request: Request, reference: str | None = None) -> HTMLResponse:
    request.session.setdefault("csrf", uuid.uuid4().hex)  # anonymous forms are CSRF-protected too
    return render(request, "complaint.html", None, title="Complaint", reference=reference)


@pages.post("/public/complaint")
def complaint_file(request: Request, p: GovernanceDep, csrf: Annotated[str, Form()], plate: Annotated[str, Form()],
                   date: Annotated[str, Form()], place: Annotated[str, Form()],
                   what_happened: Annotated[str, Form()], contact: Annotated[str, Form()]) -> Response:
    check_csrf(request, csrf, plate, date, place, what_happened, contact)
    try:
        ref = p.redress.file(ComplaintDetails(plate, date, place, what_happened, contact), client_address(request))
    except RedressError as exc:
        return back("/public/complaint", request, str(exc))
    return RedirectResponse(f"/public/complaint?reference={ref}", status_code=303)


@pages.get("/public", response_class=HTMLResponse)
def public_page(request: Request, p: GovernanceDep, public: PublicDep) -> HTMLResponse:
    t = public.recent(p.clock.now())
    user = None
    if request.session.get("sid"):
        try:
            user = session_user(request, p)
        except (LoginRequired, SecondFactorRequired):
            user = None
    return render(request, "public.html", user, title="Transparency", t=t,
                  map=map_block(tiles_of(request), p.cameras.all()),
                  policy_yaml=yaml.safe_dump(t["policy"], sort_keys=False))


@pages.get("/public/annual-report", response_class=HTMLResponse)
def annual_report_page(p: GovernanceDep, public: PublicDep, year: int | None = None) -> HTMLResponse:
    """The public annual report (aggregates only), the same figures as ``platewarden report annual``."""
    from platewarden.audit.annual import render_annual

    year = year or p.clock.now().year
    if not 2000 <= year <= p.clock.now().year:
        raise HTTPException(422, f"no annual report for {year}")
    return HTMLResponse(render_annual(public.annual(year)))
