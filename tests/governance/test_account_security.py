"""Accounts and sessions, written as the attacks they stop: a deactivated operator who keeps working, a cookie copied
before logout, forty guesses at a password, a replayed authenticator code, a token that never dies, a role change that
leaves old sessions running, files any local account can read."""

from __future__ import annotations

import json
import os
import stat
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from platewarden.config import Settings
from platewarden.domain.clock import ManualClock
from platewarden.governance.accounts import AuthError, Throttled
from platewarden.policy.model import Role
from platewarden.runtime import Platform
from platewarden.server import create_app
from platewarden.store.permissions import PermissionsError
from platewarden.store.schema import ledger_entries
from tests.factories import PASSWORD, console_sign_in, enrol_second_factor, fresh_code, people


def account_events(p: Platform) -> list[dict]:  # type: ignore[type-arg]
    with p.engine.connect() as conn:
        return [json.loads(e)["body"] for e in conn.scalars(select(ledger_entries.c.entry).where(
            ledger_entries.c.kind == "account_change").order_by(ledger_entries.c.seq))]


def client_for(p: Platform) -> TestClient:
    return TestClient(create_app(p, session_secret="s", https_only=False))


def api_sign_in(client: TestClient, p: Platform, clock: ManualClock, name: str, secret: str) -> str:
    r = client.post("/api/session", json={"username": name, "password": PASSWORD, "code": fresh_code(clock, secret)})
    assert r.status_code == 200, r.text
    return str(r.json()["csrf_token"])


def test_deactivation_ends_sessions_and_tokens_at_once(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    secret = enrol_second_factor(p, who["operator"])
    console, api = client_for(p), client_for(p)
    console_sign_in(console, p, clock, "operator", {"operator": secret})
    api_sign_in(api, p, clock, "operator", secret)
    token = p.accounts.issue_token(who["operator"], "tablet")
    assert console.get("/alerts").status_code == 200 and api.get("/api/alerts").status_code == 200
    p.accounts.deactivate(who["admin"], who["operator"].id)
    assert console.get("/alerts", follow_redirects=False).headers["location"] == "/login"
    assert api.get("/api/alerts").status_code == 401
    assert client_for(p).get("/api/alerts", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    p.accounts.reactivate(who["admin"], who["operator"].id)  # reactivation brings no session or token back
    assert api.get("/api/alerts").status_code == 401
    assert client_for(p).get("/api/alerts", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    actions = [e["action"] for e in account_events(p)]
    assert "deactivate" in actions and "reactivate" in actions
    with pytest.raises(PermissionError):
        p.accounts.deactivate(who["head"], who["operator"].id)  # administrators only


def test_a_cookie_copied_before_logout_is_worthless(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    secret = enrol_second_factor(p, who["officer"])
    client = client_for(p)
    csrf = api_sign_in(client, p, clock, "officer", secret)
    stolen = dict(client.cookies)
    assert client.delete("/api/session").status_code == 403  # logout needs the CSRF token too
    assert client.delete("/api/session", headers={"X-CSRF-Token": csrf}).status_code == 204
    thief = client_for(p)
    thief.cookies.update(stolen)
    assert thief.get("/api/searches").status_code == 401


def test_sessions_end_when_idle_or_old_and_on_role_or_password_change(platform: Platform,
                                                                      clock: ManualClock) -> None:
    p, who = platform, people(platform)
    secret = enrol_second_factor(p, who["officer"])
    client = client_for(p)
    api_sign_in(client, p, clock, "officer", secret)
    clock.advance(timedelta(minutes=p.policy.accounts.session_idle_minutes + 1))
    assert client.get("/api/searches").status_code == 401  # idle
    api_sign_in(client, p, clock, "officer", secret)
    for _ in range(p.policy.accounts.session_absolute_hours * 4):  # busy all day: still ends
        clock.advance(timedelta(minutes=15))
        client.get("/api/searches")
    assert client.get("/api/searches").status_code == 401
    api_sign_in(client, p, clock, "officer", secret)
    token = p.accounts.issue_token(who["officer"], "x")
    p.accounts.set_roles(who["admin"], who["officer"].id, {Role.OFFICER, Role.OPERATOR})
    assert client.get("/api/searches").status_code == 401
    with pytest.raises(AuthError):
        p.accounts.authenticate_token(token)
    p.accounts.approve_grant(who["head"], who["officer"].id)  # an added role waits for a second person
    csrf = api_sign_in(client, p, clock, "officer", secret)
    other = client_for(p)
    api_sign_in(other, p, clock, "officer", secret)
    r = client.post("/api/account/password", json={"old_password": PASSWORD, "new_password": "a new long passphrase"},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204
    assert other.get("/api/searches").status_code == 401  # every other session of the account too


def test_forty_wrong_passwords_lock_the_account(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    pol = p.policy.accounts
    refused_fast = 0
    for _ in range(40):
        try:
            p.accounts.sign_in("officer", "wrong password!", None, "198.51.100.7")
        except Throttled:
            refused_fast += 1  # a growing delay: not even checked
        except AuthError:
            pass
        clock.advance(timedelta(minutes=1))  # a patient attacker: one guess a minute
    assert refused_fast > 0
    with pytest.raises(Throttled, match="locked"):
        p.accounts.sign_in("officer", PASSWORD, None, "198.51.100.8")  # the right password, from elsewhere
    events = account_events(p)
    failures = [e for e in events if e["action"] == "sign_in_failed"]
    assert len(failures) >= pol.lockout_after and any(e.get("locked") for e in failures)
    assert all("wrong password" not in json.dumps(e) and "198.51.100" not in json.dumps(e) for e in events)
    p.accounts.unlock(who["admin"], who["officer"].id)
    enrol_second_factor(p, who["officer"])  # a new session needs the second factor (default policy)
    with pytest.raises(AuthError):
        p.accounts.sign_in("officer", PASSWORD, None, "198.51.100.8")  # the password alone is not enough


def test_one_address_guessing_many_accounts_is_stopped(platform: Platform, clock: ManualClock) -> None:
    p = platform
    people(p)
    names = ["officer", "officer2", "head", "head2", "prosecutor", "operator", "auditor", "nobody"]
    stopped = False
    for i in range(p.policy.accounts.address_failures_per_hour + 5):
        try:
            p.accounts.sign_in(names[i % len(names)], f"guess {i}", None, "203.0.113.9")
        except Throttled as exc:
            stopped = "address" in str(exc) or stopped
        except AuthError:
            pass
    assert stopped
    with pytest.raises(Throttled, match="address"):
        p.accounts.sign_in("auditor", PASSWORD, None, "203.0.113.9")
    clock.advance(timedelta(hours=1))
    assert p.accounts.sign_in("auditor", PASSWORD, None, "203.0.113.9").mfa_pending  # the next hour: allowed


def test_second_factor_codes_work_once(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    first = p.accounts.sign_in("prosecutor", PASSWORD, None, "10.0.0.1")
    assert first.mfa_pending  # signed in to enrol, nothing else
    client = client_for(p)
    r = client.post("/api/session", json={"username": "prosecutor", "password": PASSWORD})
    assert r.json()["second_factor"] == "enrol"
    csrf = r.json()["csrf_token"]
    assert client.get("/api/searches").status_code == 403  # not before the second factor is enrolled
    uri = client.post("/api/account/mfa", headers={"X-CSRF-Token": csrf}).json()["otpauth_uri"]
    secret = pyotp.parse_uri(uri).secret
    bad = client.post("/api/account/mfa/confirm", json={"code": "000000"}, headers={"X-CSRF-Token": csrf})
    assert bad.status_code == 401
    r = client.post("/api/account/mfa/confirm", json={"code": pyotp.TOTP(secret).at(clock.now())},
                    headers={"X-CSRF-Token": csrf})
    codes = r.json()["recovery_codes"]
    assert len(codes) == 10 and client.get("/api/searches").status_code == 200
    code = fresh_code(clock, secret)
    assert not p.accounts.sign_in("prosecutor", PASSWORD, code, "10.0.0.1").mfa_pending
    with pytest.raises(AuthError):
        p.accounts.sign_in("prosecutor", PASSWORD, code, "10.0.0.1")  # the same code again: replay
    p.accounts.sign_in("prosecutor", PASSWORD, codes[0], "10.0.0.1")  # a recovery code, once
    with pytest.raises(AuthError):
        p.accounts.sign_in("prosecutor", PASSWORD, codes[0], "10.0.0.1")
    actions = [e["action"] for e in account_events(p)]
    assert "second_factor_enrolled" in actions and "recovery_code_used" in actions
    p.accounts.reset_mfa(who["admin"], who["prosecutor"].id)
    assert p.accounts.sign_in("prosecutor", PASSWORD, None, "10.0.0.1").mfa_pending


def test_tokens_expire_and_are_revoked(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    token = p.accounts.issue_token(who["auditor"], "report job", days=7)
    assert p.accounts.authenticate_token(token).id == who["auditor"].id
    clock.advance(timedelta(days=7, seconds=1))
    with pytest.raises(AuthError):
        p.accounts.authenticate_token(token)
    with pytest.raises(ValueError):
        p.accounts.issue_token(who["auditor"], "forever", days=5000)
    token = p.accounts.issue_token(who["auditor"], "second")
    tid = p.accounts.tokens(who["auditor"])[-1].id
    with pytest.raises(PermissionError):
        p.accounts.revoke_token(who["officer"], tid)  # not the owner
    p.accounts.revoke_token(who["auditor"], tid)
    with pytest.raises(AuthError):
        p.accounts.authenticate_token(token)


def test_data_directory_and_database_are_private(tmp_path: Path, clock: ManualClock) -> None:
    old = os.umask(0o022)  # the usual umask: files would be world-readable
    try:
        p = Platform.open(Settings(data_dir=tmp_path / "data"), clock=clock, notify=False)
        p.close()
        data = tmp_path / "data"
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
        for f in data.glob("platewarden.db*"):
            assert stat.S_IMODE(f.stat().st_mode) & 0o077 == 0, f
        os.chmod(data / "platewarden.db", 0o644)
        with pytest.raises(PermissionsError, match="chmod 600"):
            Platform.open(Settings(data_dir=data), clock=clock, notify=False)
        os.chmod(data / "platewarden.db", 0o600)
        os.chmod(data, 0o755)
        with pytest.raises(PermissionsError, match="chmod 700"):
            Platform.open(Settings(data_dir=data), clock=clock, notify=False)
    finally:
        os.umask(old)


def test_console_ledger_and_security_headers(platform: Platform, clock: ManualClock) -> None:
    p, _ = platform, people(platform)
    client = client_for(p)
    secrets: dict[str, str] = {}
    console_sign_in(client, p, clock, "officer", secrets)
    assert client.get("/ledger").status_code == 403  # as the API: not for officers
    assert 'href="/ledger"' not in client.get("/").text
    console_sign_in(client, p, clock, "auditor", secrets)
    page = client.get("/ledger")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in \
        csp.split("script-src")[1].split(";")[0]
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["referrer-policy"] == "no-referrer"
    docs = client.get("/docs").text
    assert "cdn" not in docs.lower() and "<script>" not in docs  # served from the package, no inline script
    assert client.get("/docs/static/swagger-ui-bundle.js").status_code == 200
    assert client.get("/redoc").status_code == 404


def test_an_administrator_alone_cannot_staff_a_chain(platform: Platform, clock: ManualClock) -> None:
    """The admin creates an officer, a head and a prosecutor with passwords of their choosing: none of them can act
    until a department head or the ethics board (never the admin) approves their roles; the admin cannot approve,
    nor reactivate them instead, and an account cannot approve its own roles."""
    p, who = platform, people(platform)
    made = {name: p.accounts.create(who["admin"], f"sock.{name}", "Sock", "City Police", {role}, PASSWORD)
            for name, role in (("officer", Role.OFFICER), ("head", Role.DEPARTMENT_HEAD),
                               ("prosecutor", Role.PROSECUTOR))}
    for u in made.values():
        with pytest.raises(AuthError):
            p.accounts.sign_in(u.username, PASSWORD, None, "10.1.1.1")
        with pytest.raises(PermissionError):
            p.accounts.approve_grant(who["admin"], u.id)
        with pytest.raises(ValueError, match="second person"):
            p.accounts.reactivate(who["admin"], u.id)
    with pytest.raises(PermissionError):
        p.accounts.approve_grant(who["officer"], made["officer"].id)  # an officer approves no grants
    assert {a.user.username for a in p.accounts.awaiting_grant(who["ethics"])} == {u.username for u in made.values()}
    p.accounts.approve_grant(who["ethics"], made["head"].id)
    assert p.accounts.sign_in("sock.head", PASSWORD, None, "10.1.1.1").mfa_pending  # active now: enrol, then act
    actions = [e["action"] for e in account_events(p)]
    assert actions.count("grant_approved") >= 1
