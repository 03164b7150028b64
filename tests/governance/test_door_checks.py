"""Every input checked at the door, written as the misuse it stops: a 2-character hotlist plate, the same plate twice,
an entry that never expires, a binary file given as CSV; complaints dated "yesterday", in 2030 or with a script as the
plate, a flood of complaints, a lone surrogate; a naive datetime; one officer's exigent 90-day whole-city sweep.
Each is refused with a clear message and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from platewarden.alerts.hotlist_csv import decode_csv
from platewarden.alerts.service import HotlistRefused
from platewarden.audit.compliance.assess import assess
from platewarden.audit.compliance.gather import gather
from platewarden.cli.main import cli
from platewarden.domain.clock import ManualClock
from platewarden.domain.redress import ComplaintDetails, RedressError
from platewarden.governance.scope import Scope, ScopeError
from platewarden.runtime import Platform
from platewarden.server import create_app
from tests.factories import activate, make_entry, people


def test_hotlist_entries_the_reader_could_never_match_are_refused(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    now = clock.now()
    for entry, why in [(make_entry("AB", now), "shorter"), (make_entry("KX7204", now, days=5000), "at most 365 days"),
                       (make_entry("ABCDEFGHIJKL", now), "characters")]:
        with pytest.raises(HotlistRefused, match=why):
            p.hotlist.propose(entry, who["officer"])
    activate(p, make_entry("KX7204", now), who)
    with pytest.raises(HotlistRefused, match="already has a active entry"):
        p.hotlist.propose(make_entry("KX7204", now), who["officer2"])
    p.hotlist.propose(make_entry("KX7205", now), who["officer"])
    with pytest.raises(HotlistRefused, match="pending entry"):
        p.hotlist.propose(make_entry("KX7205", now), who["officer2"])
    assert sorted(e.plate for e in p.hotlist.active() + p.hotlist.pending()) == ["KX7204", "KX7205"]


def test_csv_that_is_not_text_is_a_clear_error(platform: Platform, tmp_path: Path, clock: ManualClock) -> None:
    with pytest.raises(ValueError, match="line 2: not UTF-8"):
        decode_csv(b"plate,region\n\xff\xfe\x00bad\n")
    with pytest.raises(ValueError, match="NUL"):
        decode_csv(b"plate,region\x00\n")
    p, who = platform, people(platform)
    binary = tmp_path / "photo.csv"
    binary.write_bytes(bytes(range(256)) * 8)
    token = p.accounts.issue_token(who["officer"], "t")
    env = {"PLATEWARDEN_DATA_DIR": str(p.settings.data_dir), "PLATEWARDEN_DATABASE_URL":
           p.settings.effective_database_url, "PLATEWARDEN_TOKEN": token}
    res = CliRunner().invoke(cli, ["hotlist", "import", str(binary)], env=env)
    assert res.exit_code == 1 and "not UTF-8" in res.output and "Traceback" not in res.output
    rows = "plate,region,reason,source,expires_at\nAB,us,stolen,NCIC,2026-12-01\nKX7204,us,stolen,NCIC,2036-12-01\n" \
           "KX7206,us,stolen,NCIC,2026-12-01\n"
    good = tmp_path / "h.csv"
    good.write_text(rows)
    res = CliRunner().invoke(cli, ["hotlist", "import", str(good)], env=env)
    assert res.exit_code == 1 and "line 2" in res.output and "line 3" in res.output  # nothing imported
    assert p.hotlist.pending() == []


def test_the_compliance_report_finds_what_bypassed_the_door(platform: Platform, clock: ManualClock) -> None:
    """Rows written past the service (a database writer) are found by the report's hotlist hygiene."""
    p, who = platform, people(platform)
    now = clock.now()
    ok = make_entry("KX7204", now)
    activate(p, ok, who)
    p.hotlist._store.add_many([make_entry("KX7204", now), make_entry("Q1", now), make_entry("ZZ9999", now, days=4000)],
                              lambda conn: None)  # sealed, as a platewarden bug would write them, never ledgered
    findings = {f.code for f in assess(gather(p, now.date() - timedelta(days=1), now.date()), p.policy).findings
                if f.section == "hotlist"}
    assert {"plate-syntax", "duplicate-entries", "expiry-beyond-policy"} <= findings


def test_complaints_are_checked_and_rate_limited(platform: Platform, clock: ManualClock) -> None:
    p = platform
    today = clock.now().date()
    for plate, day, why in [("KX7204", "yesterday", "YYYY-MM-DD"), ("KX7204", "2030-01-01", "future"),
                            ("<script>", today.isoformat(), "plate"), ("KX7204", "2020-01-01", "destroyed"),
                            ("KX\ud8007204", today.isoformat(), "not text")]:
        with pytest.raises(RedressError, match=why):
            p.redress.file(ComplaintDetails(plate, day, "Main St", "stopped, not my car", "me@example.org"))
    for _ in range(p.policy.redress.complaints_per_address_per_day):
        p.redress.file(ComplaintDetails("KX7204", today.isoformat(), "Main St", "stopped", "me@example.org"),
                       "192.0.2.1")
    with pytest.raises(RedressError, match="tomorrow"):
        p.redress.file(ComplaintDetails("KX7204", today.isoformat(), "Main St", "stopped", "me@example.org"),
                       "192.0.2.1")
    p.redress.file(ComplaintDetails("KX7204", today.isoformat(), "Main St", "stopped", "x@example.org"), "192.0.2.2")
    assert len(p.redress.all(people(p)["head"])) == p.policy.redress.complaints_per_address_per_day + 1


def test_api_refuses_naive_times_and_broken_text_with_422(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    client = TestClient(create_app(p, session_secret="s", https_only=False))
    auth = {"Authorization": f"Bearer {p.accounts.issue_token(who['officer'], 't')}"}
    body = {"plate": "KX7204", "time_from": "2026-11-01T00:00:00", "time_to": "2026-11-02T00:00:00"}
    r = client.post("/api/searches/00000000-0000-4000-8000-000000000000/run", json=body, headers=auth)
    assert r.status_code == 422 and "timezone" in r.text.lower()
    complaint = '{"plate": "KX\\ud800", "date": "2026-11-01", "place": "x", "what_happened": "x", "contact": "x"}'
    r = client.post("/api/public/complaints", content=complaint, headers={"content-type": "application/json"})
    assert r.status_code == 422
    entry = {"plate": "KX7204", "region": "us", "reason": "stolen", "source": "NCIC",
             "expires_at": "2026-12-01T00:00:00"}
    assert client.post("/api/hotlist", json=entry, headers=auth).status_code == 422
    assert p.hotlist.pending() == []


def test_exigent_searches_are_narrow_and_few(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    now = clock.now()

    def scope(days: float = 1, pattern: str | None = None, cams: tuple[str, ...] = ("cam-1",)) -> Scope:
        return Scope(() if pattern else ("KX7204",), pattern, "witness saw part of it" if pattern else None,
                     now - timedelta(days=days), now, cams, None, "find the abducted child", "amber alert 12")

    for s, why in [(scope(days=90), "at most 72 hours"), (scope(pattern="KX7*"), "at least 5 characters"),
                   (scope(cams=()), "cameras or an area")]:
        with pytest.raises(ScopeError, match=why):
            p.searches.apply(who["officer"], "2026-CR-9", "child_abduction", s, exigent=True)
    for _ in range(p.policy.exigent.max_per_officer_per_week):
        p.searches.apply(who["officer"], "2026-CR-9", "child_abduction", scope(), exigent=True)
    with pytest.raises(ScopeError, match="seven days"):
        p.searches.apply(who["officer"], "2026-CR-9", "child_abduction", scope(), exigent=True)
    assert len(p.searches.all()) == p.policy.exigent.max_per_officer_per_week
