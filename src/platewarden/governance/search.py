"""Historical searches: applied for by an officer, reviewed by a department head, approved by a prosecutor (the
policy's chain), scoped to a case, plates, a time window and cameras or an area; or run at once on the exigent
path and reviewed within hours. Every request, decision, search and refusal is ledgered; results are ledgered as a
count and a digest, never as plates."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from platewarden.domain.approvals import ApprovalRefused, Step, check_applicant, check_approver
from platewarden.domain.clock import Clock
from platewarden.domain.errors import NotFound, Refused
from platewarden.domain.reads import Read
from platewarden.domain.users import User
from platewarden.governance.accounts import Accounts
from platewarden.governance.authorization_record import AUTHORIZATION_KINDS, by_request, ledger_disagreement
from platewarden.governance.scope import Query, Scope, ScopeError, matches, refusal
from platewarden.investigation.search_export import ExportContext, ExportFormat, results_csv, signed_pdf, statement
from platewarden.ledger.entries import Event, EventKind, digest, with_reason
from platewarden.ledger.events import plate_ref
from platewarden.ledger.log import Ledger
from platewarden.ledger.trusted import LedgerTampered, trusted_entries
from platewarden.policy.model import Policy, Role
from platewarden.store.approval_steps import load_steps, record_step
from platewarden.store.cipher import seal, unseal
from platewarden.store.keyring import KeyRing
from platewarden.store.reads import ReadStore
from platewarden.store.resealing import reseal
from platewarden.store.schema import search_log, search_requests
from platewarden.store.seals import ForgedRecord, row_holds


class Status(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    EXIGENT = "exigent"  # running under the exigent path, review pending or done
    REJECTED = "rejected"
    REVOKED = "revoked"


class Decision(StrEnum):
    """What a person decides on a search request: one type for the API, the console and the command line."""

    APPROVE = "approve"
    REJECT = "reject"
    REVOKE = "revoke"
    UPHOLD = "uphold"  # an exigent search, reviewed after the fact: justified
    NOT_UPHELD = "not_upheld"  # ... not justified


class _ChangedMeanwhile(Exception):
    """A conditional transition found the request no longer in the state it was decided on."""


class SearchRefused(Refused):
    """A search outside an active authorization; the refusal is ledgered."""


@dataclass(frozen=True)
class SearchRequest:
    id: str
    case_number: str
    offence: str
    scope: Scope
    requested_by: str
    requested_at: datetime
    exigent: bool
    status: Status
    valid_until: datetime | None
    status_reason: str | None
    steps: tuple[Step, ...]
    agreement_id: str | None = None  # a shared query for a partner agency (governance/sharing.py)

    def active_at(self, now: datetime) -> bool:
        return self.status in (Status.ACTIVE, Status.EXIGENT) and self.valid_until is not None and \
            now < self.valid_until


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    media_type: str
    filename: str
    results: int
    ledger_entry: int


@dataclass(frozen=True)
class SearchResult:
    request_id: str
    reads: list[Read]
    digest: str


class SearchGovernance:
    def __init__(self, engine: Engine, keyring: KeyRing, reads: ReadStore, accounts: Accounts, ledger: Ledger,
                 policy: Policy, clock: Clock) -> None:
        self._engine = engine
        self._scope_key = keyring.derived("search-scope")
        self._ref_key = keyring.derived("ledger-plate-ref")
        self._seal = keyring.record_seal()
        self._reads = reads
        self._accounts = accounts
        self._ledger = ledger
        self._policy = policy
        self._clock = clock

    # --- requests and decisions ---

    def apply(self, officer: User, case_number: str, offence: str, scope: Scope, exigent: bool = False,
              agreement_id: str | None = None) -> SearchRequest:
        """Apply for a search; ``agreement_id`` marks a shared query, whose agreement the sharing service has
        checked (governance/sharing.py is the only caller that sets it)."""
        chain = self._policy.approvals.historical_search
        now = self._clock.now()
        try:
            check_applicant(chain, officer)
            if not case_number.strip():
                raise ScopeError("a search belongs to a case: give its number")
            if offence not in self._policy.search.offences:
                raise ScopeError("the offence is not one of the policy's categories")
            if exigent and offence not in self._policy.exigent.categories:
                allowed = ", ".join(self._policy.exigent.categories)
                raise ScopeError(f"the offence is not an exigent category ({allowed})")
            scope.validate(timedelta(days=self._policy.search.max_window_days))
            if exigent:
                self._check_exigent(officer, scope, now)
        except (ApprovalRefused, ScopeError) as exc:
            self._refused(officer, None, case_number, str(exc), now)
            raise
        rid = str(uuid.uuid4())
        valid = now + timedelta(hours=self._policy.exigent.authorization_hours) if exigent else None
        with self._engine.begin() as conn:
            conn.execute(insert(search_requests).values(
                id=rid, case_number=case_number, offence=offence,
                scope=seal(self._scope_key, json.dumps(scope.to_json()).encode(), f"scope|{rid}".encode()),
                requested_by=officer.id, requested_at=now, exigent=exigent,
                status=(Status.EXIGENT if exigent else Status.PENDING).value, valid_until=valid,
                agreement_id=agreement_id))
            reseal(conn, self._seal, search_requests, search_requests.c.id == rid)
            self._ledger.append([Event(EventKind.SEARCH, now, officer.label, {
                "action": "apply", "request_id": rid, "case": case_number, "offence": offence, "exigent": exigent,
                "scope_digest": digest(json.dumps(scope.to_json(), sort_keys=True)),
                "plate_refs": [plate_ref(self._ref_key, p) for p in scope.plates],
                "pattern": scope.pattern is not None, "window_days": (scope.time_to - scope.time_from).days,
                **({"agreement_id": agreement_id} if agreement_id else {})})],
                conn=conn)
        return self.get(rid)

    def get(self, request_id: str) -> SearchRequest:
        with self._engine.connect() as conn:
            row = conn.execute(select(search_requests).where(search_requests.c.id == request_id)).first()
            steps = load_steps(conn, [request_id], self._seal)[request_id]
        if row is None:
            raise NotFound(f"no search request {request_id}")
        if not row_holds(self._seal, "search_requests", row):
            raise ForgedRecord(f"search request {request_id} fails its seal (changed outside platewarden): refused; "
                               "see platewarden audit reconcile")
        scope = Scope.from_json(json.loads(unseal(self._scope_key, row.scope, f"scope|{row.id}".encode())))
        return SearchRequest(row.id, row.case_number, row.offence, scope, row.requested_by,
                             row.requested_at, row.exigent, Status(row.status),  # type: ignore[arg-type]
                             row.valid_until, row.status_reason,
                             tuple(steps), row.agreement_id)

    def all(self) -> list[SearchRequest]:
        with self._engine.connect() as conn:
            ids = [r.id for r in conn.execute(select(search_requests.c.id).order_by(search_requests.c.requested_at))]
        out = []
        for i in ids:
            try:
                out.append(self.get(i))
            except ForgedRecord:
                continue  # not a request: audit reconcile names it
        return out

    def _check_exigent(self, officer: User, scope: Scope, now: datetime) -> None:
        """Exigent searches run before anyone approves them: narrower than ordinary ones, and few per officer."""
        ex = self._policy.exigent
        if scope.time_to - scope.time_from > timedelta(hours=ex.max_window_hours):
            raise ScopeError(f"an exigent search covers at most {ex.max_window_hours} hours")
        if scope.pattern is not None and sum(c.isalnum() for c in scope.pattern) < ex.min_pattern_characters:
            raise ScopeError(f"an exigent pattern names at least {ex.min_pattern_characters} characters")
        if not scope.camera_ids and scope.area is None:
            raise ScopeError("an exigent search names cameras or an area, never the whole city")
        with self._engine.connect() as conn:
            recent = conn.execute(select(func.count()).select_from(search_requests).where(
                search_requests.c.requested_by == officer.id, search_requests.c.exigent.is_(True),
                search_requests.c.requested_at > now - timedelta(days=7))).scalar_one()
        if recent >= ex.max_per_officer_per_week:
            raise ScopeError(f"{recent} exigent searches by this officer in seven days: the policy allows "
                             f"{ex.max_per_officer_per_week}; apply through the approval chain")

    def visible_to(self, user: User) -> list[SearchRequest]:
        """The requests a person may see (case numbers, offences, purposes): approvers and auditors all of them, an
        officer their own. One rule for the API and the console."""
        if user.roles & ({*self._policy.approvals.historical_search[1:]} | {Role.AUDITOR}):
            return self.all()
        if Role.OFFICER in user.roles:
            return [r for r in self.all() if r.requested_by == user.id]
        raise ApprovalRefused("search requests are seen by officers (their own), approvers and auditors")

    def _decide(self, request_id: str, user: User, approve: bool, reason: str) -> SearchRequest:
        now = self._clock.now()
        chain = self._policy.approvals.historical_search
        try:
            req = self.get(request_id)
        except KeyError:
            self._refused(user, request_id, None, "no such request", now)
            raise
        try:
            if req.exigent:
                raise ApprovalRefused("an exigent search is reviewed after the fact (review), not approved")
            if req.status is not Status.PENDING:
                raise ApprovalRefused(f"the request is {req.status.value}")
            if not approve and not reason.strip():
                raise ApprovalRefused("a rejection needs a reason")
            level, role = check_approver(chain, list(req.steps), req.requested_by, user)
        except ApprovalRefused as exc:
            self._refused(user, request_id, req.case_number, str(exc), now)
            raise
        done = approve and level == len(chain) - 1
        try:
            with self._engine.begin() as conn:
                record_step(conn, request_id, Step(level, role, user.id, "approved" if approve else "rejected",
                                                   reason, now), self._seal)
                if done or not approve:
                    self._transition(conn, request_id, Status.PENDING, status=(
                        Status.ACTIVE if approve else Status.REJECTED).value, status_reason=reason or None,
                        valid_until=now + timedelta(days=self._policy.search.valid_days) if approve else None)
                elif self._status(conn, request_id) is not Status.PENDING:
                    raise _ChangedMeanwhile
                self._ledger.append([Event(EventKind.APPROVAL if approve else EventKind.REJECTION, now, user.label, {
                    "request_id": request_id, "case": req.case_number, "level": level, "role": role.value,
                    "reason_digest": digest(reason), "authorization_complete": done})], conn=conn)
        except (IntegrityError, _ChangedMeanwhile):  # a concurrent decision or revocation came first
            why = "another decision on this request came first (it was decided or revoked meanwhile)"
            self._refused(user, request_id, req.case_number, why, now)
            raise ApprovalRefused(why) from None
        return self.get(request_id)

    def _status(self, conn: Connection, request_id: str) -> Status:
        return Status(conn.execute(select(search_requests.c.status).where(search_requests.c.id == request_id))
                      .scalar_one())

    def _transition(self, conn: Connection, request_id: str, expected: Status, **values: object) -> None:
        """A conditional update: only from ``expected`` (one winner among concurrent acts), resealed."""
        done = conn.execute(update(search_requests).where(search_requests.c.id == request_id,
                                                          search_requests.c.status == expected.value)
                            .values(**values)).rowcount
        if done != 1:
            raise _ChangedMeanwhile
        reseal(conn, self._seal, search_requests, search_requests.c.id == request_id)

    def decide(self, request_id: str, user: User, decision: Decision, reason: str = "") -> SearchRequest:
        """The one dispatch every adapter uses; each branch checks the person, the chain and the state, and ledgers
        a refusal as well as a decision."""
        if decision is Decision.APPROVE:
            return self.approve(request_id, user, reason)
        if decision is Decision.REJECT:
            return self.reject(request_id, user, reason)
        if decision is Decision.REVOKE:
            return self.revoke(request_id, user, reason)
        return self.review_exigent(request_id, user, decision is Decision.UPHOLD, reason)

    def approve(self, request_id: str, user: User, reason: str = "") -> SearchRequest:
        return self._decide(request_id, user, True, reason)

    def reject(self, request_id: str, user: User, reason: str) -> SearchRequest:
        return self._decide(request_id, user, False, reason)

    def revoke(self, request_id: str, user: User, reason: str) -> SearchRequest:
        now = self._clock.now()
        req = self.get(request_id)
        try:
            if not ({Role.DEPARTMENT_HEAD, Role.PROSECUTOR} & user.roles):
                raise ApprovalRefused("only a department head or prosecutor revokes an authorization")
            if not reason.strip():
                raise ApprovalRefused("a revocation needs a reason")
            if req.status is not Status.PENDING and not req.active_at(now):
                raise ApprovalRefused(f"the request is {req.status.value} and not in force")
        except ApprovalRefused as exc:
            self._refused(user, request_id, req.case_number, str(exc), now)
            raise
        try:
            with self._engine.begin() as conn:
                self._transition(conn, request_id, req.status, status=Status.REVOKED.value, status_reason=reason,
                                 valid_until=now)
                self._ledger.append([Event(EventKind.REVOCATION, now, user.label, {
                    "request_id": request_id, "case": req.case_number, "reason_digest": digest(reason)})],
                    conn=conn)
        except _ChangedMeanwhile:
            why = "the request changed meanwhile (decided or revoked): look again"
            self._refused(user, request_id, req.case_number, why, now)
            raise ApprovalRefused(why) from None
        return self.get(request_id)

    def review_exigent(self, request_id: str, user: User, upheld: bool, reason: str) -> SearchRequest:
        """Department head and prosecutor each review an exigent search after the fact (within the policy's hours)."""
        now = self._clock.now()
        req = self.get(request_id)
        reviewers = self._policy.approvals.historical_search[1:]
        try:
            if not req.exigent:
                raise ApprovalRefused("only exigent searches are reviewed after the fact")
            if user.id == req.requested_by:
                raise ApprovalRefused("nobody reviews their own request")
            done_roles = {s.role for s in req.steps}
            role = next((r for r in reviewers if r in user.roles and r not in done_roles), None)
            if role is None:
                raise ApprovalRefused("this person holds no reviewing role still awaited on this request")
            if any(s.decided_by == user.id for s in req.steps):
                raise ApprovalRefused("each review is by a different person")
            if not reason.strip():
                raise ApprovalRefused("a review states its reasons")
        except ApprovalRefused as exc:
            self._refused(user, request_id, req.case_number, str(exc), now)
            raise
        level = reviewers.index(role) + 1
        try:
            with self._engine.begin() as conn:
                record_step(conn, request_id, Step(level, role, user.id, "upheld" if upheld else "not_upheld",
                                                   reason, now), self._seal)
                if not upheld:
                    self._transition(conn, request_id, req.status, status=Status.REVOKED.value,
                                     status_reason=f"exigent use not upheld: {reason}",
                                     valid_until=min(now, req.valid_until or now))
                late = now > req.requested_at + timedelta(hours=self._policy.exigent.review_within_hours)
                self._ledger.append([Event(EventKind.EXIGENT_REVIEW, now, user.label, {
                    "request_id": request_id, "case": req.case_number, "role": role.value, "upheld": upheld,
                    "late": late, "reason_digest": digest(reason)})], conn=conn)
        except (IntegrityError, _ChangedMeanwhile):
            why = "another review of this request came first"
            self._refused(user, request_id, req.case_number, why, now)
            raise ApprovalRefused(why) from None
        return self.get(request_id)

    def overdue_reviews(self) -> list[SearchRequest]:
        """Exigent searches whose after-the-fact reviews were not all done within the policy's hours."""
        now = self._clock.now()
        limit = timedelta(hours=self._policy.exigent.review_within_hours)
        needed = set(self._policy.approvals.historical_search[1:])
        out = []
        for r in self.all():
            if not r.exigent:
                continue
            on_time = {s.role for s in r.steps if s.decided_at <= r.requested_at + limit}
            if not needed <= on_time and now > r.requested_at + limit:
                out.append(r)
        return out

    # --- searching ---

    def search(self, user: User, request_id: str, query: Query) -> SearchResult:
        """Run a query inside an active authorization; the run (count and digest of the results) is ledgered."""
        now = self._clock.now()
        req, reads, result_digest = self._authorized(user, request_id, query, now)
        with self._engine.begin() as conn:
            self._log_run(conn, user, req, query, now, len(reads), result_digest)
            self._ledger.append([Event(EventKind.SEARCH, now, user.label, {
                "action": "run", "request_id": request_id, "case": req.case_number, "results": len(reads),
                "results_digest": result_digest, "query_ref": self._query_ref(query),
                "approvers": self._approvers(req), "purpose_digest": digest(req.scope.purpose)})], conn=conn)
        return SearchResult(request_id, reads, result_digest)

    def export(self, user: User, request_id: str, query: Query, fmt: ExportFormat) -> ExportFile:
        """The results of an authorized query as a file to take away (CSV, or a PDF signed with the log's key).
        Taking plates out of the system is an access of its own: the export, its format and its file's digest are
        ledgered in the same transaction as the access record, and an export outside the authorization is refused
        and ledgered like a search."""
        now = self._clock.now()
        req, reads, result_digest = self._authorized(user, request_id, query, now)
        ctx = ExportContext(request_id, req.case_number, req.offence, req.scope.describe(), tuple(self._approvers(req)),
                            user.label, now, result_digest)
        rows = results_csv(reads)
        with self._engine.begin() as conn:
            self._log_run(conn, user, req, query, now, len(reads), result_digest)
            (seq,) = self._ledger.append([Event(EventKind.SEARCH, now, user.label, {
                "action": "export", "format": fmt.value, "request_id": request_id, "case": req.case_number,
                "results": len(reads), "results_digest": result_digest, "csv_sha256": hashlib.sha256(rows).hexdigest(),
                "query_ref": self._query_ref(query), "approvers": list(ctx.approvers),
                "purpose_digest": digest(req.scope.purpose)})], conn=conn)
        name = f"search-{req.case_number}-{now:%Y%m%dT%H%M%SZ}".replace("/", "-").replace(" ", "_")
        if fmt is ExportFormat.CSV:
            return ExportFile(rows, "text/csv; charset=utf-8", f"{name}.csv", len(reads), seq)
        signed = statement(ctx, rows, seq, self._ledger.origin)
        pdf = signed_pdf(ctx, reads, rows, signed, self._ledger.sign(signed), self._ledger.public_key)
        return ExportFile(pdf, "application/pdf", f"{name}.pdf", len(reads), seq)

    def _authorized(self, user: User, request_id: str, query: Query, now: datetime) -> tuple[SearchRequest,
                                                                                              list[Read], str]:
        """The request, the reads the query finds inside it and their digest; or a ledgered refusal."""
        try:
            req = self.get(request_id)
        except KeyError as exc:
            forged = isinstance(exc, ForgedRecord)
            self._refused(user, request_id, None, str(exc) if forged else "no such request", now)
            raise SearchRefused(str(exc) if forged else "no such search authorization") from None
        why = None
        if user.id != req.requested_by:
            why = "only the applicant runs an authorized search"
        elif not req.active_at(now):
            why = f"no active authorization (status {req.status.value}" + \
                  (", expired)" if req.valid_until and now >= req.valid_until else ")")
        else:
            why = refusal(req.scope, query) or self._ledger_disagrees(req)
        if why is not None:
            self._refused(user, request_id, req.case_number, why, now, query)
            raise SearchRefused(why)
        reads = self._run(req, query)
        ids = sorted(r.id for r in reads)
        return req, reads, hashlib.sha256("\n".join(ids).encode()).hexdigest()

    def _approvers(self, req: SearchRequest) -> list[str]:
        return [self._accounts.get(s.decided_by).label for s in req.steps]

    def _log_run(self, conn: Connection, user: User, req: SearchRequest, query: Query, now: datetime, results: int,
                 result_digest: str) -> None:
        conn.execute(insert(search_log).values(
            at=now, user_id=user.id, organisation=user.organisation, request_id=req.id,
            case_number=req.case_number, purpose=req.scope.purpose, query=self._seal_query(query),
            outcome="allowed", reason="", results=results, results_digest=result_digest))

    def _ledger_disagrees(self, req: SearchRequest) -> str | None:
        """The ledger, not the tables, is the record an authorization stands on (governance/authorization_record)."""
        try:
            events = by_request(trusted_entries(self._ledger, AUTHORIZATION_KINDS)).get(req.id, [])
        except LedgerTampered as exc:
            return f"the ledger cannot be trusted ({exc}): no search runs until it is restored"
        return ledger_disagreement(req.id, req.case_number, req.exigent, req.status.value,
                                   [(s.level, s.role.value, s.decided_by) for s in req.steps], events,
                                   lambda uid: self._accounts.get(uid).label)

    def _run(self, req: SearchRequest, q: Query) -> list[Read]:
        days = [q.time_from.date() + timedelta(days=i) for i in range((q.time_to.date() - q.time_from.date()).days + 1)]
        if q.plate is not None:
            candidates = self._reads.find_by_plate(q.plate, days)
        else:
            candidates = [r for d in days for r in self._reads.scan_day(d)]
        candidates += self._reads.held_for_case(req.case_number)
        seen: set[str] = set()
        out = []
        for r in candidates:
            if r.id not in seen and matches(q, r.text, r.camera_id, r.latitude, r.longitude, r.first_seen):
                seen.add(r.id)
                out.append(r)
        return sorted(out, key=lambda r: r.first_seen)

    def _query_ref(self, q: Query) -> str:
        return plate_ref(self._ref_key, q.plate) if q.plate else digest(q.pattern or "")

    def _seal_query(self, q: Query | None) -> bytes:
        data = {} if q is None else {"plate": q.plate, "pattern": q.pattern, "from": q.time_from.isoformat(),
                                     "to": q.time_to.isoformat(), "cameras": list(q.camera_ids),
                                     "area": list(q.area) if q.area else None}
        return seal(self._scope_key, json.dumps(data).encode(), b"search-log-query")

    def _refused(self, user: User, request_id: str | None, case: str | None, why: str, now: datetime,
                 query: Query | None = None) -> None:
        # an id that names no request may be anything a client sent: keep what fits a request id (a UUID)
        request_id = request_id[:36] if request_id is not None else None
        with self._engine.begin() as conn:
            conn.execute(insert(search_log).values(
                at=now, user_id=user.id, organisation=user.organisation, request_id=request_id, case_number=case,
                purpose="", query=self._seal_query(query), outcome="refused", reason=why, results=0,
                results_digest=""))
            body = {"request_id": request_id or "", "case": case or "",
                    "query_ref": self._query_ref(query) if query else ""}
            self._ledger.append([Event(EventKind.SEARCH_REFUSED, now, user.label, with_reason(body, why))],
                                conn=conn)

    def access_records(self) -> list[dict[str, object]]:
        """The access record: who, organisation, when, request, case, purpose, outcome, results (SB 34 and more)."""
        with self._engine.connect() as conn:
            return [dict(r._mapping) | {"query": None} for r in conn.execute(select(search_log)
                                                                            .order_by(search_log.c.id))]
