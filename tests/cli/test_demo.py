"""The README's first command: ``platewarden demo`` on an empty data directory reads the clip's plates, raises the
hotlist alert, and leaves a ledger whose checkpoint a witness cosigned over tlog-witness; run again, the same
witness extends its cosignature (it never signs a history that does not extend what it signed)."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from platewarden.cli.main import cli
from platewarden.ledger.notes import COSIGNATURE_V1, Signer


def test_demo_twice_then_an_auditor_verifies_the_witnessed_ledger(tmp_path: Path) -> None:
    run, data = CliRunner(), tmp_path / "data"
    first = run.invoke(cli, ["--data-dir", str(data), "demo"])
    assert first.exit_code == 0, first.output
    assert "6 of 6 known plates read exactly" in first.output
    assert "1 hotlist alert(s)" in first.output
    second = run.invoke(cli, ["--data-dir", str(data), "demo"])
    assert second.exit_code == 0, second.output
    sizes = [int(m) for out in (first.output, second.output)
             for m in re.findall(r"checkpoint (\d+) cosigned by a demo witness", out)]
    assert len(sizes) == 2 and sizes[1] > sizes[0]
    witness = Signer.from_pem("demo-witness", (data / "demo" / "witness" / "demo-witness.pem").read_bytes(),
                              COSIGNATURE_V1)
    (tmp_path / "w.vkey").write_text(witness.verifier.encode())
    assert run.invoke(cli, ["--data-dir", str(data), "ledger", "export", str(tmp_path / "exp")]).exit_code == 0
    verified = run.invoke(cli, ["ledger", "verify", str(tmp_path / "exp"), "--quorum", "1", "--witness-key",
                                str(tmp_path / "w.vkey")])
    assert verified.exit_code == 0, verified.output
