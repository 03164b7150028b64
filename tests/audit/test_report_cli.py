"""The commands an auditor and the public use: ``report compliance --input`` on an exported snapshot (no keys,
no database), its errors (nothing written), and the public annual report (page and figures) without plates."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from platewarden.api import create_app
from platewarden.audit.annual import annual_figures, render_annual
from platewarden.audit.compliance.gather import gather
from platewarden.cli.main import cli
from platewarden.domain.clock import ManualClock
from platewarden.runtime import Platform
from tests.audit.known_data import FIRST, HOT, LAST, build


def test_auditor_runs_the_assessment_on_an_export(platform: Platform, clock: ManualClock, tmp_path: Path) -> None:
    build(platform, clock, tmp_path)
    snap = tmp_path / "snapshot.json"
    snap.write_text(gather(platform, FIRST, LAST).to_json(), encoding="utf-8")
    population = tmp_path / "population.csv"
    population.write_text("area,population\nnorth,12000\nsouth,8000\neast,9500\nwest,7000\n")
    runner = CliRunner()
    out = tmp_path / "auditor"
    args = ["report", "compliance", "--input", str(snap), "--out", str(out), "--population", str(population)]
    r = runner.invoke(cli, [*args, "--fail-on", "critical"])
    assert r.exit_code == 1, r.output  # the planted day without a receipt is critical
    assert "1 critical, 3 warnings" in r.output and "11 pages" in r.output
    html = (out / f"compliance-{FIRST}-{LAST}.html").read_text(encoding="utf-8")
    assert "reads/1000" in html and HOT not in html
    assert runner.invoke(cli, [*args, "--fail-on", "never"]).exit_code == 0

    # Bad input: a clear error, and nothing written.
    for bad_args, message in (
            (["--input", str(snap), "--from", "2026-10-01"], "either --input or --from/--to"),
            (["--population", str(tmp_path / "snapshot.json"), "--input", str(snap)], "line 1"),
            (["--input", str(population)], "not a platewarden-compliance-snapshot/1 document")):
        fresh = tmp_path / "nothing"
        r = runner.invoke(cli, ["report", "compliance", *bad_args, "--out", str(fresh)])
        assert r.exit_code != 0 and message in r.output, r.output
        assert not fresh.exists()


def test_public_annual_report_has_aggregates_only(platform: Platform, clock: ManualClock, tmp_path: Path) -> None:
    build(platform, clock, tmp_path)
    figures = annual_figures(platform, 2026)
    assert figures["period_to"] == "2026-11-02" and figures["reads"] == 180
    assert figures["searches"]["exigent_overdue"] == 1 and figures["findings"]["critical"] == 1
    page = render_annual(figures)
    client = TestClient(create_app(platform, session_secret="test-secret", https_only=False))
    served = client.get("/public/annual-report?year=2026")
    assert served.status_code == 200 and '<td id="reads">180</td>' in served.text
    assert client.get("/public/annual-report?year=2031").status_code == 422
    assert 'href="/public/annual-report?year=2026"' in client.get("/public").text
    for secret in (HOT, "SEP20", "AB00", "someone@example.org", "2026-CR-", "officer2", "Head2"):
        assert secret not in page and secret not in served.text and secret not in str(figures)


def test_gathering_a_snapshot_is_ledgered(platform: Platform, clock: ManualClock, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    build(platform, clock, tmp_path)
    monkeypatch.setenv("PLATEWARDEN_DATA_DIR", str(platform.settings.data_dir))
    monkeypatch.setenv("PLATEWARDEN_DATABASE_URL", platform.settings.effective_database_url)
    before = platform.ledger.size()
    r = CliRunner().invoke(cli, ["report", "compliance", "--from", str(FIRST), "--to", str(LAST),
                                 "--out", str(tmp_path / "live"), "--snapshot", str(tmp_path / "s.json")])
    assert r.exit_code == 0, r.output
    entries = [e for _, e in platform.ledger.parsed(before)]
    assert [e["kind"] for e in entries] == ["report"]
    assert entries[0]["body"]["snapshot_sha256"] == hashlib.sha256((tmp_path / "s.json").read_bytes()).hexdigest()
