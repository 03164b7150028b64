"""Server-side sessions for the console and the API: the cookie carries a random id and nothing else of weight; the
database holds its SHA-256, the user, and when it ends.

Why server-side: a signed cookie cannot be taken back. Logout, deactivation, a role or password change, a lockout —
each must end every session of the account at once, and a copied cookie must stop working with them. Sessions also
end by themselves: after the policy's idle time, and at the latest the policy's hours after sign-in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, insert, select, update

from platewarden.domain.clock import Clock
from platewarden.domain.users import User
from platewarden.policy.model import AccountPolicy
from platewarden.store.resealing import reseal
from platewarden.store.schema import sessions, users
from platewarden.store.seals import RecordSeal, row_holds

TOUCH_EVERY = timedelta(seconds=60)  # last_seen_at is written at most this often per session


class SessionEnded(PermissionError):
    """No valid session: never started, logged out, ended by an account change, idle or expired."""


@dataclass(frozen=True)
class SessionInfo:
    user_id: str
    mfa_pending: bool  # signed in with a password only: may enrol a second factor, nothing else
    created_at: datetime


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class Sessions:
    def __init__(self, engine: Engine, clock: Clock, policy: AccountPolicy, seal: RecordSeal) -> None:
        self._engine = engine
        self._seal = seal
        self._clock = clock
        self._policy = policy

    def open(self, user: User, mfa_pending: bool) -> str:
        """A new session; returns the token for the cookie (shown nowhere else, stored only as a hash)."""
        token = secrets.token_urlsafe(32)
        now = self._clock.now()
        with self._engine.begin() as conn:
            conn.execute(insert(sessions).values(
                id_hash=_hash(token), user_id=user.id, csrf=secrets.token_urlsafe(24), created_at=now,
                last_seen_at=now, expires_at=now + timedelta(hours=self._policy.session_absolute_hours),
                mfa_pending=mfa_pending))
            reseal(conn, self._seal, sessions, sessions.c.id_hash == _hash(token))
        return token

    def resolve(self, token: str) -> SessionInfo:
        """The live session behind a cookie; raises SessionEnded. Refreshes its idle timer."""
        now = self._clock.now()
        with self._engine.connect() as conn:
            row = conn.execute(select(sessions, users.c.active, users.c.locked_at)
                               .join(users, users.c.id == sessions.c.user_id)
                               .where(sessions.c.id_hash == _hash(token or ""))).first()
        if row is None or row.ended_at is not None or not row_holds(self._seal, "sessions", row):
            raise SessionEnded("signed out: sign in again")
        why = ("the account is deactivated" if not row.active else "the account is locked" if row.locked_at
               else "the session expired" if now >= row.expires_at
               else "the session was idle too long" if now - row.last_seen_at
               >= timedelta(minutes=self._policy.session_idle_minutes) else None)
        if why:
            self.end(token, why.replace("the ", "").replace(" ", "_")[:40])
            raise SessionEnded(f"{why}: sign in again")
        if now - row.last_seen_at >= TOUCH_EVERY:
            with self._engine.begin() as conn:
                conn.execute(update(sessions).where(sessions.c.id_hash == row.id_hash).values(last_seen_at=now))
        return SessionInfo(row.user_id, row.mfa_pending, row.created_at)

    def complete_mfa(self, token: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(update(sessions).where(sessions.c.id_hash == _hash(token), sessions.c.ended_at.is_(None))
                         .values(mfa_pending=False))
            reseal(conn, self._seal, sessions, sessions.c.id_hash == _hash(token))

    def end(self, token: str, reason: str = "logout") -> None:
        with self._engine.begin() as conn:
            conn.execute(update(sessions).where(sessions.c.id_hash == _hash(token or ""),
                                                sessions.c.ended_at.is_(None))
                         .values(ended_at=self._clock.now(), end_reason=reason[:40]))

    def end_all(self, conn: Connection, user_id: str, reason: str) -> int:
        """Within the caller's transaction (the account change that ledgers it): every live session of the user."""
        return int(conn.execute(update(sessions).where(sessions.c.user_id == user_id, sessions.c.ended_at.is_(None))
                                .values(ended_at=self._clock.now(), end_reason=reason[:40])).rowcount)

    def live(self, user_id: str) -> int:
        now = self._clock.now()
        with self._engine.connect() as conn:
            return len(list(conn.execute(select(sessions.c.id_hash).where(
                sessions.c.user_id == user_id, sessions.c.ended_at.is_(None), sessions.c.expires_at > now))))
