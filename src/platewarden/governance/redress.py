"""The redress path: anyone files a complaint (no account needed); an officer or department head reviews it,
links it to the alerts it concerns through a ledgered lookup, and decides; an upheld complaint records
compensation (liable party per policy, with reasons), may suppress the hotlist entry at fault, and feeds the
published misidentification figures."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import asdict
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, func, insert, select, update

from platewarden.alerts.matching import weighted_distance
from platewarden.alerts.service import HotlistService
from platewarden.domain.clock import Clock
from platewarden.domain.errors import NotFound, Refused
from platewarden.domain.plates import normalize_plate
from platewarden.domain.redress import (
    Compensation,
    Complaint,
    ComplaintDetails,
    ComplaintState,
    LiableParty,
    RedressConflict,
    RedressError,
    check_transition,
)
from platewarden.domain.users import User
from platewarden.ledger.entries import Event, EventKind, digest
from platewarden.ledger.log import Ledger
from platewarden.policy.model import Policy, Role
from platewarden.recognition.formats import plate_text_problem
from platewarden.store import rate_counts
from platewarden.store.alerts import AlertStore
from platewarden.store.cipher import seal, unseal
from platewarden.store.keyring import KeyRing
from platewarden.store.schema import alerts, complaints

REVIEWERS = frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD})


class Redress:
    def __init__(self, engine: Engine, keyring: KeyRing, alerts_store: AlertStore, hotlist: HotlistService,
                 ledger: Ledger, policy: Policy, clock: Clock) -> None:
        self._engine = engine
        self._key = keyring.derived("redress")
        self._alerts = alerts_store
        self._hotlist = hotlist
        self._ledger = ledger
        self._policy = policy
        self._clock = clock

    def file(self, details: ComplaintDetails, address: str = "unknown") -> str:
        """A complaint from the public. Returns its reference (give it to the complainant). Checked at the door (a
        plate as on a car, a date in the retention window, text without control characters) and rate-limited per
        address and in all, so a flood can neither bury real complaints nor fill the ledger."""
        now = self._clock.now()
        details = self._checked(details, now)
        ref = hmac.new(self._key, f"address|{address}".encode(), hashlib.sha256).hexdigest()[:32]
        day, hour = now.replace(hour=0, minute=0, second=0, microsecond=0), now.replace(minute=0, second=0,
                                                                                       microsecond=0)
        pol = self._policy.redress
        with self._engine.connect() as conn:
            if rate_counts.current(conn, "complaints_address", ref, day) >= pol.complaints_per_address_per_day:
                raise RedressError("this address has filed the most complaints a day allows: try again tomorrow, "
                                   "or write to the agency's privacy officer")
            if rate_counts.current(conn, "complaints", "*", hour) >= pol.complaints_per_hour:
                raise RedressError("too many complaints this hour: try again in an hour")
        cid = str(uuid.uuid4())
        sealed = seal(self._key, json.dumps(asdict(details)).encode(), f"complaint|{cid}".encode())
        with self._engine.begin() as conn:
            rate_counts.add(conn, "complaints_address", ref, day)
            rate_counts.add(conn, "complaints", "*", hour)
            conn.execute(insert(complaints).values(id=cid, received_at=now, state=ComplaintState.RECEIVED.value,
                                                   details=sealed, linked_alerts="[]"))
            self._ledger.append([Event(EventKind.REDRESS, now, "public", {
                "action": "filed", "id": cid, "state": ComplaintState.RECEIVED.value})], conn=conn)
        return cid

    def _checked(self, d: ComplaintDetails, now: datetime) -> ComplaintDetails:
        for name in ("plate", "date", "place", "what_happened", "contact"):
            value = getattr(d, name)
            if any(0xD800 <= ord(c) <= 0xDFFF for c in value) or any(
                    ord(c) < 32 and c not in "\n\t\r" for c in value):
                raise RedressError(f"{name.replace('_', ' ')} holds characters that are not text")
        if any(not (c.isalnum() or c in " -.·") for c in d.plate.strip()):
            raise RedressError("the plate as on the car: letters, digits, spaces or hyphens only")
        plate = normalize_plate(d.plate)
        problem = plate_text_problem(plate) or ("" if len(plate) >= self._policy.recognition.min_plate_length
                                                else f"{len(plate)} characters is shorter than any plate read")
        if problem or not plate:
            raise RedressError(f"the plate as on the car, letters and digits ({problem or 'none given'})")
        try:
            day = date.fromisoformat(d.date.strip())
        except ValueError:
            raise RedressError("the date as YYYY-MM-DD (the day you were stopped or notified)") from None
        if day > now.date():
            raise RedressError("the date is in the future")
        oldest = now.date() - timedelta(days=self._policy.retention.ordinary_days)
        if day < oldest:
            raise RedressError(f"reads older than {self._policy.retention.ordinary_days} days are destroyed, so "
                               "nothing of that day remains to review: write to the agency's privacy officer")
        return ComplaintDetails(plate, day.isoformat(), d.place.strip(), d.what_happened.strip(), d.contact.strip())

    def get(self, complaint_id: str) -> Complaint:
        with self._engine.connect() as conn:
            r = conn.execute(select(complaints).where(complaints.c.id == complaint_id)).first()
        if r is None:
            raise NotFound(f"no complaint {complaint_id}")
        d = json.loads(unseal(self._key, r.details, f"complaint|{r.id}".encode()))
        comp = None if r.compensation_amount is None else Compensation(
            r.compensation_amount, r.compensation_currency, LiableParty(r.liable_party), r.compensation_reason)
        return Complaint(r.id, r.received_at, ComplaintState(r.state), ComplaintDetails(**d),  # type: ignore[arg-type]
                         r.reviewer, r.decision_reason, tuple(json.loads(r.linked_alerts)), comp, r.suppressed_entry)

    def all(self, user: User) -> list[Complaint]:
        """Every complaint (plates and contacts: personal data), for a reviewer; the listing is ledgered."""
        self._check(user)
        with self._engine.connect() as conn:
            ids = list(conn.scalars(select(complaints.c.id).order_by(complaints.c.received_at)))
        self._ledger.append([Event(EventKind.REDRESS, self._clock.now(), user.label, {
            "action": "listed", "complaints": len(ids)})])
        return [self.get(i) for i in ids]

    def _check(self, user: User) -> None:
        if not user.roles & REVIEWERS:
            raise Refused("complaints are reviewed by officers and department heads")

    def start_review(self, user: User, complaint_id: str) -> Complaint:
        self._check(user)
        c = self.get(complaint_id)
        check_transition(c.state, ComplaintState.UNDER_REVIEW)
        now = self._clock.now()
        with self._engine.begin() as conn:
            conn.execute(update(complaints).where(complaints.c.id == complaint_id).values(
                state=ComplaintState.UNDER_REVIEW.value, reviewer=user.label))
            self._ledger.append([Event(EventKind.REDRESS, now, user.label, {
                "action": "review", "id": complaint_id, "state": ComplaintState.UNDER_REVIEW.value})], conn=conn)
        return self.get(complaint_id)

    def matching_alerts(self, user: User, complaint_id: str) -> list[str]:
        """Alerts on the complaint's plate (look-alikes included), found through a ledgered lookup."""
        self._check(user)
        c = self.get(complaint_id)
        if c.state is not ComplaintState.UNDER_REVIEW:
            raise RedressConflict("look up alerts while the complaint is under review")
        plate = normalize_plate(c.details.plate)
        found = [d.alert.id for d in self._alerts.list() if d.alert.raw_text != "[destroyed]" and
                 weighted_distance(plate, normalize_plate(d.alert.raw_text), 0.25)[0] <= 1.0]
        self._ledger.append([Event(EventKind.REDRESS, self._clock.now(), user.label, {
            "action": "lookup", "id": complaint_id, "alerts_found": len(found)})])
        return found

    def decide(self, user: User, complaint_id: str, upheld: bool, reason: str, linked_alerts: list[str],
               compensation: float | None = None, liable: LiableParty | None = None,
               compensation_reason: str = "", suppress_entry: bool = False) -> Complaint:
        self._check(user)
        c = self.get(complaint_id)
        new = ComplaintState.UPHELD if upheld else ComplaintState.REJECTED
        check_transition(c.state, new)
        if not reason.strip():
            raise RedressError("a decision states its reasons")
        if c.reviewer == user.label:  # separation of duties: one reviews, another decides
            raise Refused("the person who reviewed the complaint does not decide it: a second person decides")
        weighty = upheld and (suppress_entry or (compensation or 0) > self._policy.redress.compensation_single_limit)
        if weighty and Role.DEPARTMENT_HEAD not in user.roles:
            raise Refused(f"suppressing a hotlist entry or compensation above "
                               f"{self._policy.redress.compensation_single_limit:g} {self._policy.redress.currency} "
                               "is decided by a department head")
        with self._engine.connect() as conn:
            known = set(conn.scalars(select(alerts.c.id).where(alerts.c.id.in_(linked_alerts))))
        if set(linked_alerts) - known:
            raise RedressError("linked alerts must exist")
        comp = None
        if upheld and compensation is not None:
            comp = Compensation(compensation, self._policy.redress.currency,
                                liable or LiableParty(self._policy.redress.default_liable),
                                compensation_reason or reason)
        suppressed = None
        if upheld and suppress_entry:
            entries = {self._alerts.get(a).alert.entry_id for a in linked_alerts}
            if len(entries) != 1:
                raise RedressError("to suppress a hotlist entry, link the alerts of exactly one entry")
            suppressed = entries.pop()
        now = self._clock.now()
        with self._engine.begin() as conn:  # the suppression, the decision and its ledger entry commit together
            if suppressed is not None:
                self._hotlist.suppress(suppressed, conn)
            conn.execute(update(complaints).where(complaints.c.id == complaint_id).values(
                state=new.value, decision_reason=reason, linked_alerts=json.dumps(sorted(linked_alerts)),
                compensation_amount=comp.amount if comp else None,
                compensation_currency=comp.currency if comp else None,
                liable_party=comp.liable.value if comp else None, compensation_reason=comp.reason if comp else None,
                suppressed_entry=suppressed, decided_at=now))
            self._ledger.append([Event(EventKind.REDRESS, now, user.label, {
                "action": "decide", "id": complaint_id, "state": new.value, "reason_digest": digest(reason),
                "alerts": len(linked_alerts), "compensation": comp.amount if comp else 0,
                "liable": comp.liable.value if comp else "", "entry_id": suppressed or ""})], conn=conn)
        return self.get(complaint_id)

    def statistics(self) -> dict[str, object]:
        """For the public portal: counts by state and compensation paid, nothing personal."""
        with self._engine.connect() as conn:
            by_state = {r[0]: int(r[1]) for r in conn.execute(select(complaints.c.state, func.count())
                                                              .group_by(complaints.c.state))}
            total = conn.execute(select(func.coalesce(func.sum(complaints.c.compensation_amount), 0))).scalar_one()
        return {"complaints": by_state, "compensation_total": float(total), "currency": self._policy.redress.currency}
