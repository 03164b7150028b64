"""The ledger's keys and the files that leave the store, as an attacker with a local account or a copy of an export
meets them: a signing key file others can read is refused at start; exports and reports are this account's alone;
and an export re-signed under another key, or carrying swapped witness keys, fails against the keys the auditor
trusts."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from platewarden.cli.main import cli
from platewarden.config import Settings
from platewarden.domain.clock import ManualClock
from platewarden.ledger.notes import COSIGNATURE_V1, ED25519, Signer
from platewarden.ledger.witness import witness_cosign
from platewarden.runtime import OPEN_ERRORS, Platform
from tests.factories import people


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_signing_key_file_others_can_read_is_refused_at_start(tmp_path: Path, clock: ManualClock) -> None:
    data = tmp_path / "data"
    Platform.open(Settings(data_dir=data), clock=clock, notify=False).close()
    key = data / "ledger-signing.pem"
    assert mode(key) == 0o600
    os.chmod(key, 0o644)  # whoever reads it signs checkpoints and evidence as the agency
    with pytest.raises(OPEN_ERRORS, match="readable by other accounts"):
        Platform.open(Settings(data_dir=data), clock=clock, notify=False)
    os.chmod(key, 0o600)
    Platform.open(Settings(data_dir=data), clock=clock, notify=False).close()


def test_exports_and_reports_are_this_accounts_alone(platform: Platform, tmp_path: Path) -> None:
    from datetime import date

    from platewarden.audit.compliance.gather import gather
    from platewarden.audit.compliance.report import write_report

    people(platform)
    old = os.umask(0o022)  # the usual umask: files would be readable by every local account
    try:
        platform.ledger.export(tmp_path / "export")
        today = platform.clock.now().date()
        written = write_report(gather(platform, date(today.year, 1, 1), today), tmp_path / "report")
    finally:
        os.umask(old)
    assert mode(tmp_path / "export" / "entries.jsonl") == 0o600
    for path in (written.html, written.pdf, written.findings):
        assert mode(path) == 0o600, path
    assert written.pdf.read_bytes().startswith(b"%PDF")


def test_an_export_resigned_or_with_swapped_witness_keys_fails_against_trusted_keys(platform: Platform,
                                                                                      tmp_path: Path) -> None:
    p = platform
    people(p)
    witness = Signer.generate("court.example", COSIGNATURE_V1)
    note = p.ledger.checkpoint().render()
    cosigned = witness_cosign(note, [], p.ledger.public_key, witness, tmp_path / "w.state")
    p.ledger.add_cosignature(cosigned, witness.verifier, p.clock.now())
    export = tmp_path / "export"
    p.ledger.export(export)
    trusted_log = tmp_path / "log.vkey"
    trusted_log.write_text(p.ledger.public_key.encode() + "\n")
    trusted_witness = tmp_path / "court.vkey"
    trusted_witness.write_text(witness.verifier.encode() + "\n")
    run = CliRunner()
    ok = run.invoke(cli, ["ledger", "verify", str(export), "--quorum", "1", "--log-key", str(trusted_log),
                          "--witness-key", str(trusted_witness)])
    assert ok.exit_code == 0 and "NOT RULED OUT: the log key" not in ok.output, ok.output
    lax = run.invoke(cli, ["ledger", "verify", str(export), "--quorum", "1"])
    assert lax.exit_code == 0 and "NOT RULED OUT: the log key was taken from the export itself" in lax.output
    assert "witnesses' keys were taken from the export itself" in lax.output

    # The attacker rewrites history, re-signs every checkpoint with a key of their own under the log's name,
    # cosigns as a "witness" of their own and puts both keys into the export.
    forger = Signer.generate(p.ledger.public_key.name, ED25519)
    fake_witness = Signer.generate("court.example", COSIGNATURE_V1)
    (export / "keys" / "log.vkey").write_text(forger.verifier.encode() + "\n")
    for vkey in (export / "keys" / "witnesses").glob("*.vkey"):
        vkey.write_text(fake_witness.verifier.encode() + "\n")
    refused = run.invoke(cli, ["ledger", "verify", str(export), "--log-key", str(trusted_log)])
    assert refused.exit_code == 1 and "not the one you trust" in refused.output
    # The genuine log key, but the witness keys swapped: the genuine cosignature no longer counts for the fake
    # key, and the trusted witness key given by the auditor is what counts.
    (export / "keys" / "log.vkey").write_text(p.ledger.public_key.encode() + "\n")
    swapped = run.invoke(cli, ["ledger", "verify", str(export), "--quorum", "1"])
    assert swapped.exit_code == 1  # the export's own (swapped) witness key does not sign the checkpoint
    pinned = run.invoke(cli, ["ledger", "verify", str(export), "--quorum", "1", "--witness-key", str(trusted_witness)])
    assert pinned.exit_code == 0, pinned.output
    bad_key = tmp_path / "bad.vkey"
    bad_key.write_text("not a key\n")
    res = run.invoke(cli, ["ledger", "verify", str(export), "--log-key", str(bad_key)])
    assert res.exit_code == 1 and "not a verifier key" in res.output
    assert json.loads((export / "entries.jsonl").read_text().splitlines()[0])  # the export itself is untouched
