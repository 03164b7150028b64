"""The signed-note rules as independent implementations (Go's sumdb/note and tlog, transparency-dev's formats)
apply them: what they refuse, ours refuses too."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from click.testing import CliRunner

from platewarden.cli.main import cli
from platewarden.ledger.notes import (
    COSIGNATURE_V1,
    ED25519,
    Checkpoint,
    NoteError,
    SignedNote,
    Signer,
    Verifier,
    sign_checkpoint,
    verify_log_signature,
)
from platewarden.ledger.witness import WitnessRefusal, witness_cosign

LOG = Signer.generate("example.org/log", ED25519)
ROOT = bytes(range(32))


def note(cp: Checkpoint, signer: Signer = LOG) -> str:
    return sign_checkpoint(cp, signer).render()


def test_key_names_are_non_empty_without_spaces_or_plus() -> None:
    for bad in ("", "a b", "a+b", "tab\there", "nbsp\u00a0"):
        with pytest.raises(NoteError):
            Signer.generate(bad, ED25519)
    good = LOG.verifier.encode()
    _, rest = good.split("+", 1)
    with pytest.raises(NoteError):
        Verifier.decode("bad name+" + rest)


def test_a_failing_signature_from_the_known_key_rejects_the_note() -> None:
    text = note(Checkpoint(LOG.name, 5, ROOT))
    good_line = text.rstrip("\n").split("\n")[-1]
    blob = bytearray(base64.b64decode(good_line.split(" ")[2]))
    blob[-1] ^= 1
    forged = f"— {LOG.name} {base64.b64encode(bytes(blob)).decode()}"
    doubled = text + forged + "\n"  # one good, one failing signature by the same key
    with pytest.raises(NoteError, match="does not verify"):
        verify_log_signature(SignedNote.parse(doubled), LOG.verifier)


def test_control_characters_empty_extensions_and_huge_sizes() -> None:
    body = Checkpoint(LOG.name, 5, ROOT).body()
    for bad_body in (body + "\n", body + "ext\n\n", body.replace("\n5\n", f"\n{2**64}\n")):
        with pytest.raises(NoteError):
            Checkpoint.parse(bad_body)
    with pytest.raises(NoteError, match="control characters"):
        SignedNote.parse(note(Checkpoint(LOG.name, 5, ROOT)).replace("log\n5", "log\r\n5"))


def test_a_witness_refuses_another_origin_even_without_state(tmp_path: Path) -> None:
    other = Signer(("another.org/log"), LOG.private, ED25519)  # the same key, signing under another origin
    witness = Signer.generate("witness.example", COSIGNATURE_V1)
    with pytest.raises(WitnessRefusal):
        witness_cosign(note(Checkpoint("another.org/log", 5, ROOT), other), [], LOG.verifier, witness,
                       tmp_path / "state")
    with pytest.raises(WitnessRefusal):  # the log's own key, a body naming another origin
        witness_cosign(note(Checkpoint("another.org/log", 5, ROOT)), [], LOG.verifier, witness, tmp_path / "s2")
    assert not (tmp_path / "s2").exists()


def test_consistency_out_of_range_is_a_clear_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "d"), "ledger", "consistency", "999"])
    assert res.exit_code == 2 and "OLD_SIZE" in res.output and "Traceback" not in res.output
