"""Edge cameras' signing keys: registered with the camera's approval, rotated and revoked by the people who may
decommission a camera, every change ledgered; the central's ingest asks here which keys a camera's reads may carry.

Why governed: a registered key is what makes a broker message a camera's read. Whoever could register one could
put reads (and hotlist alerts, and sightings in approved searches) in a camera's name.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, insert, select, update

from platewarden.domain.approvals import ApprovalRefused
from platewarden.domain.cameras import CameraKey
from platewarden.domain.clock import Clock
from platewarden.domain.deployment import DeploymentRefused
from platewarden.domain.users import User
from platewarden.edge.identity import IdentityError, fingerprint
from platewarden.ledger.entries import Event, EventKind, digest, with_reason
from platewarden.ledger.log import Ledger
from platewarden.policy.model import Role
from platewarden.store.resealing import reseal
from platewarden.store.schema import camera_keys, cameras
from platewarden.store.seals import RecordSeal, row_holds

if TYPE_CHECKING:
    from platewarden.governance.last_word import LastWord

log = logging.getLogger(__name__)

KEY_MANAGERS = frozenset({Role.DEPARTMENT_HEAD, Role.ETHICS_BOARD})  # as for decommissioning


def checked_key(text: str | None) -> str | None:
    """A proposed key in its canonical form, or None; a clear refusal for anything that is not one."""
    if text is None or not text.strip():
        return None
    try:
        fingerprint(text)
    except IdentityError as exc:
        raise DeploymentRefused(str(exc)) from exc
    return text.strip()


class CameraKeys:
    CACHE_SECONDS = 5.0  # another process may rotate or revoke: ingest sees it within this

    def __init__(self, engine: Engine, ledger: Ledger, clock: Clock, seal: RecordSeal,
                 last_word: LastWord | None = None) -> None:
        """``seal``: keys are sealed rows; one a database writer adds or un-revokes is no key. ``last_word``: nor
        is an old, validly sealed copy of a key put back after its revocation (the signed ledger says revoked)."""
        self._engine = engine
        self._last_word = last_word
        self._seal = seal
        self._ledger = ledger
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, list[CameraKey]]] = {}

    def register(self, conn: Connection, camera_id: str, public_key: str, via: str, now: datetime) -> str:
        """Within the caller's transaction (the approval or import that ledgers it): the camera's new active key;
        the previous one is retired. Returns its fingerprint."""
        key = checked_key(public_key)
        assert key is not None
        if conn.execute(select(camera_keys.c.id).where(camera_keys.c.public_key == key)).first():
            raise DeploymentRefused("this key is already registered (each camera enrols its own)")
        conn.execute(update(camera_keys).where(camera_keys.c.camera_id == camera_id,
                                               camera_keys.c.retired_at.is_(None),
                                               camera_keys.c.revoked_at.is_(None)).values(retired_at=now))
        fp = fingerprint(key)
        conn.execute(insert(camera_keys).values(camera_id=camera_id, public_key=key, fingerprint=fp,
                                                registered_at=now, registered_via=via[:200]))
        reseal(conn, self._seal, camera_keys, camera_keys.c.camera_id == camera_id)
        self.forget(camera_id)
        return fp

    def rotate(self, camera_id: str, public_key: str, actor: User, reason: str) -> CameraKey:
        """A new key for an approved camera (the edge enrolled it with ``edge enroll --rotate``)."""
        now = self._clock.now()
        try:
            self._check_actor(actor, reason)
            key = checked_key(public_key)
            if key is None:
                raise DeploymentRefused("give the new public key")
            with self._engine.begin() as conn:
                row = conn.execute(select(cameras).where(cameras.c.id == camera_id,
                                                         cameras.c.status == "approved")).first()
                if row is None or not row_holds(self._seal, "cameras", row):
                    raise DeploymentRefused(f"camera {camera_id} is not an approved camera")
                fp = self.register(conn, camera_id, key, "rotation", now)
                self._ledger.append([Event(EventKind.CAMERA_DEPLOYMENT, now, actor.label, {
                    "action": "key_rotate", "camera_id": camera_id, "edge_key": fp,
                    "reason_digest": digest(reason)})], conn=conn)
        except (ApprovalRefused, DeploymentRefused) as exc:
            self._refused(actor, "key_rotate_refused", camera_id, exc)
            raise
        return self.for_camera(camera_id)[-1]

    def revoke(self, camera_id: str, actor: User, reason: str) -> int:
        """Every key of the camera that is not yet revoked: reads they signed are refused from now on, whenever they
        claim to have been queued (the key may be in someone else's hands). Returns how many were revoked."""
        now = self._clock.now()
        try:
            self._check_actor(actor, reason)
            with self._engine.begin() as conn:
                n = conn.execute(update(camera_keys).where(camera_keys.c.camera_id == camera_id,
                                                           camera_keys.c.revoked_at.is_(None))
                                 .values(revoked_at=now)).rowcount
                reseal(conn, self._seal, camera_keys, camera_keys.c.camera_id == camera_id)
                if not n:
                    raise DeploymentRefused(f"camera {camera_id} has no key to revoke")
                self._ledger.append([Event(EventKind.CAMERA_DEPLOYMENT, now, actor.label, {
                    "action": "key_revoke", "camera_id": camera_id, "keys": n,
                    "reason_digest": digest(reason)})], conn=conn)
        except (ApprovalRefused, DeploymentRefused) as exc:
            self._refused(actor, "key_revoke_refused", camera_id, exc)
            raise
        self.forget(camera_id)
        return int(n)

    def _check_actor(self, actor: User, reason: str) -> None:
        if not actor.roles & KEY_MANAGERS:
            raise ApprovalRefused("a department head or the ethics board rotates or revokes a camera's key")
        if len(reason.strip()) < 10:
            raise DeploymentRefused("give the reason (at least 10 characters)")

    def _refused(self, actor: User, action: str, camera_id: str, exc: Exception) -> None:
        self._ledger.append([Event(EventKind.CAMERA_DEPLOYMENT, self._clock.now(), actor.label, with_reason({
            "action": action, "camera_id": camera_id[:64]}, str(exc)))])

    def for_camera(self, camera_id: str) -> list[CameraKey]:
        """The camera's keys, oldest first (cached briefly: ingest asks once per message)."""
        with self._lock:
            hit = self._cache.get(camera_id)
            if hit is not None and time.monotonic() - hit[0] < self.CACHE_SECONDS:
                return hit[1]
        keys = self._load(camera_keys.c.camera_id == camera_id)
        with self._lock:
            self._cache[camera_id] = (time.monotonic(), keys)
        return keys

    def all(self) -> list[CameraKey]:
        return self._load(None)

    def _load(self, where: object) -> list[CameraKey]:
        q = select(camera_keys).order_by(camera_keys.c.camera_id, camera_keys.c.id)
        if where is not None:
            q = q.where(where)  # type: ignore[arg-type]
        with self._engine.connect() as conn:
            rows = list(conn.execute(q))
        forged = [r for r in rows if not row_holds(self._seal, "camera_keys", r) or (
            self._last_word is not None and not self._last_word.bears_out("camera_keys", dict(r._mapping)))]
        if forged:
            log.error("%d camera key rows fail their seal or the ledger and are ignored (platewarden audit reconcile)",
                      len(forged))
        return [CameraKey(r.camera_id, r.public_key, r.fingerprint, r.registered_at, r.registered_via,
                          r.retired_at, r.revoked_at) for r in rows if r not in forged]

    def forget(self, camera_id: str) -> None:
        with self._lock:
            self._cache.pop(camera_id, None)
