"""The alert workflow: a fused read is matched against active hotlist entries under the policy; a match becomes
an alert (stored sealed with its crop) and a notification; a person records the disposition."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING

from platewarden.alerts.hotlist_csv import ParsedCsv, RowError, parse_hotlist_csv
from platewarden.alerts.matching import best_match
from platewarden.alerts.notify import Notifier
from platewarden.domain.alerts import Alert, Disposition, DispositionRecord
from platewarden.domain.approvals import ApprovalRefused, Step, check_applicant, check_approver, next_level
from platewarden.domain.clock import Clock
from platewarden.domain.errors import Invalid
from platewarden.domain.hotlist import EntryStatus, HotlistEntry
from platewarden.domain.reads import Read
from platewarden.domain.users import User
from platewarden.ledger import events
from platewarden.ledger.entries import Event, EventKind, with_reason
from platewarden.ledger.log import Ledger
from platewarden.policy.model import AlertPolicy, Role
from platewarden.recognition.formats import plate_text_problem
from platewarden.store.alerts import AlertStore
from platewarden.store.hotlists import HotlistStore

if TYPE_CHECKING:
    from sqlalchemy import Connection


class HotlistImportError(Invalid):
    def __init__(self, parsed: ParsedCsv) -> None:
        self.parsed = parsed
        lines = "\n".join(f"  line {e.line}: {e.reason}" for e in parsed.errors)
        super().__init__(f"{len(parsed.errors)} bad row(s), nothing imported:\n{lines}")


class HotlistRefused(Invalid):
    """An entry the hotlist does not take (see ``HotlistService.problem``); nothing is stored."""


class HotlistService:
    def __init__(self, store: HotlistStore, clock: Clock, ledger: Ledger, plate_ref_key: bytes,
                 chain: list[Role], min_plate_length: int = 3, max_days: int = 365,
                 bears_out: Callable[[HotlistEntry], bool] | None = None) -> None:
        """``bears_out``: whether the signed ledger's last word on an entry is its row's status
        (``governance.last_word``); an entry it does not bear out (an old active copy put back after redress
        suppressed it) never raises an alert."""
        self._store = store
        self._bears_out = bears_out
        self._clock = clock
        self._ledger = ledger
        self._ref_key = plate_ref_key
        self._chain = chain
        self._min_length = min_plate_length
        self._max_days = max_days
        self._cache: list[HotlistEntry] | None = None
        self._cached_at = 0.0

    def problem(self, entry: HotlistEntry, others: list[HotlistEntry] | None = None) -> str | None:
        """Why an entry may not join the hotlist, or None: a plate the reader never reports (shorter than the policy's
        minimum, or outside the plate formats' alphabet and lengths), an expiry beyond the policy's limit, or a plate
        that already has an active or pending entry for the same region."""
        if len(entry.plate) < self._min_length:
            return (f"plate {entry.plate!r} has {len(entry.plate)} characters; the reader reports none shorter than "
                    f"{self._min_length}, so it could only ever match noise")
        syntax = plate_text_problem(entry.plate)
        if syntax:
            return f"plate {entry.plate!r}: {syntax}"
        if entry.expires_at > entry.added_at + timedelta(days=self._max_days):
            return (f"expires {entry.expires_at:%Y-%m-%d}: entries last at most {self._max_days} days "
                    "(alerts.hotlist_max_days); renew it then")
        for other in self._store.all() if others is None else others:
            if other.id != entry.id and other.plate == entry.plate and other.region is entry.region \
                    and other.status in (EntryStatus.PENDING, EntryStatus.ACTIVE):
                return f"plate {entry.plate} already has a {other.status.value} entry ({other.id}, from {other.source})"
        return None

    def propose(self, entry: HotlistEntry, proposer: User) -> HotlistEntry:
        """A new entry, pending until approved along the policy's chain (default officer → department head)."""
        check_applicant(self._chain, proposer)
        entry = replace(entry, added_by=proposer.label, status=EntryStatus.PENDING, approved_by=None)
        problem = self.problem(entry)
        if problem:
            raise HotlistRefused(problem)
        self._store.add_many([entry], lambda conn: self._ledger.append([events.hotlist_added(entry, self._ref_key)],
                                                                       conn=conn))
        return entry

    def approve(self, entry_id: str, approver: User) -> HotlistEntry:
        """One level approves; the step, the activation and the ledger entry commit together, and a refusal (or
        losing a race to a concurrent decision) is ledgered."""
        now = self._clock.now()
        try:
            entry = self._store.get(entry_id)
            if entry is None or entry.status is not EntryStatus.PENDING:
                raise ApprovalRefused("no pending hotlist entry with that id")
            if entry.added_by == approver.label:
                raise ApprovalRefused("nobody approves their own request")
            steps = self._store.steps(entry_id)
            level, role = check_approver(self._chain, steps, "", approver)
            step = Step(level, role, approver.id, "approved", "", now)
            done = next_level(self._chain, [*steps, step]) is None
            event = Event(EventKind.APPROVAL, now, approver.label, {
                "entry_id": entry_id, "level": level, "role": role.value, "authorization_complete": done})
            if not self._store.approve_step(entry_id, step, done, approver.label,
                                            lambda conn: self._ledger.append([event], conn=conn)):
                raise ApprovalRefused("another decision on this entry came first")
        except ApprovalRefused as exc:
            self._ledger.append([Event(EventKind.HOTLIST_CHANGE, now, approver.label, with_reason(
                {"action": "approval_refused", "entry_id": entry_id[:36]}, str(exc)))])
            raise
        self._cache = None
        return self._store.get(entry_id) or entry

    def import_csv(self, text: str, proposer: User, partial: bool = False) -> ParsedCsv:
        """Propose all rows, or none if any row is bad (unless ``partial``: then the good rows)."""
        check_applicant(self._chain, proposer)
        parsed = parse_hotlist_csv(text, proposer.label, self._clock.now())
        existing, good, errors = self._store.all(), [], list(parsed.errors)
        for line, e in zip(parsed.lines, parsed.entries, strict=True):
            problem = self.problem(e, existing)
            if problem:
                errors.append(RowError(line, problem))
            else:
                good.append(e)
        parsed = ParsedCsv(good, sorted(errors, key=lambda r: r.line), [])
        if parsed.errors and not partial:
            raise HotlistImportError(parsed)
        self._store.add_many(parsed.entries, lambda conn: self._ledger.append(
            [events.hotlist_added(e, self._ref_key) for e in parsed.entries], conn=conn))
        self._cache = None
        return parsed

    LIST_STATES = ("pending", "active", "expired", "suppressed", "removed")
    LIST_ROLES = frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD, Role.AUDITOR})

    def listing(self, user: User, state: str) -> list[HotlistEntry]:
        """The entries in one state (``LIST_STATES``; expired: approved, but past their expiry) with their
        provenance, for officers, department heads and auditors (who check the list's hygiene). Each listing is
        ledgered: which list, by whom, how many entries (the plates stay out of the ledger)."""
        now = self._clock.now()
        if state not in self.LIST_STATES:
            raise Invalid(f"no hotlist state {state!r}: one of {', '.join(self.LIST_STATES)}")
        if not user.roles & self.LIST_ROLES:
            self._ledger.append([Event(EventKind.HOTLIST_VIEWED, now, user.label, with_reason(
                {"action": "refused", "state": state}, "not a role that sees the hotlist"))])
            raise ApprovalRefused("the hotlist is seen by officers, department heads and auditors")

        def in_state(e: HotlistEntry) -> bool:
            if state == "expired":
                return e.status is EntryStatus.ACTIVE and e.expires_at <= now
            if state == "active":
                return e.is_active(now)
            return e.status.value == state

        found = sorted((e for e in self._store.all() if in_state(e)), key=lambda e: (e.expires_at, e.id))
        self._ledger.append([Event(EventKind.HOTLIST_VIEWED, now, user.label, {"state": state,
                                                                               "entries": len(found)})])
        return found

    def pending(self) -> list[HotlistEntry]:
        return [e for e in self._store.all() if e.status is EntryStatus.PENDING]

    CACHE_SECONDS = 5.0  # another process's change (approval, suppression) is seen within this delay

    def active(self) -> list[HotlistEntry]:
        if self._cache is None or time.monotonic() - self._cached_at > self.CACHE_SECONDS:
            entries = self._store.all()
            self._cache = [e for e in entries if e.status is not EntryStatus.ACTIVE or self._bears_out is None
                           or self._bears_out(e)]
            self._cached_at = time.monotonic()
        now = self._clock.now()
        return [e for e in self._cache if e.is_active(now)]

    def suppress(self, entry_id: str, conn: Connection) -> None:
        """Stop an entry from alerting (redress found it at fault); kept for the record. Only within the
        transaction that ledgers the decision behind it (``audit reconcile`` expects the ledger to say so)."""
        self._store.set_status(entry_id, EntryStatus.SUPPRESSED, conn=conn)
        self._cache = None

    def get(self, entry_id: str) -> HotlistEntry | None:
        return self._store.get(entry_id)

    def plate_facts(self) -> dict[str, tuple[int, bool, bool]]:
        """Per entry id: its plate's length, whether it fits the plate formats, and whether another active or pending
        entry has the same plate and region — for the compliance snapshot: one pass, no plate leaves the store."""
        entries = self._store.all()
        live: dict[tuple[str, str], int] = {}
        for e in entries:
            if e.status in (EntryStatus.PENDING, EntryStatus.ACTIVE):
                live[(e.plate, e.region.value)] = live.get((e.plate, e.region.value), 0) + 1
        return {e.id: (len(e.plate), plate_text_problem(e.plate) is None,
                       e.status in (EntryStatus.PENDING, EntryStatus.ACTIVE) and live[(e.plate, e.region.value)] > 1)
                for e in entries}

    def plate_lengths(self) -> dict[str, int]:
        """Characters in each entry's plate, by entry id (the compliance snapshot's plate-syntax check): one pass
        over the store, no plate leaves it."""
        return {e.id: len(e.plate) for e in self._store.all()}


@dataclass(frozen=True)
class AlertDecision:
    alert: Alert | None
    reason: str


class AlertService:
    def __init__(self, hotlist: HotlistService, store: AlertStore, policy: AlertPolicy, clock: Clock,
                 ledger: Ledger, notifier: Notifier | None = None) -> None:
        self._ledger = ledger
        self._hotlist = hotlist
        self._store = store
        self._policy = policy
        self._clock = clock
        self._notifier = notifier

    def check(self, read: Read) -> AlertDecision:
        p = self._policy
        if read.confidence < p.min_read_confidence:
            return AlertDecision(None, "read confidence below policy minimum")
        if read.agreeing < min(p.min_agreeing_observations, read.observations):
            return AlertDecision(None, "too few frames agree on the text")
        candidates = [read.text] + [a.text for a in read.alternatives[:2]]
        match = None
        for text in candidates:
            match = best_match(text, read.region, read.country, self._hotlist.active(), p.max_distance,
                               p.lookalike_cost, p.max_lookalikes)
            if match:
                break
        if match is None:
            return AlertDecision(None, "no hotlist match")
        alert = Alert(id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"alert|{read.id}")), read_id=read.id,
                      entry_id=match.entry.id, raw_text=read.text, hotlist_plate=match.entry.plate,
                      distance=match.distance, region_verified=match.region_verified, created_at=read.first_seen)
        if not self._store.add(alert, read.camera_id, read.confidence, read.plate_crop_jpeg, self._clock.now()):
            return AlertDecision(None, "alert already raised for this read")
        self._ledger.append([events.alert_raised(alert, self._clock.now())])
        if self._notifier is not None:
            self._notifier.alert_raised(alert, match.entry, read.camera_id)
        return AlertDecision(alert, "hotlist match")

    def dispose(self, alert_id: str, disposition: Disposition, by: str, note: str) -> DispositionRecord:
        record = DispositionRecord(alert_id, disposition, by, self._clock.now(), note)
        self._store.dispose(record)
        self._ledger.append([events.alert_disposed(record)])
        return record
