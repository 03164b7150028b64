"""Single sign-on against a real OpenID Connect provider started by the test (oidc-provider-mock, itself built on
Authlib's server): the authorization code flow end to end through the console, and the attacks it must stop — a
provider group that is not a role, a password-only sign-in at the provider, a link forged in the database, a
callback with someone else's state, a code used twice, a password guessed for an account that has none."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from platewarden.config import Settings
from platewarden.domain.clock import ManualClock
from platewarden.governance.accounts import AuthError, UnknownAccount
from platewarden.governance.single_sign_on import IdentityAssertion, SsoRefused, roles_for
from platewarden.policy import load_policy
from platewarden.policy.loader import PolicyError
from platewarden.policy.model import Role, SsoPolicy
from platewarden.runtime import Platform
from platewarden.server import create_app
from platewarden.store.schema import ledger_entries, sso_links, users
from platewarden.web.sso import SsoUnavailable
from tests.factories import PASSWORD, people

oidc_provider_mock = pytest.importorskip("oidc_provider_mock")

GROUPS = {"officer": ["alpr-officers"], "auditor": ["alpr-auditors"], "department_head": ["alpr-heads"],
          "administrator": ["it-admins"]}
CALLBACK = "http://testserver/login/sso/callback"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with oidc_provider_mock.run_server_in_thread(require_nonce=True, require_client_registration=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def sso_platform(db_url: str, tmp_path: Path, provider: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Platform]:
    """A platform whose policy trusts the provider, with platewarden registered there as a confidential client."""
    r = httpx.post(f"{provider}/oauth2/clients", json={"redirect_uris": [CALLBACK]})
    assert r.status_code == 201, r.text
    monkeypatch.setenv("PLATEWARDEN_OIDC_CLIENT_SECRET", r.json()["client_secret"])
    policy = tmp_path / "policy.yaml"
    policy.write_text(json.dumps({"accounts": {"sso": {"issuer": provider, "client_id": r.json()["client_id"],
                                                       "display_name": "City Police SSO", "role_groups": GROUPS}}}))
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))  # the provider signs with the real time
    p = Platform.open(Settings(data_dir=tmp_path / "data", database_url=db_url, policy_file=policy), clock=clock,
                      notify=False)
    try:
        yield p
    finally:
        p.close()


def at_provider(provider: str, sub: str, **claims: object) -> None:
    """The person as the agency's identity provider knows them (its directory entry)."""
    r = httpx.put(f"{provider}/users/{quote(sub)}", json=claims)
    assert r.status_code == 204, r.text


def sso_flow(client: TestClient, sub: str) -> httpx.Response:
    """Click 'Sign in with ...', sign in at the provider as ``sub``, come back; returns the console's answer."""
    start = client.get("/login/sso", follow_redirects=False)
    assert start.status_code in (302, 303, 307), start.text
    authorize = start.headers["location"]
    assert "code_challenge=" in authorize and "nonce=" in authorize and "state=" in authorize
    answer = httpx.post(authorize, data={"sub": sub}, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    return client.get(answer.headers["location"], follow_redirects=False)


def flash(client: TestClient) -> str:
    return client.get("/login").text


def events(p: Platform) -> list[dict]:  # type: ignore[type-arg]
    with p.engine.connect() as conn:
        return [json.loads(e)["body"] for e in conn.scalars(select(ledger_entries.c.entry).where(
            ledger_entries.c.kind == "account_change").order_by(ledger_entries.c.seq))]


def console(p: Platform) -> TestClient:
    return TestClient(create_app(p, session_secret="s", https_only=False))


def test_first_sign_in_waits_for_a_second_person_then_works(sso_platform: Platform, provider: str) -> None:
    p, who = sso_platform, people(sso_platform)
    at_provider(provider, "u-1001", preferred_username="jdoe", name="Jane Doe", groups=["alpr-officers", "staff"],
                amr=["pwd", "otp"])
    c = console(p)
    assert "Sign in with City Police SSO" in c.get("/login").text
    r = sso_flow(c, "u-1001")
    assert r.headers["location"] == "/login"
    assert "wait for a department head" in flash(c)
    jdoe = p.accounts.by_username("jdoe")
    assert jdoe.roles == {Role.OFFICER}
    assert c.get("/searches", follow_redirects=False).headers["location"] == "/login"  # no session was opened
    p.accounts.approve_grant(who["head"], jdoe.id)
    r = sso_flow(c, "u-1001")
    assert r.headers["location"] == "/"
    assert c.get("/searches").status_code == 200
    body = events(p)
    assert any(e["action"] == "create" and e.get("via") == "single sign-on" for e in body)
    assert any(e["action"] == "sign_in" and e.get("method") == "sso" for e in body)
    # the account has no password that works: guessing one is refused and never locks it
    with pytest.raises(AuthError):
        p.accounts.sign_in("jdoe", PASSWORD)
    assert sso_flow(console(p), "u-1001").headers["location"] == "/"


def test_a_password_only_sign_in_at_the_provider_is_refused(sso_platform: Platform, provider: str) -> None:
    p = sso_platform
    people(p)
    at_provider(provider, "u-2002", preferred_username="pwonly", groups=["alpr-officers"], amr=["pwd"])
    c = console(p)
    assert sso_flow(c, "u-2002").headers["location"] == "/login"
    assert "did not assert a second factor" in flash(c)
    with pytest.raises(UnknownAccount):
        p.accounts.by_username("pwonly")  # nothing was created
    assert any(e.get("failed") == "sso: no second factor" for e in events(p))


def test_groups_that_give_no_role_are_refused(sso_platform: Platform, provider: str) -> None:
    p = sso_platform
    at_provider(provider, "u-3003", preferred_username="visitor", groups=["staff", "ALPR-OFFICERS"], amr=["otp"])
    c = console(p)
    assert sso_flow(c, "u-3003").headers["location"] == "/login"
    assert "none of your groups" in flash(c)
    with p.engine.connect() as conn:
        assert conn.execute(select(sso_links)).first() is None


def test_groups_are_followed_removal_at_once_addition_after_approval(sso_platform: Platform, provider: str) -> None:
    p, who = sso_platform, people(sso_platform)
    at_provider(provider, "u-4004", preferred_username="mixed", groups=["alpr-officers", "alpr-auditors"],
                amr=["hwk"])
    c = console(p)
    sso_flow(c, "u-4004")
    p.accounts.approve_grant(who["head"], p.accounts.by_username("mixed").id)
    assert sso_flow(c, "u-4004").headers["location"] == "/"
    # the provider takes the auditor group away: the role goes at the next sign-in, and the old session with it
    at_provider(provider, "u-4004", preferred_username="mixed", groups=["alpr-officers"], amr=["hwk"])
    second = console(p)
    assert sso_flow(second, "u-4004").headers["location"] == "/"
    assert p.accounts.by_username("mixed").roles == {Role.OFFICER}
    assert c.get("/searches", follow_redirects=False).headers["location"] == "/login"
    # the provider adds the head group: the account waits for a second person again, its sessions end
    at_provider(provider, "u-4004", preferred_username="mixed", groups=["alpr-officers", "alpr-heads"], amr=["hwk"])
    third = console(p)
    assert sso_flow(third, "u-4004").headers["location"] == "/login"
    assert "new roles" in flash(third)
    assert second.get("/searches", follow_redirects=False).headers["location"] == "/login"
    with pytest.raises(AuthError):
        p.accounts.get_active(p.accounts.by_username("mixed").id)
    assert p.accounts.by_username("mixed").id in {a.user.id for a in p.accounts.awaiting_grant(who["head"])}


def test_a_link_forged_in_the_database_signs_nobody_in(sso_platform: Platform, provider: str) -> None:
    """A database writer links their own provider identity to the department head's account."""
    p, who = sso_platform, people(sso_platform)
    at_provider(provider, "attacker", preferred_username="mallory", groups=["alpr-officers"], amr=["otp"])
    with p.engine.begin() as conn:
        conn.execute(insert(sso_links).values(issuer=provider, subject="attacker", user_id=who["head"].id,
                                              created_at=p.clock.now(), seal=b"\0" * 32))
    c = console(p)
    assert sso_flow(c, "attacker").headers["location"] == "/login"
    assert "fails its seal" in flash(c)
    assert c.get("/approvals", follow_redirects=False).headers["location"] == "/login"


def test_someone_elses_state_and_a_reused_code_are_refused(sso_platform: Platform, provider: str) -> None:
    p, who = sso_platform, people(sso_platform)
    at_provider(provider, "u-5005", preferred_username="victim", groups=["alpr-officers"], amr=["otp"])
    victim = console(p)
    sso_flow(victim, "u-5005")
    p.accounts.approve_grant(who["head"], p.accounts.by_username("victim").id)
    # login CSRF: the attacker starts a flow and sends the victim's browser to its callback
    attacker = console(p)
    start = attacker.get("/login/sso", follow_redirects=False)
    answer = httpx.post(start.headers["location"], data={"sub": "u-5005"}, follow_redirects=False)
    stranger = console(p)
    assert stranger.get(answer.headers["location"], follow_redirects=False).headers["location"] == "/login"
    assert "could not be verified" in flash(stranger)
    # the attacker's own browser completes; the same callback again (a code replayed) is refused
    assert attacker.get(answer.headers["location"], follow_redirects=False).headers["location"] == "/"
    replay = attacker.get(answer.headers["location"], follow_redirects=False)
    assert replay.headers["location"] == "/login"
    assert sum(1 for e in events(p) if str(e.get("failed", "")).startswith("sso:")) >= 2


def test_governance_refuses_a_stale_or_foreign_assertion(sso_platform: Platform, provider: str) -> None:
    p = sso_platform
    now = p.clock.now()
    claim = IdentityAssertion(provider, "u-6006", "late", "", frozenset({"alpr-officers"}), frozenset({"otp"}),
                              now - timedelta(minutes=30), None)
    with pytest.raises(SsoRefused, match="too old"):
        p.sso.sign_in(claim)
    with pytest.raises(SsoRefused, match="another provider"):
        p.sso.sign_in(IdentityAssertion("https://evil.example", "u-6006", "late", "", frozenset({"alpr-officers"}),
                                        frozenset({"otp"}), now, None))
    with pytest.raises(SsoRefused, match="may not be held together"):  # administrator beside a data role
        p.sso.sign_in(IdentityAssertion(provider, "u-6007", "both", "", frozenset({"alpr-officers", "it-admins"}),
                                        frozenset({"otp"}), now, None))
    with p.engine.connect() as conn:
        assert conn.execute(select(users).where(users.c.username.in_(["late", "both"]))).first() is None


def test_role_mapping_and_policy_validation(tmp_path: Path) -> None:
    mapping = {Role.OFFICER: ["a", "b"], Role.AUDITOR: ["c"]}
    assert roles_for(["b", "x"], mapping) == {Role.OFFICER}
    assert roles_for(["B"], mapping) == frozenset()  # exact names only
    with pytest.raises(ValueError, match="https"):
        SsoPolicy(issuer="http://idp.example.org", client_id="x", role_groups=mapping)
    assert SsoPolicy(issuer="https://idp.example.org/", client_id="x", role_groups=mapping).issuer \
        == "https://idp.example.org"
    bad = tmp_path / "p.yaml"
    bad.write_text("accounts:\n  sso:\n    issuer: https://idp.example.org\n    client_id: x\n"
                   "    role_groups: {chief: [a]}\n")
    with pytest.raises(PolicyError, match="role_groups"):
        load_policy(bad)


def test_a_wrong_client_secret_signs_nobody_in(sso_platform: Platform, provider: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The code exchange is authenticated: a secret that is not the registered client's gets no token."""
    monkeypatch.setenv("PLATEWARDEN_OIDC_CLIENT_SECRET", "not-the-secret")
    people(sso_platform)
    at_provider(provider, "u-7007", preferred_username="wrongsecret", groups=["alpr-officers"], amr=["otp"])
    c = console(sso_platform)
    assert sso_flow(c, "u-7007").headers["location"] == "/login"
    assert "could not be verified" in flash(c)


def test_sso_without_a_client_secret_refuses_to_start(sso_platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLATEWARDEN_OIDC_CLIENT_SECRET")
    with pytest.raises(SsoUnavailable, match="PLATEWARDEN_OIDC_CLIENT_SECRET"):
        create_app(sso_platform, session_secret="s")


def test_without_sso_in_the_policy_the_routes_say_so(platform: Platform) -> None:
    c = console(platform)
    assert "Sign in with" not in c.get("/login").text
    assert c.get("/login/sso", follow_redirects=False).headers["location"] == "/login"
    assert "not set up" in flash(c)
