"""Zone watch: designated (officer), approved (department head, prosecutor, ethics board: the policy's chain) and
expiring zones where a vehicle seen at least N times within T raises a frequent-presence alert.

Sightings are kept only as tokens, HMAC(zone key, plate): frequency is counted on tokens, and the plate is sealed
into an alert only when the threshold is crossed — before that nobody, operators included, sees which vehicles were
in the zone. When a zone ends its key is destroyed and its tokens deleted (crypto-shredding), so the tokens can
never be linked to plates afterwards.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from platewarden.domain.approvals import ApprovalRefused, Step, check_applicant, check_approver, next_level
from platewarden.domain.clock import Clock
from platewarden.domain.errors import NotFound
from platewarden.domain.reads import Read
from platewarden.domain.users import User
from platewarden.domain.zones import Zone, ZoneError, ZoneStatus, area_km2, check_designation
from platewarden.ledger.entries import Event, EventKind, digest, with_reason
from platewarden.ledger.log import Ledger
from platewarden.policy.model import Policy, Role
from platewarden.store.approval_steps import load_steps, record_step
from platewarden.store.cipher import seal, unseal
from platewarden.store.dialect import conflict_insert
from platewarden.store.keyring import KeyRing
from platewarden.store.resealing import reseal
from platewarden.store.schema import cameras, zone_alerts, zone_sightings, zones
from platewarden.store.seals import row_holds

if TYPE_CHECKING:
    from platewarden.governance.last_word import LastWord

VIEWERS = frozenset({Role.OPERATOR, Role.OFFICER})


class _Lost(Exception):
    """Another decision changed the zone's state first."""


@dataclass(frozen=True)
class ZoneAlert:
    """What a person sees when a zone alert fires: the plate, how often and which reads."""

    id: str
    zone_id: str
    created_at: datetime
    sightings: int
    plate: str
    read_ids: tuple[str, ...]


@dataclass(frozen=True)
class ZoneStats:
    """Per zone, for the bias report: where the watching concentrates and how often it fires."""

    zone: Zone
    cameras: int
    area_km2: float
    sightings: int
    alerts: int

    @property
    def cameras_per_km2(self) -> float:
        return self.cameras / self.area_km2 if self.area_km2 else 0.0

    @property
    def alerts_per_1000_sightings(self) -> float | None:
        return 1000 * self.alerts / self.sightings if self.sightings else None


class ZoneWatch:
    CACHE_SECONDS = 5.0

    def __init__(self, engine: Engine, keyring: KeyRing, ledger: Ledger, policy: Policy, clock: Clock,
                 last_word: LastWord | None = None) -> None:
        """``last_word``: a zone watches only where the signed ledger's last word on it is "active" (an old copy
        of a revoked zone put back watches nothing)."""
        self._engine = engine
        self._last_word = last_word
        self._wrap_key = keyring.derived("zone-key-wrap")
        self._alert_key = keyring.derived("zone-alerts")
        self._seal = keyring.record_seal()
        self._ledger = ledger
        self._policy = policy
        self._clock = clock
        self._lock = threading.Lock()
        self._active: list[tuple[Zone, bytes]] = []
        self._loaded_at = -1e9

    @property
    def chain(self) -> list[Role]:
        return self._policy.approvals.zone_watch

    # --- designation and approval ---

    def designate(self, officer: User, name: str, polygon: list[tuple[float, float]], justification: str,
                  min_sightings: int, window_hours: float, expires_at: datetime) -> Zone:
        now = self._clock.now()
        zp = self._policy.zones
        check_applicant(self.chain, officer)
        if not name.strip():
            raise ZoneError("a zone needs a name")
        check_designation(polygon, justification, min_sightings, timedelta(hours=window_hours), now, expires_at,
                          zp.min_sightings_floor, timedelta(hours=zp.max_window_hours), timedelta(days=zp.max_days))
        zid = str(uuid.uuid4())
        with self._engine.begin() as conn:
            conn.execute(insert(zones).values(
                id=zid, name=name.strip(), polygon=json.dumps([list(v) for v in polygon]),
                justification=justification.strip(), min_sightings=min_sightings, window_hours=window_hours,
                requested_by=officer.id, requested_at=now, expires_at=expires_at, status=ZoneStatus.PENDING.value))
            reseal(conn, self._seal, zones, zones.c.id == zid)
            self._ledger.append([Event(EventKind.ZONE_WATCH, now, officer.label, {
                "action": "designate", "zone_id": zid, "polygon": [list(v) for v in polygon],
                "min_sightings": min_sightings, "window_hours": window_hours, "expires_at": expires_at.isoformat(),
                "justification_digest": digest(justification)})], conn=conn)
        return self.get(zid)

    def decide(self, zone_id: str, approver: User, approve: bool, reason: str) -> Zone:
        now = self._clock.now()
        zone = self.get(zone_id)
        try:
            if zone.status is not ZoneStatus.PENDING:
                raise ApprovalRefused(f"zone is {zone.status.value}, not pending")
            level, role = check_approver(self.chain, list(zone.steps), zone.requested_by, approver)
            if len(reason.strip()) < 5:
                raise ApprovalRefused("give the reason for the decision")
        except ApprovalRefused as exc:
            self._ledger.append([Event(EventKind.ZONE_WATCH, now, approver.label, with_reason({
                "action": "decision_refused", "zone_id": zone_id}, str(exc)))])
            raise
        step = Step(level, role, approver.id, "approved" if approve else "rejected", reason.strip(), now)
        complete = approve and next_level(self.chain, [*zone.steps, step]) is None
        values: dict[str, object] = {"status": ZoneStatus.PENDING.value}
        if not approve:
            values = {"status": ZoneStatus.REJECTED.value, "status_reason": reason.strip()}
        elif complete:
            values = {"status": ZoneStatus.ACTIVE.value, "activated_at": now,
                      "wrapped_key": seal(self._wrap_key, os.urandom(32), f"zone|{zone_id}".encode())}
        try:
            with self._engine.begin() as conn:
                record_step(conn, zone_id, step, self._seal)  # one step per level: a concurrent one fails here
                # only from pending: a revocation or another decision that came first is never overwritten
                if conn.execute(update(zones).where(zones.c.id == zone_id, zones.c.status == ZoneStatus.PENDING.value)
                                .values(**values)).rowcount != 1:
                    raise _Lost
                reseal(conn, self._seal, zones, zones.c.id == zone_id)
                self._ledger.append([Event(EventKind.ZONE_WATCH, now, approver.label, {
                    "action": step.decision, "zone_id": zone_id, "level": level, "role": role.value,
                    "active": complete, "reason_digest": digest(reason)})], conn=conn)
        except (IntegrityError, _Lost):
            self._ledger.append([Event(EventKind.ZONE_WATCH, now, approver.label, with_reason({
                "action": "decision_refused", "zone_id": zone_id}, "another decision on this zone came first"))])
            raise ApprovalRefused("another decision on this zone came first") from None
        self._invalidate()
        return self.get(zone_id)

    def revoke(self, zone_id: str, user: User, reason: str) -> None:
        if not user.roles & {Role.DEPARTMENT_HEAD, Role.PROSECUTOR, Role.ETHICS_BOARD}:
            raise ApprovalRefused("a department head, prosecutor or the ethics board revokes a zone")
        self._end(zone_id, ZoneStatus.REVOKED, user.label, reason)

    def expire(self) -> list[str]:
        """End every zone past its expiry: destroy its key, tokens and alerts. Run wherever time passes: by the
        scheduler, by ``zone expire`` and ``retention run``, and before any read is counted (``observe``)."""
        now = self._clock.now()
        ended = [z.id for z in self.all() if z.expired(now)]
        for zid in ended:
            try:
                self._end(zid, ZoneStatus.EXPIRED, "system", "expired")
            except ApprovalRefused:  # another process ended it first
                continue
        return ended

    def _end(self, zone_id: str, status: ZoneStatus, actor: str, reason: str) -> None:
        now = self._clock.now()
        with self._engine.begin() as conn:
            n = conn.execute(update(zones).where(zones.c.id == zone_id, zones.c.status.in_(
                [ZoneStatus.ACTIVE.value, ZoneStatus.PENDING.value])).values(
                status=status.value, status_reason=reason, wrapped_key=None)).rowcount
            if n == 0:
                raise ApprovalRefused(f"zone {zone_id} is not pending or active")
            reseal(conn, self._seal, zones, zones.c.id == zone_id)
            tokens = conn.execute(delete(zone_sightings).where(zone_sightings.c.zone_id == zone_id)).rowcount
            alerts = conn.execute(delete(zone_alerts).where(zone_alerts.c.zone_id == zone_id)).rowcount
            self._ledger.append([Event(EventKind.ZONE_WATCH, now, actor, {
                "action": status.value, "zone_id": zone_id, "tokens_destroyed": tokens,
                "alerts_destroyed": alerts, "reason_digest": digest(reason)})], conn=conn)
        self._invalidate()

    # --- reading zones ---

    def get(self, zone_id: str) -> Zone:
        found = self._load(zone_id)
        if not found:
            raise NotFound(f"no zone {zone_id}")
        return found[0]

    def all(self) -> list[Zone]:
        return self._load(None)

    def _load(self, zone_id: str | None) -> list[Zone]:
        q = select(zones).order_by(zones.c.requested_at)
        if zone_id is not None:
            q = q.where(zones.c.id == zone_id)
        with self._engine.connect() as conn:  # a zone a database writer added or widened is no zone
            rows = [r for r in conn.execute(q) if row_holds(self._seal, "zones", r)]
            ids = [r.id for r in rows]
            steps = load_steps(conn, ids, self._seal)
        return [Zone(r.id, r.name, tuple((float(a), float(b)) for a, b in json.loads(r.polygon)), r.justification,
                     r.min_sightings, timedelta(hours=r.window_hours), r.requested_by, r.requested_at,
                     r.expires_at, ZoneStatus(r.status), r.status_reason, tuple(steps[r.id]), r.activated_at)
                for r in rows]

    # --- watching ---

    def _invalidate(self) -> None:
        with self._lock:
            self._loaded_at = -1e9

    def _watching(self) -> list[tuple[Zone, bytes]]:
        now = self._clock.now()
        with self._lock:
            due = any(z.expired(now) for z, _ in self._active)
        if due:  # time passed an expiry: end those zones now, not at the next scheduler run
            self.expire()
        with self._lock:
            if time.monotonic() - self._loaded_at > self.CACHE_SECONDS:
                active = []
                with self._engine.connect() as conn:
                    keys = {r.id: r.wrapped_key for r in conn.execute(select(zones).where(
                        zones.c.status == ZoneStatus.ACTIVE.value)) if row_holds(self._seal, "zones", r)}
                for z in self.all():
                    if z.status is ZoneStatus.ACTIVE and keys.get(z.id) and not z.expired(now) and (
                            self._last_word is None
                            or self._last_word.bears_out("zones", {"id": z.id, "status": z.status.value})):
                        active.append((z, unseal(self._wrap_key, keys[z.id], f"zone|{z.id}".encode())))
                self._active, self._loaded_at = active, time.monotonic()
            return self._active

    def observe(self, read: Read) -> list[ZoneAlert]:
        """Record a stored read's presence in every active zone around it; an alert when it is now frequent."""
        fired = []
        for zone, key in self._watching():
            if not zone.watching(read.first_seen) or not zone.contains(read.latitude, read.longitude):
                continue
            token = hmac.new(key, read.text.encode(), hashlib.sha256).digest()[:16]
            alert = self._record(zone, token, read)
            if alert is not None:
                fired.append(alert)
        return fired

    def _record(self, zone: Zone, token: bytes, read: Read) -> ZoneAlert | None:
        at = read.first_seen
        since = at - zone.window
        with self._engine.begin() as conn:
            conn.execute(conflict_insert(self._engine, zone_sightings).values(
                zone_id=zone.id, read_id=read.id, token=token, at=at).on_conflict_do_nothing())
            seen = list(conn.execute(select(zone_sightings.c.read_id).where(
                zone_sightings.c.zone_id == zone.id, zone_sightings.c.token == token,
                zone_sightings.c.at >= since, zone_sightings.c.at <= at).order_by(zone_sightings.c.at)).scalars())
            if len(seen) < zone.min_sightings:
                return None
            already = conn.execute(select(func.count()).select_from(zone_alerts).where(
                zone_alerts.c.zone_id == zone.id, zone_alerts.c.token == token,
                zone_alerts.c.created_at >= since)).scalar_one()
            if already:
                return None
            aid = str(uuid.uuid4())
            payload = json.dumps({"plate": read.text, "read_ids": seen}).encode()
            conn.execute(insert(zone_alerts).values(
                id=aid, zone_id=zone.id, token=token, created_at=at, sightings=len(seen),
                payload=seal(self._alert_key, payload, f"zone-alert|{aid}".encode())))
            self._ledger.append([Event(EventKind.ZONE_ALERT, self._clock.now(), "system", {
                "action": "raised", "zone_id": zone.id, "alert_id": aid, "sightings": len(seen),
                "read_id": read.id})], conn=conn)
        return ZoneAlert(aid, zone.id, at, len(seen), read.text, tuple(seen))

    def alerts(self, user: User, purpose: str) -> list[ZoneAlert]:
        """Zone alerts with their plates, for an operator or officer; the viewing is ledgered."""
        now = self._clock.now()
        if not user.roles & VIEWERS:
            self._ledger.append([Event(EventKind.ZONE_ALERT, now, user.label, {"action": "view_refused"})])
            raise ApprovalRefused("zone alerts are seen by operators and officers")
        if len(purpose.strip()) < 5:
            raise ApprovalRefused("state the purpose of viewing zone alerts")
        with self._engine.connect() as conn:
            rows = list(conn.execute(select(zone_alerts).order_by(zone_alerts.c.created_at)))
        out = []
        for r in rows:
            data = json.loads(unseal(self._alert_key, r.payload, f"zone-alert|{r.id}".encode()))
            out.append(ZoneAlert(r.id, r.zone_id, r.created_at, r.sightings, data["plate"],
                                 tuple(data["read_ids"])))
        self._ledger.append([Event(EventKind.ZONE_ALERT, now, user.label, {
            "action": "viewed", "alert_ids": [a.id for a in out], "purpose_digest": digest(purpose)})])
        return out

    def stats(self) -> list[ZoneStats]:
        with self._engine.connect() as conn:
            cams = [(r.latitude, r.longitude) for r in conn.execute(
                select(cameras.c.latitude, cameras.c.longitude).where(cameras.c.status == "approved"))]
            sightings = {r[0]: int(r[1]) for r in conn.execute(select(zone_sightings.c.zone_id, func.count())
                                                                .group_by(zone_sightings.c.zone_id))}
            alerts = {r[0]: int(r[1]) for r in conn.execute(select(zone_alerts.c.zone_id, func.count())
                                                             .group_by(zone_alerts.c.zone_id))}
        return [ZoneStats(z, sum(z.contains(la, lo) for la, lo in cams), area_km2(z.polygon),
                          int(sightings.get(z.id, 0)), int(alerts.get(z.id, 0))) for z in self.all()]
