"""Local accounts: argon2id password hashes, a TOTP second factor, throttled sign-in with lockout, server-side
sessions, expiring API tokens (only their SHA-256 is stored), roles.

Administrators manage accounts and nothing else. Every change of an account, every failed sign-in and every lockout
is ledgered (never a password, a code or a plate); deactivation, a role or password change, a lockout and a reset of
the second factor end every session and token of the account at once.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from platewarden.domain.clock import Clock
from platewarden.domain.errors import Invalid, Refused
from platewarden.domain.users import User
from platewarden.governance.second_factor import (
    accepted_step,
    new_recovery_codes,
    new_secret,
    provisioning_uri,
    recovery_hash,
)
from platewarden.governance.sessions import Sessions
from platewarden.ledger.entries import Event, EventKind
from platewarden.ledger.log import Ledger
from platewarden.policy.model import AccountPolicy, Role
from platewarden.store import rate_counts
from platewarden.store.cipher import seal, unseal
from platewarden.store.resealing import reseal
from platewarden.store.schema import api_tokens, recovery_codes, sso_links, users
from platewarden.store.seals import RecordSeal, row_holds

if TYPE_CHECKING:
    from platewarden.governance.last_word import LastWord

log = logging.getLogger(__name__)
MIN_PASSWORD = 12
MAX_DELAY = timedelta(minutes=15)
_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters


class AuthError(PermissionError):
    """Wrong credentials: deliberately says nothing about which part was wrong."""


class Throttled(AuthError):
    """Too many failed sign-ins: from this address, or for this account (which may be locked)."""


class AccountError(Invalid):
    pass


class UnknownAccount(AccountError, LookupError):
    pass


@dataclass(frozen=True)
class Account:
    """What an administrator sees of an account (never its hash or secret)."""

    user: User
    active: bool
    locked: bool
    mfa: bool
    created_at: datetime


@dataclass(frozen=True)
class TokenInfo:
    id: str  # the first 12 hex digits of the token's hash: enough to name it, useless to use it
    user_id: str
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked: bool


@dataclass(frozen=True)
class SignIn:
    """A successful password (and, where enrolled, second-factor) check."""

    user: User
    mfa_pending: bool  # the roles need a second factor and none is enrolled yet: enrol before anything else


def _user(row: object) -> User:
    r = row  # a Row
    return User(r.id, r.username, r.full_name, r.organisation,  # type: ignore[attr-defined]
                frozenset(Role(x) for x in r.roles.split(",") if x))  # type: ignore[attr-defined]


def _token_id(token_hash: bytes) -> str:
    return token_hash.hex()[:12]


class Accounts:
    def __init__(self, engine: Engine, clock: Clock, ledger: Ledger, policy: AccountPolicy, secret_key: bytes,
                 seal: RecordSeal, agency: str = "platewarden", last_word: LastWord | None = None) -> None:
        """``secret_key``: derived from the master key; seals TOTP secrets and keys the address references.
        ``seal``: the seal on governed rows (accounts, tokens, sessions are sealed and checked on every use).
        ``last_word``: an account acts only where the signed ledger's last word on its roles, grant and activity
        is what its row says (an old copy of the row, from before its roles were cut, signs nobody in)."""
        self._engine = engine
        self._last_word = last_word
        self._seal = seal
        self._clock = clock
        self._ledger = ledger
        self._policy = policy
        self._key = secret_key
        self._agency = agency
        self.sessions = Sessions(engine, clock, policy, seal)

    # --- accounts ---

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
            raise Refused("only administrators create accounts")
        _check_password(password)
        if not username or not username.replace(".", "").replace("-", "").replace("_", "").isalnum() \
                or not username.isascii() or len(username) > 80:
            raise AccountError("usernames use up to 80 letters, digits, '.', '-' and '_'")
        user = User(str(uuid.uuid4()), username, full_name, organisation, frozenset(roles))
        now = self._clock.now()
        # Separation of duties: the roles an administrator gives take effect when a second person approves them
        # (policy accounts.role_grant_approvers). Only while nobody could approve yet (setting up) do they take
        # effect at once, and the ledger says so.
        second = actor is not None and self._approver_exists()
        granted = None if second else ("bootstrap" if actor is None else "no-approver-yet")
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(users).values(
                    id=user.id, username=username, full_name=full_name, organisation=organisation,
                    roles=",".join(sorted(r.value for r in roles)), password_hash=_HASHER.hash(password),
                    active=not second, created_at=now, created_by=actor.id if actor else None,
                    grant_approved_by=granted))
                reseal(conn, self._seal, users, users.c.id == user.id)
                self._record(conn, actor.label if actor else "bootstrap",
                             {"action": "create", "id": user.id, "roles": sorted(r.value for r in roles),
                              "grant": "awaiting approval" if second else granted})
        except IntegrityError as exc:
            raise AccountError(f"username {username!r} is taken") from exc
        return user

    def _approver_exists(self) -> bool:
        approvers = set(self._policy.role_grant_approvers)
        with self._engine.connect() as conn:
            return any(r.active and r.grant_approved_by and {Role(x) for x in r.roles.split(",") if x} & approvers
                       and row_holds(self._seal, "users", r) for r in conn.execute(select(users)))

    def approve_grant(self, approver: User, user_id: str) -> None:
        """A second person approves the roles an administrator gave an account: it becomes active. Ledgered."""
        with self._engine.begin() as conn:
            row = conn.execute(select(users).where(users.c.id == user_id)).first()
            if row is None or not row_holds(self._seal, "users", row):
                raise UnknownAccount(f"no user {user_id}")
            if not approver.roles & set(self._policy.role_grant_approvers):
                raise Refused("role grants are approved by: "
                                      + ", ".join(r.value for r in self._policy.role_grant_approvers))
            if row.grant_approved_by is not None:
                raise AccountError("this account's roles are not awaiting approval")
            if approver.id in (row.created_by, row.id):
                raise Refused("the person who created an account, or its holder, does not approve its roles")
            conn.execute(update(users).where(users.c.id == user_id).values(active=True,
                                                                           grant_approved_by=approver.id))
            reseal(conn, self._seal, users, users.c.id == user_id)
            self._record(conn, approver.label, {"action": "grant_approved", "id": user_id,
                                                "roles": sorted(row.roles.split(","))})

    def awaiting_grant(self, approver: User) -> list[Account]:
        """Accounts whose roles wait for a second person (for those who may approve them)."""
        if not approver.roles & set(self._policy.role_grant_approvers):
            raise Refused("role grants are approved by department heads or the ethics board")
        with self._engine.connect() as conn:
            return [Account(_user(r), r.active, r.locked_at is not None, r.totp_enabled_at is not None, r.created_at)
                    for r in conn.execute(select(users).where(users.c.grant_approved_by.is_(None))
                                          .order_by(users.c.username))
                    if row_holds(self._seal, "users", r) and approver.id not in (r.created_by, r.id)]

    def _admin_change(self, actor: User, user_id: str, action: str, values: dict[str, object],
                      end_sessions: bool, recorded: dict[str, object] | None = None) -> None:
        """One administrator's change of one account, ledgered; sessions and tokens end with it when asked."""
        if not actor.has(Role.ADMINISTRATOR):
            raise Refused(f"only administrators {action} accounts")
        if actor.id == user_id and action in ("deactivate", "set roles of"):
            raise AccountError("administrators do not change their own account this way")
        with self._engine.begin() as conn:
            row = conn.execute(select(users).where(users.c.id == user_id)).first()
            if row is None or not row_holds(self._seal, "users", row):
                raise UnknownAccount(f"no user {user_id}")
            conn.execute(update(users).where(users.c.id == user_id).values(**values))
            reseal(conn, self._seal, users, users.c.id == user_id)
            ended = self._end_access(conn, user_id, action) if end_sessions else 0
            self._record(conn, actor.label, {"action": action.replace(" ", "_"), "id": user_id,
                                             "sessions_ended": ended, **(recorded or {})})

    def deactivate(self, actor: User, user_id: str) -> None:
        self._admin_change(actor, user_id, "deactivate", {"active": False}, end_sessions=True)

    def reactivate(self, actor: User, user_id: str) -> None:
        row = self._row(users.c.id == user_id)
        if row is not None and row.grant_approved_by is None:
            raise AccountError("this account's roles await a second person's approval (user grant), not reactivation")
        self._admin_change(actor, user_id, "reactivate", {"active": True}, end_sessions=False)

    def unlock(self, actor: User, user_id: str) -> None:
        self._admin_change(actor, user_id, "unlock", {"locked_at": None, "failed_logins": 0}, end_sessions=False)

    def reset_mfa(self, actor: User, user_id: str) -> None:
        """A lost authenticator and lost recovery codes: the user enrols again at the next sign-in."""
        self._admin_change(actor, user_id, "reset second factor of",
                           {"totp_secret": None, "totp_enabled_at": None, "totp_last_step": None},
                           end_sessions=True)
        with self._engine.begin() as conn:
            conn.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))

    def set_roles(self, actor: User, user_id: str, roles: set[Role]) -> None:
        """Removing roles takes effect at once; adding any waits for a second person (user grant), the account
        inactive meanwhile. Every session and token of the account ends either way."""
        User(user_id, "x", "x", "x", frozenset(roles))  # the domain's rules on role combinations
        current = self._row(users.c.id == user_id)
        if current is None:
            raise UnknownAccount(f"no user {user_id}")
        adds = {r.value for r in roles} - set(current.roles.split(","))
        values: dict[str, object] = {"roles": ",".join(sorted(r.value for r in roles))}
        waits = bool(adds) and self._approver_exists()
        if waits:
            values.update(active=False, grant_approved_by=None, created_by=actor.id)
        # the roles themselves are ledgered: ``audit reconcile`` compares each account's row with the ledger's last word
        self._admin_change(actor, user_id, "set roles of", values, end_sessions=True,
                           recorded={"roles": sorted(r.value for r in roles),
                                     "awaiting_approval": sorted(adds) if waits else []})

    def change_password(self, user: User, old: str, new: str) -> None:
        """By the user, knowing the old one; every session and token ends (sign in again)."""
        self.verify_password(user.username, old)
        _check_password(new)
        with self._engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == user.id).values(password_hash=_HASHER.hash(new)))
            ended = self._end_access(conn, user.id, "password change")
            self._record(conn, user.label, {"action": "password_change", "id": user.id, "sessions_ended": ended})

    def _end_access(self, conn: Connection, user_id: str, reason: str) -> int:
        n = self.sessions.end_all(conn, user_id, reason)
        conn.execute(update(api_tokens).where(api_tokens.c.user_id == user_id, api_tokens.c.revoked.is_(False))
                     .values(revoked=True))
        reseal(conn, self._seal, api_tokens, api_tokens.c.user_id == user_id)
        return n

    def _row(self, where: object) -> Any:
        """The account's row if it is genuine (its seal holds), else None: a row made or changed outside
        platewarden (roles granted, an account activated by a database writer) is no account."""
        with self._engine.connect() as conn:
            row = conn.execute(select(users).where(where)).first()  # type: ignore[arg-type]
        if row is not None and not row_holds(self._seal, "users", row):
            log.error("account row %s fails its seal: ignored (platewarden audit reconcile)", row.id)
            return None
        return row

    def get(self, user_id: str) -> User:
        """Any account, active or not (ledger labels, approvers of earlier decisions)."""
        row = self._row(users.c.id == user_id)
        if row is None:
            raise UnknownAccount(f"no user {user_id}")
        return _user(row)

    def get_active(self, user_id: str) -> User:
        """An account that may act now: active and not locked; AuthError otherwise."""
        row = self._row(users.c.id == user_id)
        if row is None or not row.active or row.locked_at is not None:
            raise AuthError("the account is not active")
        if not self._borne_out(row):
            raise AuthError("the account's roles are not what the signed ledger records (platewarden audit reconcile)")
        return _user(row)

    def _borne_out(self, row: Any) -> bool:
        return self._last_word is None or self._last_word.bears_out("users", dict(row._mapping))

    def by_username(self, username: str) -> User:
        row = self._row(users.c.username == username)
        if row is None:
            raise UnknownAccount(f"no user {username!r}")
        return _user(row)

    def all(self, actor: User) -> list[Account]:
        if not actor.has(Role.ADMINISTRATOR):
            raise Refused("only administrators list accounts")
        with self._engine.connect() as conn:
            return [Account(_user(r), r.active, r.locked_at is not None, r.totp_enabled_at is not None, r.created_at)
                    for r in conn.execute(select(users).order_by(users.c.username))
                    if row_holds(self._seal, "users", r)]

    # --- signing in ---

    def needs_mfa(self, user: User) -> bool:
        return bool(user.roles & set(self._policy.mfa_roles))

    def sign_in(self, username: str, password: str, code: str | None = None, address: str = "unknown") -> SignIn:
        """Password, then (where the roles need one and it is enrolled) a TOTP or recovery code. Throttled per
        address and per account; every failure ledgered; too many in a row lock the account."""
        now = self._clock.now()
        ref = self._address_ref(address)
        self._check_address(ref, now)
        row = self._row(users.c.username == username)
        if row is None or not row.active:
            _HASHER.hash(password)  # same work either way: no timing hint that the name exists
            self._failed(None, username, ref, now, "unknown or inactive account")
            raise AuthError("wrong username, password or code")
        if self._signs_in_elsewhere(row.id):  # its password is random and never shown: refused, not counted
            self._failed(None, username, ref, now, "password sign-in of a single sign-on account")
            raise AuthError("this account signs in through the identity provider")
        if not self._borne_out(row):
            _HASHER.hash(password)
            self._failed(row.id, username, ref, now, "the account's row is not what the signed ledger records")
            raise AuthError("wrong username, password or code")
        if row.locked_at is not None:
            self._failed(row.id, username, ref, now, "locked")
            raise Throttled("the account is locked after repeated failed sign-ins: an administrator unlocks it")
        wait = self._delay(row.failed_logins, row.last_failed_at, now)
        if wait:  # not even checked; counted against the address (one address guessing many accounts)
            with self._engine.begin() as conn:
                self._count_address(conn, ref, now)
            raise Throttled(f"too many failed sign-ins: try again in {int(wait.total_seconds()) + 1} s")
        try:
            _HASHER.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            self._failed(row.id, username, ref, now, "password")
            raise AuthError("wrong username, password or code") from None
        user = _user(row)
        pending = False
        if self.needs_mfa(user):
            if row.totp_enabled_at is None:
                pending = True
            elif not self._second_factor_ok(row, code or "", now):
                self._failed(row.id, username, ref, now, "second factor")
                raise AuthError("wrong username, password or code")
        with self._engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == row.id).values(failed_logins=0, last_failed_at=None))
            self._record(conn, user.label, {"action": "sign_in", "id": user.id, "address": ref,
                                            "second_factor": "pending" if pending else
                                            "yes" if row.totp_enabled_at else "not required"})
        return SignIn(user, pending)

    def _signs_in_elsewhere(self, user_id: str) -> bool:
        with self._engine.connect() as conn:
            return conn.execute(select(sso_links.c.user_id).where(sso_links.c.user_id == user_id)).first() is not None

    # --- for single sign-on (governance/single_sign_on.py), which vouches for the person itself ---

    def check_address(self, address: str) -> None:
        """Throttled if this address failed too often this hour."""
        self._check_address(self._address_ref(address), self._clock.now())

    def record_failed_sign_in(self, user_id: str | None, username: str, address: str, why: str,
                              count_account: bool = True) -> None:
        """A refused sign-in, ledgered and counted against the address (and the account, where asked)."""
        self._failed(user_id if count_account else None, username, self._address_ref(address), self._clock.now(),
                     why)

    def record_sign_in(self, user: User, address: str, method: str, second_factor: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == user.id).values(failed_logins=0, last_failed_at=None))
            self._record(conn, user.label, {"action": "sign_in", "id": user.id, "address": self._address_ref(address),
                                            "method": method, "second_factor": second_factor})

    def record_change(self, conn: Connection, actor: str, body: dict[str, object]) -> None:
        self._record(conn, actor, body)

    @staticmethod
    def unusable_password_hash() -> str:
        """The hash of a random password nobody is ever shown: the account has no password that works."""
        return _HASHER.hash(secrets.token_urlsafe(48))

    def sync_external_roles(self, user_id: str, roles: frozenset[Role], source: str) -> None:
        """Roles as an identity provider's groups now give them: removals take effect at once; additions make the
        account wait for a second person again (inactive meanwhile). Either way every session and token ends."""
        with self._engine.begin() as conn:
            row = conn.execute(select(users).where(users.c.id == user_id)).first()
            if row is None or not row_holds(self._seal, "users", row):
                raise UnknownAccount(f"no user {user_id}")
            current = {x for x in row.roles.split(",") if x}
            values: dict[str, object] = {"roles": ",".join(sorted(r.value for r in roles))}
            added = {r.value for r in roles} - current
            if added:
                values.update(active=False, grant_approved_by=None, created_by=None)
            conn.execute(update(users).where(users.c.id == user_id).values(**values))
            reseal(conn, self._seal, users, users.c.id == user_id)
            ended = self._end_access(conn, user_id, f"roles changed ({source})")
            self._record(conn, source, {"action": "set_roles_of", "id": user_id,
                                        "roles": sorted(r.value for r in roles),
                                        "removed": sorted(current - {r.value for r in roles}),
                                        "awaiting_approval": sorted(added), "sessions_ended": ended})

    def verify_password(self, username: str, password: str) -> None:
        with self._engine.connect() as conn:
            row = conn.execute(select(users.c.password_hash).where(users.c.username == username)).first()
        try:
            if row is None:
                raise VerificationError
            _HASHER.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise AuthError("wrong password") from None

    def _second_factor_ok(self, row: object, code: str, now: datetime) -> bool:
        r = row
        secret = unseal(self._key, r.totp_secret, f"totp|{r.id}".encode()).decode()  # type: ignore[attr-defined]
        step = accepted_step(secret, code, now, r.totp_last_step)  # type: ignore[attr-defined]
        with self._engine.begin() as conn:
            if step is not None:
                return bool(conn.execute(update(users).where(  # one winner if the same code arrives twice at once
                    users.c.id == r.id,  # type: ignore[attr-defined]
                    (users.c.totp_last_step.is_(None)) | (users.c.totp_last_step < step)).values(
                    totp_last_step=step)).rowcount)
            used = conn.execute(update(recovery_codes).where(
                recovery_codes.c.user_id == r.id,  # type: ignore[attr-defined]
                recovery_codes.c.code_hash == recovery_hash(code), recovery_codes.c.used_at.is_(None))
                .values(used_at=now)).rowcount
            if used:
                self._record(conn, "system", {"action": "recovery_code_used", "id": r.id})  # type: ignore[attr-defined]
            return bool(used)

    def _delay(self, failures: int, last: datetime | None, now: datetime) -> timedelta | None:
        over = failures - self._policy.login_delay_after
        if over < 0 or last is None:
            return None
        wait = min(MAX_DELAY, timedelta(seconds=2 ** over))
        return wait - (now - last) if now - last < wait else None

    def _count_address(self, conn: Connection, ref: str, now: datetime) -> None:
        rate_counts.add(conn, "sign_in_failed", ref, now.replace(minute=0, second=0, microsecond=0))

    def _failed(self, user_id: str | None, username: str, ref: str, now: datetime, why: str) -> None:
        with self._engine.begin() as conn:
            self._count_address(conn, ref, now)
            body: dict[str, object] = {"action": "sign_in_failed", "address": ref, "failed": why}
            if user_id is None:  # a name that is no account may be a password typed in the wrong field: a digest
                body["username_digest"] = hashlib.sha256(username.encode("utf-8", "replace")).hexdigest()[:16]
            else:
                body["id"] = user_id
                n = conn.execute(select(users.c.failed_logins).where(users.c.id == user_id)).scalar_one() + 1
                conn.execute(update(users).where(users.c.id == user_id).values(failed_logins=n, last_failed_at=now))
                if n >= self._policy.lockout_after and why != "locked":
                    conn.execute(update(users).where(users.c.id == user_id, users.c.locked_at.is_(None))
                                 .values(locked_at=now))
                    body["locked"] = True
                    body["sessions_ended"] = self._end_access(conn, user_id, "locked")
            self._record(conn, "public", body)

    def _check_address(self, ref: str, now: datetime) -> None:
        with self._engine.connect() as conn:
            n = rate_counts.current(conn, "sign_in_failed", ref, now.replace(minute=0, second=0, microsecond=0))
        if n >= self._policy.address_failures_per_hour:
            raise Throttled("too many failed sign-ins from this address: try again next hour")

    def _address_ref(self, address: str) -> str:
        """Addresses are personal data too: kept and ledgered as a keyed reference, enough to count and compare."""
        return hmac.new(self._key, f"address|{address}".encode(), hashlib.sha256).hexdigest()[:32]

    # --- the second factor ---

    def start_mfa(self, user: User) -> str:
        """A new secret for the user (replacing one not yet confirmed); returns the otpauth:// URI to scan."""
        with self._engine.connect() as conn:
            enabled = conn.execute(select(users.c.totp_enabled_at).where(users.c.id == user.id)).scalar()
        if enabled is not None:
            raise AccountError("a second factor is already enrolled (an administrator resets a lost one)")
        secret = new_secret()
        with self._engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == user.id).values(
                totp_secret=seal(self._key, secret.encode(), f"totp|{user.id}".encode()), totp_last_step=None))
        return provisioning_uri(secret, user.username, self._agency)

    def confirm_mfa(self, user: User, code: str) -> list[str]:
        """The first code from the authenticator confirms the enrolment; returns the recovery codes (shown once)."""
        now = self._clock.now()
        with self._engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.id == user.id)).first()
        if row is None or row.totp_secret is None:
            raise AccountError("start the enrolment first")
        if row.totp_enabled_at is not None:
            raise AccountError("a second factor is already enrolled")
        secret = unseal(self._key, row.totp_secret, f"totp|{user.id}".encode()).decode()
        step = accepted_step(secret, code, now, None)
        if step is None:
            raise AuthError("that code does not match: check the authenticator's clock and try the next code")
        codes = new_recovery_codes()
        with self._engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == user.id).values(totp_enabled_at=now, totp_last_step=step))
            conn.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user.id))
            conn.execute(insert(recovery_codes), [{"code_hash": recovery_hash(c), "user_id": user.id,
                                                   "created_at": now} for c in codes])
            self._record(conn, user.label, {"action": "second_factor_enrolled", "id": user.id})
        return codes

    def mfa_enrolled(self, user_id: str) -> bool:
        with self._engine.connect() as conn:
            return conn.execute(select(users.c.totp_enabled_at).where(users.c.id == user_id)).scalar() is not None

    # --- API tokens ---

    def issue_token(self, user: User, label: str, days: int | None = None) -> str:
        """A bearer token for ``user``, expiring after ``days`` (at most the policy's); shown once."""
        days = self._policy.token_days if days is None else days
        if not 1 <= days <= self._policy.token_days:
            raise AccountError(f"tokens live 1 to {self._policy.token_days} days")
        token = "pw_" + secrets.token_urlsafe(32)
        now = self._clock.now()
        digest = hashlib.sha256(token.encode()).digest()
        with self._engine.begin() as conn:
            conn.execute(insert(api_tokens).values(token_hash=digest, user_id=user.id, label=label[:120],
                                                   created_at=now, revoked=False,
                                                   expires_at=now + timedelta(days=days)))
            reseal(conn, self._seal, api_tokens, api_tokens.c.token_hash == digest)
            self._record(conn, user.label, {"action": "token_issued", "id": user.id, "token": _token_id(digest),
                                            "days": days})
        return token

    def authenticate_token(self, token: str) -> User:
        now = self._clock.now()
        with self._engine.connect() as conn:
            row = conn.execute(select(api_tokens).where(
                api_tokens.c.token_hash == hashlib.sha256(token.encode()).digest())).first()
        if row is None or row.revoked or row.expires_at is None or row.expires_at <= now \
                or not row_holds(self._seal, "api_tokens", row):
            raise AuthError("invalid, expired or revoked token")
        return self.get_active(row.user_id)

    def tokens(self, actor: User, user_id: str | None = None) -> list[TokenInfo]:
        """The actor's own tokens; an administrator may list anyone's."""
        whose = user_id or actor.id
        if whose != actor.id and not actor.has(Role.ADMINISTRATOR):
            raise Refused("only administrators list other people's tokens")
        with self._engine.connect() as conn:
            return [TokenInfo(_token_id(r.token_hash), r.user_id, r.label, r.created_at, r.expires_at, r.revoked)
                    for r in conn.execute(select(api_tokens).where(api_tokens.c.user_id == whose)
                                          .order_by(api_tokens.c.created_at))]

    def revoke_token(self, actor: User, token_id: str) -> None:
        """Revoke one token by its id (its owner, or an administrator)."""
        token_id = token_id.strip().lower()
        if len(token_id) != 12 or any(c not in "0123456789abcdef" for c in token_id):
            raise AccountError("a token id is 12 hexadecimal digits (platewarden user token --list)")
        with self._engine.begin() as conn:
            rows = [r for r in conn.execute(select(api_tokens.c.token_hash, api_tokens.c.user_id))
                    if _token_id(r.token_hash) == token_id]
            if not rows:
                raise UnknownAccount(f"no token {token_id}")
            r = rows[0]
            if r.user_id != actor.id and not actor.has(Role.ADMINISTRATOR):
                raise Refused("only its owner or an administrator revokes a token")
            conn.execute(update(api_tokens).where(api_tokens.c.token_hash == r.token_hash).values(revoked=True))
            reseal(conn, self._seal, api_tokens, api_tokens.c.token_hash == r.token_hash)
            self._record(conn, actor.label, {"action": "token_revoked", "id": r.user_id, "token": token_id})

    def _record(self, conn: Connection, actor: str, body: dict[str, object]) -> None:
        self._ledger.append([Event(EventKind.ACCOUNT_CHANGE, self._clock.now(), actor, body)], conn=conn)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"passwords need at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise AccountError("passwords have at most 1024 characters")
