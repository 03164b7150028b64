"""The hotlist as the people who keep it see it: every entry by state with its provenance, for officers, department
heads and auditors only; each look ledgered (which list and how many, never a plate); pending entries approved from
the page by the next person of the chain, never by their proposer."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from click.testing import CliRunner
from fastapi.testclient import TestClient

from platewarden.cli.main import cli
from platewarden.domain.clock import ManualClock
from platewarden.runtime import Platform
from platewarden.server import create_app
from tests.factories import activate, console_sign_in, make_entry, people


def viewed(p: Platform) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(e)["body"] for e in p.ledger.entries() if b'"hotlist_viewed"' in e]


def test_the_hotlist_by_state_for_those_who_keep_it(platform: Platform, clock: ManualClock) -> None:
    p = platform
    who = people(p)
    activate(p, make_entry("KX7204", clock.now(), days=30), who)
    activate(p, make_entry("OLD123", clock.now(), days=1), who)
    pending = p.hotlist.propose(make_entry("PEND42", clock.now()), who["officer"])
    clock.advance(timedelta(days=2))  # OLD123 expires
    secrets: dict[str, str] = {}
    client = TestClient(create_app(p, session_secret="s", https_only=False))
    console_sign_in(client, p, clock, "auditor", secrets)
    page = client.get("/hotlist")
    assert page.status_code == 200 and "KX7204" in page.text and "OLD123" not in page.text
    assert "NCIC" in page.text and "stolen vehicle" in page.text  # provenance beside each entry
    expired = client.get("/hotlist?state=expired")
    assert "OLD123" in expired.text and "KX7204" not in expired.text
    assert client.get("/hotlist?state=everything").status_code == 422
    looks = viewed(p)
    assert [(b["state"], b["entries"]) for b in looks] == [("active", 1), ("expired", 1)]
    assert not any("KX7204" in json.dumps(b) for b in looks)  # the ledger says how many, never which
    assert 'href="/hotlist"' in client.get("/").text  # in the auditor's menu

    client = TestClient(create_app(p, session_secret="s", https_only=False))
    console_sign_in(client, p, clock, "admin", secrets)
    r = client.get("/hotlist")
    assert r.status_code == 403 and 'href="/hotlist"' not in client.get("/").text

    client = TestClient(create_app(p, session_secret="s", https_only=False))
    console_sign_in(client, p, clock, "officer", secrets)  # the proposer: sees it, cannot approve it
    page = client.get("/hotlist?state=pending")
    assert "PEND42" in page.text and "another person approves" in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post(f"/hotlist/{pending.id}/approve", data={"csrf": csrf}, follow_redirects=True)
    assert "Refused" in r.text and p.hotlist.get(pending.id).status.value == "pending"  # type: ignore[union-attr]
    client = TestClient(create_app(p, session_secret="s", https_only=False))
    console_sign_in(client, p, clock, "head", secrets)
    page = client.get("/hotlist?state=pending")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    assert client.post(f"/hotlist/{pending.id}/approve", data={"csrf": "forged"}).status_code == 403
    r = client.post(f"/hotlist/{pending.id}/approve", data={"csrf": csrf}, follow_redirects=True)
    assert "PEND42: active" in r.text
    assert p.hotlist.get(pending.id).status.value == "active"  # type: ignore[union-attr]


def test_hotlist_list_from_the_command_line(platform: Platform, clock: ManualClock) -> None:
    p = platform
    who = people(p)
    p.hotlist.propose(make_entry("KX7204", clock.now(), days=30), who["officer"])  # the CLI runs on real time:
    env = {"PLATEWARDEN_DATABASE_URL": p.settings.effective_database_url}      # a pending entry stays pending
    base = ["--data-dir", str(p.settings.data_dir)]
    head = p.accounts.issue_token(who["head"], "cli")
    res = CliRunner().invoke(cli, [*base, "hotlist", "list", "--state", "pending"],
                             env={**env, "PLATEWARDEN_TOKEN": head})
    assert res.exit_code == 0 and "KX7204" in res.stdout and "NCIC" in res.stdout, res.output
    admin = p.accounts.issue_token(who["admin"], "cli")
    res = CliRunner().invoke(cli, [*base, "hotlist", "list"], env={**env, "PLATEWARDEN_TOKEN": admin})
    assert res.exit_code == 1 and "officers, department heads and auditors" in res.output
    assert [b.get("action") for b in viewed(p)] == [None, "refused"]
