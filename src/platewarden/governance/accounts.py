"""Local accounts: argon2id password hashes, API tokens (only their SHA-256 is stored), roles.

Administrators manage accounts and nothing else; every change of an account is ledgered.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from platewarden.domain.clock import Clock
from platewarden.domain.users import User
from platewarden.ledger.entries import Event, EventKind
from platewarden.ledger.log import Ledger
from platewarden.policy.model import Role
from platewarden.store.schema import api_tokens, users

MIN_PASSWORD = 12
_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters


class AuthError(PermissionError):
    """Wrong credentials: deliberately says nothing about which part was wrong."""


class AccountError(ValueError):
    pass


def _user(row: object) -> User:
    r = row  # a Row
    return User(r.id, r.username, r.full_name, r.organisation,  # type: ignore[attr-defined]
                frozenset(Role(x) for x in r.roles.split(",") if x))  # type: ignore[attr-defined]


class Accounts:
    def __init__(self, engine: Engine, clock: Clock, ledger: Ledger) -> None:
        self._engine = engine
        self._clock = clock
        self._ledger = ledger

    def count(self) -> int:
        with self._engine.connect() as conn:
            return len(list(conn.execute(select(users.c.id))))

    def create(self, actor: User | None, username: str, full_name: str, organisation: str, roles: set[Role],
               password: str) -> User:
        """Create an account. ``actor`` must be an administrator, except for the very first account, which must
        itself be an administrator (bootstrap)."""
        if actor is None:
            if self.count() != 0 or roles != {Role.ADMINISTRATOR}:
                raise AccountError("only the first account may be created without an administrator, and it must "
                                   "be an administrator")
        elif not actor.has(Role.ADMINISTRATOR):
            raise PermissionError("only administrators create accounts")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"passwords need at least {MIN_PASSWORD} characters")
        if not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
            raise AccountError("usernames use letters, digits, '.', '-' and '_'")
        user = User(str(uuid.uuid4()), username, full_name, organisation, frozenset(roles))
        now = self._clock.now()
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(users).values(
                    id=user.id, username=username, full_name=full_name, organisation=organisation,
                    roles=",".join(sorted(r.value for r in roles)), password_hash=_HASHER.hash(password), active=True,
                    created_at=now))
                self._ledger.append([Event(EventKind.ACCOUNT_CHANGE, now, actor.label if actor else "bootstrap", {
                    "action": "create", "id": user.id, "roles": sorted(r.value for r in roles)})], conn=conn)
        except IntegrityError as exc:
            raise AccountError(f"username {username!r} is taken") from exc
        return user

    def deactivate(self, actor: User, user_id: str) -> None:
        if not actor.has(Role.ADMINISTRATOR):
            raise PermissionError("only administrators deactivate accounts")
        with self._engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == user_id).values(active=False))
            self._ledger.append([Event(EventKind.ACCOUNT_CHANGE, self._clock.now(), actor.label,
                                       {"action": "deactivate", "id": user_id})], conn=conn)

    def get(self, user_id: str) -> User:
        with self._engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.id == user_id)).first()
        if row is None:
            raise AccountError(f"no user {user_id}")
        return _user(row)

    def by_username(self, username: str) -> User:
        with self._engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.username == username)).first()
        if row is None:
            raise AccountError(f"no user {username!r}")
        return _user(row)

    def authenticate(self, username: str, password: str) -> User:
        with self._engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.username == username)).first()
        if row is None or not row.active:
            _HASHER.hash(password)  # same work either way: no timing hint that the name exists
            raise AuthError("wrong username or password")
        try:
            _HASHER.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError) as exc:
            raise AuthError("wrong username or password") from exc
        return _user(row)

    def issue_token(self, user: User, label: str) -> str:
        token = "pw_" + secrets.token_urlsafe(32)
        with self._engine.begin() as conn:
            conn.execute(insert(api_tokens).values(token_hash=hashlib.sha256(token.encode()).digest(),
                                                   user_id=user.id, label=label, created_at=self._clock.now(),
                                                   revoked=False))
        return token

    def authenticate_token(self, token: str) -> User:
        with self._engine.connect() as conn:
            row = conn.execute(select(users).join(api_tokens, api_tokens.c.user_id == users.c.id).where(
                api_tokens.c.token_hash == hashlib.sha256(token.encode()).digest(),
                api_tokens.c.revoked.is_(False), users.c.active.is_(True))).first()
        if row is None:
            raise AuthError("invalid or revoked token")
        return _user(row)
