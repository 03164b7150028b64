"""The ledger from the command line: an operator exports, a witness cosigns, an auditor verifies offline."""

from __future__ import annotations

from pathlib import Path

import pyotp
import pytest
from click.testing import CliRunner

from platewarden.cli.main import cli


def test_operator_witness_auditor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = CliRunner()
    base = ["--data-dir", str(tmp_path / "data")]
    made = run.invoke(cli, [*base, "user", "create", "admin.alice", "--name", "Alice", "--org", "City IT", "--role",
                            "administrator", "--bootstrap"], input="a long enough password\n" * 2)
    assert made.exit_code == 0, made.output
    password = "a long enough password\n"
    enrol = run.invoke(cli, [*base, "--as", "admin.alice", "user", "mfa", "enrol"], input=password)
    assert enrol.exit_code == 0, enrol.output
    secret = pyotp.parse_uri(enrol.stdout.strip().splitlines()[-1]).secret
    confirm = run.invoke(cli, [*base, "--as", "admin.alice", "user", "mfa", "confirm", pyotp.TOTP(secret).now()],
                         input=password)
    assert confirm.exit_code == 0, confirm.output
    recovery = confirm.stdout.strip().splitlines()[-1]
    token = run.invoke(cli, [*base, "--as", "admin.alice", "user", "token"], input=password + recovery + "\n")
    assert token.exit_code == 0, token.output
    monkeypatch.setenv("PLATEWARDEN_TOKEN", token.stdout.strip().splitlines()[-1])
    seg = run.invoke(cli, [*base, "camera", "segment", "elm", "--name", "Elm St", "--length-km", "1.375", "--area",
                           "west"])
    assert seg.exit_code == 0, seg.output
    cp = run.invoke(cli, [*base, "ledger", "checkpoint"])
    assert cp.exit_code == 0
    size = int(cp.output.splitlines()[1])  # the account, its sign-ins, second factor and token; the road segment
    (tmp_path / "cp.note").write_text(cp.output)
    out = run.invoke(cli, [*base, "ledger", "export", str(tmp_path / "exp")])
    assert out.exit_code == 0
    log_key = (tmp_path / "exp" / "keys" / "log.vkey").read_text().strip()
    wkey = run.invoke(cli, ["ledger", "witness-keygen", "auditor.example", "--out", str(tmp_path / "w.pem")])
    assert wkey.exit_code == 0
    args = ["ledger", "cosign", str(tmp_path / "cp.note"), "--name", "auditor.example", "--key",
            str(tmp_path / "w.pem"), "--state", str(tmp_path / "w.state"), "--log-key", log_key]
    cos = run.invoke(cli, args)
    assert cos.exit_code == 0, cos.output
    (tmp_path / "cos.note").write_text(cos.stdout)
    added = run.invoke(cli, [*base, "ledger", "add-cosignature", str(tmp_path / "cos.note"), "--witness-key",
                             wkey.stdout.strip()])
    assert added.exit_code == 0, added.output
    # more acts, a new checkpoint, and a consistency proof for the witness
    assert run.invoke(cli, [*base, "camera", "segment", "oak", "--name", "Oak Ave", "--length-km", "2",
                            "--area", "east"]).exit_code == 0
    cp2 = run.invoke(cli, [*base, "ledger", "checkpoint"]).output
    (tmp_path / "cp2.note").write_text(cp2)
    assert run.invoke(cli, [*args[:2], str(tmp_path / "cp2.note"), *args[3:]]).exit_code == 1  # no proof: refused
    assert run.invoke(cli, [*base, "ledger", "consistency", str(size), "--out", str(tmp_path / "p")]).exit_code == 0
    cos2 = run.invoke(cli, [*args[:2], str(tmp_path / "cp2.note"), *args[3:], "--proof", str(tmp_path / "p")])
    assert cos2.exit_code == 0, cos2.output
    (tmp_path / "cos2.note").write_text(cos2.stdout)
    assert run.invoke(cli, [*base, "ledger", "add-cosignature", str(tmp_path / "cos2.note"), "--witness-key",
                            wkey.stdout.strip()]).exit_code == 0
    exp = tmp_path / "exp2"
    assert run.invoke(cli, [*base, "ledger", "export", str(exp)]).exit_code == 0
    ok = run.invoke(cli, ["ledger", "verify", str(exp), "--quorum", "1", "--trusted", str(tmp_path / "cp.note")])
    assert ok.exit_code == 0 and f"intact: {size + 1} entries" in ok.output and "auditor.example" in ok.output
    proof = run.invoke(cli, [*base, "ledger", "prove", "0"])
    assert proof.exit_code == 0 and '"leaf_hash"' in proof.output
    entries = exp / "entries.jsonl"
    tampered = entries.read_bytes().replace(b'"length_km":1.375', b'"length_km":1.875')  # rewrite history
    assert tampered != entries.read_bytes()
    entries.write_bytes(tampered)
    bad = run.invoke(cli, ["ledger", "verify", str(exp)])
    assert bad.exit_code == 1 and f"first bad entry: {size - 1}" in bad.output  # the segment, the last before cp
