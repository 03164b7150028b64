"""Single sign-on: what platewarden makes of a person the agency's OpenID Connect provider vouches for.

The adapter (``web/sso.py``) runs the authorization code flow with a maintained client (Authlib), which checks the ID
token's signature against the provider's keys, its issuer, audience, expiry and nonce. What reaches this module is
the verified assertion; here it becomes an account, or a refusal:

- The person is found by (issuer, subject), never by the username the provider asserts: a username can be
  reassigned at the provider, a subject cannot. Links are sealed: a link written into the database links nothing.
- Groups map to roles through the policy (``accounts.sso.role_groups``). A first sign-in creates the account
  inactive; its roles wait for a second person (a department head or the ethics board), as when an administrator
  grants them. Roles the groups no longer give end at the next sign-in; roles they newly give wait for approval again.
- Where the roles need a second factor, the provider must assert one (RFC 8176 ``amr``): a password-only sign-in at
  the provider is refused, as it would be here.
- An assertion older than the policy allows is refused, and every refusal is ledgered and throttled like a failed
  password (no name, only a digest where no account is known).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from platewarden.domain.clock import Clock
from platewarden.domain.users import User
from platewarden.governance.accounts import Accounts, AuthError
from platewarden.policy.model import AccountPolicy, Role, SsoPolicy
from platewarden.store.resealing import reseal
from platewarden.store.schema import sso_links, users
from platewarden.store.seals import RecordSeal, row_holds

log = logging.getLogger(__name__)


class SsoRefused(AuthError):
    """The provider vouched for someone platewarden will not let in (no role, no second factor, stale, inactive)."""


class AwaitingApproval(SsoRefused):
    """The account exists, but roles the provider's groups give still wait for a second person's approval."""


@dataclass(frozen=True)
class IdentityAssertion:
    """What a verified ID token says of the person (signature, issuer, audience, expiry and nonce already checked)."""

    issuer: str
    subject: str
    username: str
    full_name: str
    groups: frozenset[str]
    amr: frozenset[str]  # authentication methods the provider used (RFC 8176)
    issued_at: datetime
    auth_time: datetime | None


def roles_for(groups: Iterable[str], role_groups: Mapping[Role, list[str]]) -> frozenset[Role]:
    """The roles a person's groups give under the policy's mapping (exact, case-sensitive group names)."""
    have = set(groups)
    return frozenset(role for role, names in role_groups.items() if have & set(names))


def _valid_username(name: str) -> bool:
    return (0 < len(name) <= 80 and name.isascii()
            and name.replace(".", "").replace("-", "").replace("_", "").replace("@", "").isalnum())


class SingleSignOn:
    def __init__(self, engine: Engine, clock: Clock, accounts: Accounts, policy: AccountPolicy, seal: RecordSeal,
                 agency: str) -> None:
        self._engine = engine
        self._clock = clock
        self._accounts = accounts
        self._policy = policy
        self._seal = seal
        self._agency = agency

    @property
    def settings(self) -> SsoPolicy | None:
        return self._policy.sso

    def sign_in(self, claim: IdentityAssertion, address: str = "unknown") -> User:
        """The account the assertion signs in, its roles brought in line with the groups; raises SsoRefused (and
        AwaitingApproval while roles wait for a second person). Every outcome is ledgered."""
        sso = self._policy.sso
        if sso is None:
            raise SsoRefused("single sign-on is not set up (accounts.sso in the policy)")
        self._accounts.check_address(address)
        now = self._clock.now()
        name = claim.username or claim.subject

        def refuse(why: str, message: str, user_id: str | None = None) -> SsoRefused:
            self._accounts.record_failed_sign_in(user_id, name, address, f"sso: {why}", count_account=False)
            return SsoRefused(message)

        if claim.issuer != sso.issuer:
            raise refuse("issuer", "the identity token comes from another provider")
        oldest = now - timedelta(minutes=sso.max_auth_age_minutes)
        if claim.issued_at < oldest or (claim.auth_time is not None and claim.auth_time < oldest):
            raise refuse("stale", "that sign-in at the identity provider is too old: sign in again")
        roles = roles_for(claim.groups, sso.role_groups)
        if not roles:
            raise refuse("no role", "none of your groups at the identity provider gives a platewarden role")
        try:
            User("-", "-", "-", "-", roles)  # the domain's rules on role combinations
        except ValueError as exc:
            raise refuse("roles", f"your groups give roles that may not be held together: {exc}") from None
        if roles & set(self._policy.mfa_roles) and not claim.amr & set(sso.mfa_amr):
            raise refuse("no second factor", "the identity provider did not assert a second factor, which your "
                                             "roles need: sign in there with one")
        row = self._linked_account(claim.issuer, claim.subject)
        if row is None:
            user_id = self._provision(claim, roles, name)
            raise AwaitingApproval("your account was created; its roles wait for a department head or the ethics "
                                   "board to approve them")
        user_id = row.id
        if row.locked_at is not None:
            raise refuse("locked", "the account is locked: an administrator unlocks it", user_id)
        if not row.active and row.grant_approved_by is not None:
            raise refuse("inactive", "the account is deactivated", user_id)
        current = frozenset(Role(x) for x in row.roles.split(",") if x)
        if roles != current:
            self._accounts.sync_external_roles(user_id, roles, "sso")
            if roles - current:
                raise AwaitingApproval("your groups at the identity provider give you new roles; they wait for a "
                                       "department head or the ethics board to approve them")
        elif row.grant_approved_by is None:
            raise AwaitingApproval("your account's roles still wait for a department head or the ethics board")
        user = self._accounts.get_active(user_id)
        self._accounts.record_sign_in(user, address, "sso", "asserted by the provider"
                                      if claim.amr & set(sso.mfa_amr) else "not required")
        return user

    def _linked_account(self, issuer: str, subject: str) -> Any:
        with self._engine.connect() as conn:
            link = conn.execute(select(sso_links).where(sso_links.c.issuer == issuer,
                                                        sso_links.c.subject == subject)).first()
            if link is None:
                return None
            if not row_holds(self._seal, "sso_links", link):
                log.error("single sign-on link for user %s fails its seal: ignored (platewarden audit reconcile)",
                          link.user_id)
                raise SsoRefused("this identity's link to an account fails its seal: an administrator must look")
            row = conn.execute(select(users).where(users.c.id == link.user_id)).first()
        if row is None or not row_holds(self._seal, "users", row):
            raise SsoRefused("the linked account fails its seal: an administrator must look")
        return row

    def _provision(self, claim: IdentityAssertion, roles: frozenset[Role], name: str) -> str:
        """A new account for the provider's person: inactive, its roles awaiting a second person, no usable
        password (it signs in only through the provider), linked by (issuer, subject). Ledgered."""
        if not _valid_username(claim.username):
            raise SsoRefused("the identity provider's username is not usable here (up to 80 letters, digits, "
                             "'.', '-', '_', '@')")
        user_id = str(uuid.uuid4())
        now = self._clock.now()
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(users).values(
                    id=user_id, username=claim.username, full_name=(claim.full_name or claim.username)[:200],
                    organisation=self._agency, roles=",".join(sorted(r.value for r in roles)),
                    password_hash=self._accounts.unusable_password_hash(), active=False, created_at=now,
                    created_by=None, grant_approved_by=None))
                reseal(conn, self._seal, users, users.c.id == user_id)
                conn.execute(insert(sso_links).values(issuer=claim.issuer, subject=claim.subject, user_id=user_id,
                                                      created_at=now))
                reseal(conn, self._seal, sso_links, (sso_links.c.issuer == claim.issuer)
                       & (sso_links.c.subject == claim.subject))
                self._accounts.record_change(conn, "sso", {
                    "action": "create", "id": user_id, "roles": sorted(r.value for r in roles),
                    "grant": "awaiting approval", "via": "single sign-on"})
        except IntegrityError:
            raise SsoRefused(f"the username {claim.username!r} belongs to an account that does not sign in "
                             "through the identity provider: an administrator resolves it") from None
        return user_id

    def is_linked(self, user_id: str) -> bool:
        with self._engine.connect() as conn:
            return conn.execute(select(sso_links.c.user_id).where(sso_links.c.user_id == user_id)).first() is not None
