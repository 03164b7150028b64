"""The commands an auditor and the public use: ``report compliance --input`` on an exported snapshot (no keys,
no database), its errors (nothing written), and the public annual report (page and figures) without plates."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from platewarden.audit.annual import annual_figures, render_annual
from platewarden.audit.compliance.assess import assess
from platewarden.audit.compliance.gather import gather
from platewarden.audit.compliance.snapshot import Snapshot
from platewarden.cli.main import cli
from platewarden.domain.clock import ManualClock
from platewarden.ledger.notes import Signer
from platewarden.runtime import Platform
from platewarden.server import create_app
from tests.audit.known_data import FIRST, HOT, LAST, build


def test_auditor_runs_the_assessment_on_an_export(platform: Platform, clock: ManualClock, tmp_path: Path) -> None:
    build(platform, clock, tmp_path)
    snap = tmp_path / "snapshot.json"
    snap.write_bytes(gather(platform, FIRST, LAST).signed(platform.ledger.sign, platform.ledger.public_key))
    population = tmp_path / "population.csv"
    population.write_text("area,population\nnorth,12000\nsouth,8000\neast,9500\nwest,7000\n")
    runner = CliRunner()
    out = tmp_path / "auditor"
    args = ["report", "compliance", "--input", str(snap), "--out", str(out), "--population", str(population)]
    r = runner.invoke(cli, [*args, "--fail-on", "critical"])
    assert r.exit_code == 1, r.output  # the planted day without a receipt is critical
    assert "1 critical, 4 warnings" in r.output and "11 pages" in r.output  # 4th: the policy was never approved
    html = (out / f"compliance-{FIRST}-{LAST}.html").read_text(encoding="utf-8")
    assert "reads/1000" in html and HOT not in html
    assert runner.invoke(cli, [*args, "--fail-on", "never"]).exit_code == 0

    # Bad input: a clear error, and nothing written.
    for bad_args, message in (
            (["--input", str(snap), "--from", "2026-10-01"], "either --input or --from/--to"),
            (["--population", str(tmp_path / "snapshot.json"), "--input", str(snap)], "line 1"),
            (["--input", str(population)], "not a platewarden-compliance-snapshot/1 document: not JSON")):
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
    args = ["report", "compliance", "--from", str(FIRST), "--to", str(LAST), "--out", str(tmp_path / "live"),
            "--snapshot", str(tmp_path / "s.json")]
    before = platform.ledger.size()
    assert "who are you?" in CliRunner().invoke(cli, args).output  # nobody: nothing gathered
    officer = platform.accounts.by_username("officer")
    monkeypatch.setenv("PLATEWARDEN_TOKEN", platform.accounts.issue_token(officer, "t"))
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code != 0 and "refused, and ledgered" in refused.output
    auditor = platform.accounts.by_username("auditor")
    monkeypatch.setenv("PLATEWARDEN_TOKEN", platform.accounts.issue_token(auditor, "t"))
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0, r.output
    entries = [e for _, e in platform.ledger.parsed(before) if e["kind"] != "account_change"]  # tokens issued
    assert [(e["kind"], e["body"]["action"]) for e in entries] == [("report", "compliance_snapshot_refused"),
                                                                    ("report", "compliance_snapshot")]
    assert entries[0]["actor"] == officer.label and entries[1]["actor"] == auditor.label  # the person, not "system"
    exported = Snapshot.load(tmp_path / "s.json", platform.ledger.public_key)
    assert exported.gathered_by == auditor.label
    assert entries[1]["body"]["snapshot_sha256"] == hashlib.sha256(exported.to_json().encode()).hexdigest()


def test_a_snapshot_is_signed_and_the_auditor_checks_the_signature(platform: Platform, clock: ManualClock,
                                                                   tmp_path: Path) -> None:
    """The tester's finding: the snapshot was not signed, so an outside auditor could only match its sha256 against
    a ledger export. Now an edited export, or one signed by another key, is refused; the same findings either way."""
    build(platform, clock, tmp_path)
    snap = gather(platform, FIRST, LAST)
    signed = tmp_path / "signed.json"
    signed.write_bytes(snap.signed(platform.ledger.sign, platform.ledger.public_key))
    vkey = tmp_path / "log.vkey"
    vkey.write_text(platform.ledger.public_key.encode() + "\n")
    runner = CliRunner()

    def run(path: Path, *extra: str) -> tuple[int, str]:
        r = runner.invoke(cli, ["report", "compliance", "--input", str(path), "--out", str(tmp_path / "o"), *extra])
        return r.exit_code, r.output

    code, out = run(signed, "--key", str(vkey))
    assert code == 0, out
    findings = json.loads((tmp_path / "o" / f"compliance-{FIRST}-{LAST}.findings.json").read_text())
    assert [f["code"] for f in findings["findings"]] == [f.code for f in assess(snap).findings]
    assert findings["snapshot_sha256"] == hashlib.sha256(snap.to_json().encode()).hexdigest()

    edited = json.loads(signed.read_text())
    edited["snapshot"]["alerts"]["raised"] += 1  # one alert fewer hidden, or more shown: any edit
    (tmp_path / "edited.json").write_text(json.dumps(edited))
    code, out = run(tmp_path / "edited.json")
    assert code != 0 and "changed after it was signed" in out
    other = Signer.generate("someone-else")
    (tmp_path / "other.json").write_bytes(snap.signed(other.private.sign, other.verifier))
    code, out = run(tmp_path / "other.json", "--key", str(vkey))
    assert code != 0 and "not by the key you gave" in out
    (tmp_path / "bare.json").write_text(snap.to_json())
    assert run(tmp_path / "bare.json")[0] != 0
    assert run(tmp_path / "bare.json", "--unsigned")[0] == 0
