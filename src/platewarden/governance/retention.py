"""Retention with provable destruction (crypto-shredding).

For each day past the policy's limit: reads that an approved hold keeps for a case are re-encrypted under the
case's key; every other read of the day is deleted, alerts of the day lose their sealed text and crop, the day's
data key and blind-index key are destroyed, and a destruction receipt (day, count, Merkle root of the destroyed
rows' digests, key fingerprints) is appended to the ledger, all in one transaction.

What this proves, and what it cannot: the ledger proves that destruction was ordered and recorded in an
append-only, witnessed history, and ``verify`` proves that no key and no ordinary row of a day past the limit is
left in this database. It cannot prove that nobody copied the data or the keys elsewhere before (an export, a
backup, a screenshot): keep backups inside the retention window, and exports logged.

On PostgreSQL the day's rows live in their own partition (store/partitions.py): held reads are moved out of it
(their ``purge_day`` becomes HELD_PURGE_DAY) and the partition is dropped, which removes its files at once instead
of leaving deleted tuples for a vacuum. The transaction first takes the table lock the drop needs, so that it
queues behind running ingest transactions instead of deadlocking with them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, text, update

from platewarden.domain.clock import Clock
from platewarden.domain.errors import Refused
from platewarden.domain.users import User
from platewarden.governance.sharing import overdue_received
from platewarden.ledger.entries import Event, EventKind, digest, with_reason
from platewarden.ledger.log import Ledger
from platewarden.ledger.merkle import inclusion_proof, leaf_hash, root_of
from platewarden.policy.model import Policy, Role
from platewarden.store.case_keys import CaseKeys
from platewarden.store.cipher import unseal
from platewarden.store.codec import seal_read, unseal_payload
from platewarden.store.keyring import KeyRing
from platewarden.store.partitions import HELD_PURGE_DAY, DayPartitions
from platewarden.store.resealing import reseal
from platewarden.store.schema import (
    alerts,
    destroyed_days,
    dispositions,
    held_reads,
    holds,
    read_counts,
    read_rates,
    reads,
    users,
    zone_alerts,
    zone_sightings,
)
from platewarden.store.seals import RecordSeal, row_holds


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants a day starts and ends at (a read's day is the UTC day of its first sighting)."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)

class HoldRefused(Refused):
    pass


RATE_WINDOW_KEPT = timedelta(days=1)


@dataclass(frozen=True)
class CameraActivity:
    camera_id: str
    per_minute: tuple[int, ...]  # oldest first, the current minute last
    last_read_minute: datetime


def batch_path(conn: Connection, batch_seq: int | None, pos: int | None, day: date | None = None) -> bytes | None:
    """A read's Merkle path inside its ledgered batch (hashes concatenated), computed while the batch still
    exists: kept with a held read so its evidence survives the destruction of the rest of its day. With ``day``
    (a batch never spans two days) only that day's rows and the held ones are looked at."""
    if batch_seq is None or pos is None:
        return None
    q = select(reads.c.row_digest).where(reads.c.batch_seq == batch_seq).order_by(reads.c.batch_pos)
    if day is not None:
        q = q.where(reads.c.purge_day.in_([day, HELD_PURGE_DAY]))
    return b"".join(inclusion_proof(pos, [leaf_hash(bytes(d)) for d in conn.scalars(q)]))


@dataclass(frozen=True)
class Receipt:
    day: date
    destroyed: int
    kept_for_cases: int
    root: bytes
    data_key_fingerprint: str
    index_key_fingerprint: str
    ledger_seq: int


@dataclass
class RetentionReport:
    limit_days: int
    cutoff: date
    destroyed_days: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class Retention:
    def __init__(self, engine: Engine, keyring: KeyRing, case_keys: CaseKeys, ledger: Ledger, policy: Policy,
                 clock: Clock, partitions: DayPartitions | None = None,
                 holds_borne_out: Callable[[Mapping[str, Any]], bool] | None = None) -> None:
        """``holds_borne_out``: whether the signed ledger's last word on a hold is its row's state
        (``governance.last_word``): an old copy of a released hold put back keeps no read past its day."""
        self._engine = engine
        self._holds_borne_out = holds_borne_out
        self._partitions = partitions or DayPartitions(engine)
        self._keys = keyring
        self._seal = keyring.record_seal()
        self._case_keys = case_keys
        self._ledger = ledger
        self._policy = policy
        self._clock = clock

    def cutoff(self, now: datetime) -> date:
        """Days before this date are past the ordinary limit."""
        return now.date() - timedelta(days=self._policy.retention.ordinary_days)

    # --- holds ---

    def hold(self, requester: User, approver: User, case: str, read_ids: list[str], reason: str) -> str:
        """Request and approve in one go (both people already authenticated by the caller): ``request_hold`` by the
        requester, then ``approve_hold`` by someone else. Checks the approver first: a refused pair leaves nothing."""
        if approver.id == requester.id:
            raise HoldRefused("nobody approves their own hold")
        if not (approver.roles & {Role.DEPARTMENT_HEAD, Role.PROSECUTOR}):
            raise HoldRefused("a hold is approved by a department head or a prosecutor")
        hold_id = self.request_hold(requester, case, read_ids, reason)
        self.approve_hold(approver, hold_id)
        return hold_id

    def request_hold(self, requester: User, case: str, read_ids: list[str], reason: str) -> str:
        """An officer, department head or prosecutor asks to keep reads for a case past the ordinary limit. The hold
        keeps nothing until someone else approves it. Ledgered."""
        now = self._clock.now()
        if not (requester.roles & {Role.OFFICER, Role.DEPARTMENT_HEAD, Role.PROSECUTOR}):
            raise HoldRefused("only an officer, department head or prosecutor requests a hold")
        if not case.strip() or not reason.strip() or not read_ids:
            raise HoldRefused("a hold names a case, a reason and the reads it keeps")
        with self._engine.connect() as conn:
            found = set(conn.scalars(select(reads.c.id).where(reads.c.id.in_(read_ids))))
        missing = set(read_ids) - found
        if missing:
            raise HoldRefused(f"{len(missing)} of the reads do not exist (destroyed already?)")
        hold_id = str(uuid.uuid4())
        review = now.date() + timedelta(days=self._policy.retention.hold_review_days)
        with self._engine.begin() as conn:
            conn.execute(insert(holds).values(id=hold_id, case_number=case, reason=reason, requested_by=requester.id,
                                              approved_by=None, created_at=now, review_by=review))
            conn.execute(insert(held_reads), [{"hold_id": hold_id, "read_id": r} for r in sorted(set(read_ids))])
            reseal(conn, self._seal, holds, holds.c.id == hold_id)
            reseal(conn, self._seal, held_reads, held_reads.c.hold_id == hold_id)
            self._ledger.append([Event(EventKind.HOLD, now, requester.label, {
                "action": "request", "id": hold_id, "case": case, "reads": len(set(read_ids)),
                "reason_digest": digest(reason), "review_by": review.isoformat()})], conn=conn)
        return hold_id

    def approve_hold(self, approver: User, hold_id: str) -> None:
        """A department head or prosecutor other than the requester approves: from now on the hold keeps its reads.
        One winner if two approve at once; refusals are ledgered."""
        now = self._clock.now()
        try:
            if not (approver.roles & {Role.DEPARTMENT_HEAD, Role.PROSECUTOR}):
                raise HoldRefused("a hold is approved by a department head or a prosecutor")
            with self._engine.connect() as conn:
                row = conn.execute(select(holds).where(holds.c.id == hold_id)).first()
            if row is None or not row_holds(self._seal, "holds", row):
                raise HoldRefused(f"no hold {hold_id}")
            if row.requested_by == approver.id:
                raise HoldRefused("nobody approves their own hold")
            with self._engine.begin() as conn:
                if conn.execute(update(holds).where(holds.c.id == hold_id, holds.c.approved_by.is_(None),
                                                    holds.c.released_at.is_(None))
                                .values(approved_by=approver.id)).rowcount != 1:
                    raise HoldRefused("this hold is not awaiting approval")
                reseal(conn, self._seal, holds, holds.c.id == hold_id)
                n = conn.execute(select(func.count()).select_from(held_reads)
                                 .where(held_reads.c.hold_id == hold_id)).scalar_one()
                self._ledger.append([Event(EventKind.HOLD, now, approver.label, {
                    "action": "place", "id": hold_id, "case": row.case_number, "reads": int(n),
                    "requested_by": self._label(row.requested_by), "reason_digest": digest(row.reason),
                    "review_by": row.review_by.isoformat()})], conn=conn)
        except HoldRefused as exc:
            self._ledger.append([Event(EventKind.HOLD, now, approver.label,
                                       with_reason({"action": "refused", "id": hold_id[:36]}, str(exc)))])
            raise

    def _label(self, user_id: str) -> str:
        with self._engine.connect() as conn:
            row = conn.execute(select(users.c.username, users.c.organisation).where(users.c.id == user_id)).first()
        return f"{row.username}@{row.organisation}" if row else user_id

    def release(self, user: User, hold_id: str, reason: str) -> None:
        if not (user.roles & {Role.DEPARTMENT_HEAD, Role.PROSECUTOR}):
            raise HoldRefused("a hold is released by a department head or a prosecutor")
        now = self._clock.now()
        with self._engine.begin() as conn:
            if conn.execute(update(holds).where(holds.c.id == hold_id, holds.c.released_at.is_(None))
                            .values(released_at=now)).rowcount != 1:
                raise HoldRefused("no active hold with that id")
            reseal(conn, self._seal, holds, holds.c.id == hold_id)
            freed, root, shredded = self._destroy_unheld(conn)
            self._ledger.append([Event(EventKind.HOLD, now, user.label, {
                "action": "release", "id": hold_id, "reason_digest": digest(reason),
                "held_reads_destroyed": freed, "root": root.hex(), "case_keys_destroyed": shredded})], conn=conn)

    def review_hold(self, user: User, hold_id: str, reason: str) -> date:
        """A department head or prosecutor who is not its requester reviews a placed hold and keeps it for another
        review period (releasing is ``release``): a case's reads are never kept on by default. Ledgered, refusals
        too; returns the next review date."""
        now = self._clock.now()
        try:
            if not (user.roles & {Role.DEPARTMENT_HEAD, Role.PROSECUTOR}):
                raise HoldRefused("a hold is reviewed by a department head or a prosecutor")
            if not reason.strip():
                raise HoldRefused("a review states why the case still needs its reads")
            with self._engine.connect() as conn:
                row = conn.execute(select(holds).where(holds.c.id == hold_id)).first()
            if row is None or not row_holds(self._seal, "holds", row):
                raise HoldRefused(f"no hold {hold_id}")
            if row.requested_by == user.id:
                raise HoldRefused("nobody reviews their own hold")
            review = now.date() + timedelta(days=self._policy.retention.hold_review_days)
            with self._engine.begin() as conn:
                if conn.execute(update(holds).where(
                        holds.c.id == hold_id, holds.c.approved_by.is_not(None), holds.c.released_at.is_(None),
                        holds.c.review_by == row.review_by).values(review_by=review)).rowcount != 1:
                    raise HoldRefused("this hold is not placed and active (or was reviewed meanwhile)")
                reseal(conn, self._seal, holds, holds.c.id == hold_id)
                self._ledger.append([Event(EventKind.HOLD, now, user.label, {
                    "action": "review", "id": hold_id, "case": row.case_number, "reason_digest": digest(reason),
                    "review_by": review.isoformat()})], conn=conn)
            return review
        except HoldRefused as exc:
            self._ledger.append([Event(EventKind.HOLD, now, user.label,
                                       with_reason({"action": "refused", "id": hold_id[:36]}, str(exc)))])
            raise

    def _destroy_unheld(self, conn: Connection) -> tuple[int, bytes, int]:
        """Reads kept past their day for a case (sealed under its key) that no live hold keeps any more are deleted,
        and the key of a case with no such read left is destroyed. Returns (reads, Merkle root of their row
        digests, case keys): a released hold must not leave reads that outlive every limit."""
        kept = genuine_held_reads(conn, self._seal, borne_out=self._holds_borne_out)
        rows = [r for r in conn.execute(select(reads.c.id, reads.c.row_digest, reads.c.key_scope)
                                        .where(reads.c.purge_day == HELD_PURGE_DAY)) if r.id not in kept]
        if rows:
            conn.execute(delete(reads).where(reads.c.purge_day == HELD_PURGE_DAY,
                                             reads.c.id.in_([r.id for r in rows])))
        root = root_of([leaf_hash(bytes(r.row_digest)) for r in sorted(rows, key=lambda r: r.id)])
        shredded = 0
        for scope in sorted({r.key_scope for r in rows}):
            left = conn.execute(select(func.count()).select_from(reads).where(reads.c.key_scope == scope)).scalar_one()
            if not left and self._case_keys.destroy(scope.removeprefix("case:"), conn):
                shredded += 1
        return len(rows), root, shredded

    def holds_for(self, user: User) -> list[dict[str, object]]:
        """The holds, for those who work with cases (officers, approvers, auditors): one rule for every adapter."""
        if not user.roles & {Role.OFFICER, Role.DEPARTMENT_HEAD, Role.PROSECUTOR, Role.AUDITOR}:
            raise HoldRefused("holds are seen by officers, department heads, prosecutors and auditors")
        return self.holds()

    def holds(self) -> list[dict[str, object]]:
        """Every hold with its case, reason, count of reads kept, review date and state (awaiting approval, active,
        review due, released), with no personal data: one reading of a hold's state for every adapter."""
        today = self._clock.now().date()
        with self._engine.connect() as conn:
            counts: dict[str, int] = {r[0]: int(r[1]) for r in conn.execute(
                select(held_reads.c.hold_id, func.count()).group_by(held_reads.c.hold_id))}
            rows = [r for r in conn.execute(select(holds).order_by(holds.c.created_at))
                    if row_holds(self._seal, "holds", r)]
        out = []
        for r in rows:
            due = r.review_by <= today and r.released_at is None and r.approved_by is not None
            state = ("released" if r.released_at else "awaiting approval" if r.approved_by is None
                     else "review due" if due else "active")
            out.append(dict(r._mapping) | {"reads": counts.get(r.id, 0), "review_due": due, "state": state})
        return out

    def reads_per_day_and_camera(self) -> dict[tuple[date, str], int]:
        """How many reads each camera recorded each day (counts only, kept as statistics: nothing is decrypted)."""
        with self._engine.connect() as conn:
            return {(r.day, r.camera_id): int(r.reads) for r in conn.execute(select(read_counts))}

    def camera_activity(self, minutes: int = 60) -> list[CameraActivity]:
        """Each camera's reads per minute over the last ``minutes`` (oldest first) and its latest minute with a read
        in the last day: counts only, nothing decrypted (the dispatcher's home)."""
        now = self._clock.now().replace(second=0, microsecond=0)
        start = now - timedelta(minutes=minutes - 1)
        per_cam: dict[str, list[int]] = {}
        last: dict[str, datetime] = {}
        with self._engine.connect() as conn:
            for r in conn.execute(select(read_rates).where(read_rates.c.minute >= now - RATE_WINDOW_KEPT)):
                last[r.camera_id] = max(last.get(r.camera_id, r.minute), r.minute)
                if start <= r.minute <= now:
                    slot = int((r.minute - start).total_seconds() // 60)
                    per_cam.setdefault(r.camera_id, [0] * minutes)[slot] += int(r.reads)
        return [CameraActivity(cam, tuple(per_cam.get(cam, [0] * minutes)), last[cam]) for cam in sorted(last)]

    def holds_due_for_review(self) -> list[tuple[str, str, date]]:
        today = self._clock.now().date()
        with self._engine.connect() as conn:
            return [(r.id, r.case_number, r.review_by) for r in conn.execute(
                select(holds).where(holds.c.released_at.is_(None), holds.c.review_by <= today))
                if row_holds(self._seal, "holds", r)]

    # --- destruction ---

    def run(self) -> list[Receipt]:
        """Destroy every day past the limit; returns the receipts."""
        now = self._clock.now()
        cutoff = self.cutoff(now)
        receipts = [self.destroy_day(d) for d in self._keys.existing_days() if d < cutoff]
        with self._engine.begin() as conn:  # minute counts live a day: a minute can single out one car
            conn.execute(delete(read_rates).where(read_rates.c.minute < now - RATE_WINDOW_KEPT))
        if receipts and self._engine.dialect.name == "sqlite":
            with self._engine.connect() as conn:  # push freed pages out of the write-ahead log
                conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        return receipts

    def destroy_day(self, day: date) -> Receipt:
        """Destroy one day: its reads (those a live hold names re-sealed under their case's key first), its keys,
        the exact details of its alerts and zone traces, with a receipt in the ledger and the store.

        On SQLite all of it is one transaction. On PostgreSQL the held reads are moved out first (committed), the
        day's partition is detached concurrently (ingest and searches never wait for the purge), and the rest is
        one transaction that computes the receipt from the detached table and drops it. A run interrupted between
        the steps leaves the day's keys in place (``retention verify`` names the day) and the next run finishes."""
        now = self._clock.now()
        keys = self._keys.for_day(day, now, create=False)
        scope = f"day:{day.isoformat()}"
        if self._partitions.enabled:
            with self._engine.begin() as conn:
                self._keep_held(conn, day, scope, keys.data_key, now)
            self._partitions.detach(day)
        with self._engine.begin() as conn:
            if self._partitions.enabled:
                digests = self._partitions.detached_digests(conn, day, scope)
                self._partitions.drop(conn, day)
            else:
                self._keep_held(conn, day, scope, keys.data_key, now)
                digests = [bytes(d) for d in conn.scalars(select(reads.c.row_digest)
                                                          .where(reads.c.purge_day == day, reads.c.day == day,
                                                                 reads.c.key_scope == scope)
                                                          .order_by(reads.c.id))]
                conn.execute(delete(reads).where(reads.c.day == day, reads.c.key_scope == scope))
            kept = int(conn.execute(select(func.count()).select_from(reads).where(
                reads.c.purge_day == HELD_PURGE_DAY, reads.c.day == day)).scalar_one())
            root = root_of([leaf_hash(d) for d in digests])
            start, end = day_bounds(day)  # zone watch keeps nothing of a destroyed day either
            # Alerts of the day keep day-level statistics only: no text, crop, time of day, read, entry or distance
            # (with the hotlist key, those would give back "plate X at 15:48:07").
            alert_ids = list(conn.scalars(select(alerts.c.id).where(alerts.c.day == day)))
            for aid in alert_ids:
                conn.execute(update(alerts).where(alerts.c.id == aid).values(
                    payload=b"", plate_crop=b"", read_id=str(uuid.uuid4()), entry_id=None, distance=0.0,
                    created_at=start))
            if alert_ids:
                conn.execute(update(dispositions).where(dispositions.c.alert_id.in_(alert_ids))
                             .values(at=start, note=""))
            zone_tokens = conn.execute(delete(zone_sightings).where(zone_sightings.c.at >= start,
                                                                    zone_sightings.c.at < end)).rowcount
            zone_alerts_gone = conn.execute(delete(zone_alerts).where(zone_alerts.c.created_at >= start,
                                                                      zone_alerts.c.created_at < end)).rowcount
            fp_data, fp_index = self._keys.destroy(day, conn)
            [seq] = self._ledger.append([Event(EventKind.DESTRUCTION, now, "system", {
                "day": day.isoformat(), "destroyed": len(digests), "kept_for_cases": kept, "root": root.hex(),
                "zone_tokens_destroyed": zone_tokens, "zone_alerts_destroyed": zone_alerts_gone,
                "data_key_fingerprint": fp_data, "index_key_fingerprint": fp_index,
                "limit_days": self._policy.retention.ordinary_days})], conn=conn)
            conn.execute(insert(destroyed_days).values(
                day=day, destroyed_reads=len(digests), kept_for_cases=kept, root=root,
                data_key_fingerprint=fp_data, index_key_fingerprint=fp_index, ledger_seq=seq, destroyed_at=now))
        return Receipt(day, len(digests), kept, root, fp_data, fp_index, seq)

    def _keep_held(self, conn: Connection, day: date, scope: str, data_key: bytes, now: datetime) -> None:
        """Re-seal the day's reads that a live hold names under their case's key and move them out of the day
        (``purge_day`` = held), each with its Merkle path in the day's batch, which is about to be destroyed."""
        # a hold or link a database writer added, or an old copy of a released hold, keeps nothing
        cases = genuine_held_reads(conn, self._seal, borne_out=self._holds_borne_out)
        held = list(conn.execute(select(reads).where(reads.c.purge_day == day, reads.c.day == day,
                                                     reads.c.key_scope == scope,
                                                     reads.c.id.in_(list(cases))))) if cases else []
        for row in held:
            case_key = self._case_keys.get_or_create(cases[row.id], now, conn)
            payload = unseal_payload(row, data_key)
            crop = unseal(data_key, row.plate_crop, f"read|{row.id}|plate_crop".encode())
            vehicle = (unseal(data_key, row.vehicle_crop, f"read|{row.id}|vehicle_crop".encode())
                       if row.vehicle_crop is not None else None)
            sealed = seal_read(row.id, payload, crop, vehicle, case_key)
            conn.execute(update(reads).where(reads.c.id == row.id, reads.c.purge_day == day).values(
                payload=sealed["payload"], plate_crop=sealed["plate_crop"], vehicle_crop=sealed["vehicle_crop"],
                row_digest=sealed["row_digest"], plate_index=bytes(16), key_scope=f"case:{cases[row.id]}",
                batch_proof=batch_path(conn, row.batch_seq, row.batch_pos, day), purge_day=HELD_PURGE_DAY))

    # --- proof ---

    def verify(self) -> RetentionReport:
        """From the store and the ledger: no day past the limit has a key or ordinary rows, and every destroyed
        day has a receipt in the ledger that matches the store's record."""
        now = self._clock.now()
        cutoff = self.cutoff(now)
        rep = RetentionReport(self._policy.retention.ordinary_days, cutoff)
        for d in self._keys.existing_days():
            if d < cutoff:
                rep.problems.append(f"{d}: key still exists past the {rep.limit_days}-day limit")
        with self._engine.connect() as conn:
            for d, n in conn.execute(select(reads.c.day, func.count()).where(reads.c.day < cutoff,
                                                                             reads.c.key_scope.like("day:%"))
                                     .group_by(reads.c.day)):
                rep.problems.append(f"{d}: {n} ordinary reads still stored past the limit")
            receipts = {r.day: r for r in conn.execute(select(destroyed_days))}
            rep.problems += overdue_received(conn, now)
            limit = day_bounds(cutoff)[0]
            for what, table, column in (("zone presence tokens", zone_sightings, zone_sightings.c.at),
                                        ("zone alerts", zone_alerts, zone_alerts.c.created_at)):
                n = conn.execute(select(func.count()).select_from(table).where(column < limit)).scalar_one()
                if n:
                    rep.problems.append(f"{n} {what} from before {cutoff} still stored past the limit")
            exact = conn.execute(select(func.count()).select_from(alerts).where(
                alerts.c.day < cutoff,
                alerts.c.entry_id.is_not(None) | (alerts.c.distance != 0.0) | (func.length(alerts.c.payload) > 0)
            )).scalar_one()
            if exact:
                rep.problems.append(f"{exact} alerts from before {cutoff} still keep exact details past the limit")
            seen_days = {r[0] for r in conn.execute(select(read_counts.c.day).distinct())}
            kept = genuine_held_reads(conn, self._seal, borne_out=self._holds_borne_out)
            unheld = sum(1 for r in conn.execute(select(reads.c.id).where(reads.c.purge_day == HELD_PURGE_DAY))
                         if r.id not in kept)
            if unheld:
                rep.problems.append(f"{unheld} reads kept past their day for a case that no live hold keeps")
        ledgered = {str(e["body"]["day"]): e["body"] | {"seq": seq} for seq, e in self._ledger.parsed()
                    if e["kind"] == EventKind.DESTRUCTION.value}
        for d, r in receipts.items():
            body = ledgered.get(d.isoformat())
            if body is None or body["seq"] != r.ledger_seq or body["root"] != bytes(r.root).hex():
                rep.problems.append(f"{d}: destroyed, but its ledger receipt is missing or does not match")
        for ds in ledgered:
            if date.fromisoformat(ds) not in receipts:
                rep.problems.append(f"{ds}: a ledger receipt exists but the store has no record of the destruction")
        keyed = set(self._keys.existing_days())
        for d in sorted(seen_days):
            if d < cutoff and d not in receipts and d not in keyed:
                rep.problems.append(f"{d}: reads were stored that day, but it has no destruction receipt")
        rep.destroyed_days = len(receipts)
        return rep


def genuine_held_reads(conn: Connection, seal: RecordSeal, *where: Any,
                       borne_out: Callable[[Mapping[str, Any]], bool] | None = None) -> dict[str, str]:
    """Read id -> case number for the reads live holds keep, counting only holds and links that carry their seals
    and, given ``borne_out``, holds the signed ledger still records as placed (``where`` narrows the holds, e.g. to
    one case). A read two cases hold goes to the first hold found."""
    live = {h.id: h.case_number for h in conn.execute(select(holds).where(holds.c.released_at.is_(None),
                                                                          holds.c.approved_by.is_not(None), *where))
            if row_holds(seal, "holds", h) and (borne_out is None or borne_out(dict(h._mapping)))}
    out: dict[str, str] = {}
    if live:
        for link in conn.execute(select(held_reads).where(held_reads.c.hold_id.in_(list(live)))
                                 .order_by(held_reads.c.hold_id)):
            if row_holds(seal, "held_reads", link):
                out.setdefault(link.read_id, live[link.hold_id])
    return out
