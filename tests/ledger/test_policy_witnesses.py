"""Witnesses named in the approved policy: a database writer who stores a cosignature of their own "witness" makes
no checkpoint witnessed, ``ledger add-cosignature`` refuses a key the policy does not list, and the policy refuses
keys that are not witness keys or a quorum larger than its witnesses."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError
from sqlalchemy import insert

from platewarden.audit.compliance.assess import assess
from platewarden.audit.compliance.gather import gather
from platewarden.cli.main import cli
from platewarden.config import Settings
from platewarden.domain.clock import ManualClock
from platewarden.ledger.notes import COSIGNATURE_V1, NoteError, SignedNote, Signer
from platewarden.ledger.witness import witness_cosign
from platewarden.policy.model import LedgerPolicy, Role
from platewarden.runtime import Platform
from platewarden.store.schema import ledger_cosignatures
from tests.factories import PASSWORD, people


def open_with_witnesses(tmp_path: Path, clock: ManualClock, keys: dict[str, str], quorum: int) -> Platform:
    policy = tmp_path / "policy.yaml"
    policy.write_text(json.dumps({"ledger": {"witnesses": keys, "quorum": quorum}}))
    return Platform.open(Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path}/pw.db",
                                  policy_file=policy), clock=clock, notify=False)


def findings(p: Platform) -> set[str]:
    day = p.clock.now().date()
    return {f.code for f in assess(gather(p, date(day.year, 1, 1), day)).findings}


def test_only_the_policys_witnesses_make_a_checkpoint_witnessed(tmp_path: Path, clock: ManualClock) -> None:
    court, auditor = (Signer.generate(n, COSIGNATURE_V1) for n in ("court.example", "auditor.example"))
    p = open_with_witnesses(tmp_path, clock, {"court.example": court.verifier.encode(),
                                              "auditor.example": auditor.verifier.encode()}, quorum=2)
    try:
        users = people(p)
        note = p.ledger.checkpoint()
        forger = Signer.generate("court.example", COSIGNATURE_V1)  # the writer's own key under a listed name
        fake = SignedNote.parse(witness_cosign(note.render(), [], p.ledger.public_key, forger, tmp_path / "f.json"))
        with p.engine.begin() as conn:
            conn.execute(insert(ledger_cosignatures).values(
                size=p.ledger.checkpoints()[-1][0], witness="court.example", witness_key=forger.verifier.encode(),
                signature_line=fake.render().rstrip("\n").split("\n")[-1], added_at=clock.now()))
        assert "no-witness" in findings(p)
        with pytest.raises(NoteError, match="another key"):  # the forged row holds court's slot at this size
            p.ledger.add_cosignature(witness_cosign(note.render(), [], p.ledger.public_key, court,
                                                    tmp_path / "c0.json"), court.verifier, clock.now())
        assert "no-witness" in findings(p)
        p.accounts.create(users["admin"], "extra", "Extra Officer", "City Police", {Role.OFFICER}, PASSWORD)
        note = p.ledger.checkpoint()
        for w, state in ((court, "c.json"), (auditor, "a.json")):
            p.ledger.add_cosignature(witness_cosign(note.render(), [], p.ledger.public_key, w, tmp_path / state),
                                     w.verifier, clock.now())
        assert "no-witness" not in findings(p) and "witnesses-not-in-policy" not in findings(p)
        settings, log_key = p.settings, p.ledger.public_key
    finally:
        p.close()
    stranger = Signer.generate("stranger.example", COSIGNATURE_V1)
    cosigned = tmp_path / "cosigned.note"
    cosigned.write_text(witness_cosign(note.render(), [], log_key, stranger, tmp_path / "s.json"))
    res = CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), "ledger", "add-cosignature", str(cosigned),
                                   "--witness-key", stranger.verifier.encode()],
                             env={"PLATEWARDEN_DATABASE_URL": settings.effective_database_url,
                                  "PLATEWARDEN_POLICY": str(settings.policy_file)})
    assert res.exit_code == 1 and "not one of the policy's witnesses" in res.output


def test_the_policy_refuses_keys_that_are_no_witness_keys() -> None:
    log_key = Signer.generate("log.example").verifier.encode()  # an Ed25519 log key, not cosignature/v1
    court = Signer.generate("court.example", COSIGNATURE_V1).verifier.encode()
    with pytest.raises(ValidationError, match="cosignature/v1"):
        LedgerPolicy(witnesses={"log.example": log_key})
    with pytest.raises(ValidationError, match="named"):
        LedgerPolicy(witnesses={"someone.else": court})
    with pytest.raises(ValidationError, match="not a verifier key"):
        LedgerPolicy(witnesses={"court.example": "court.example+1234+garbage"})
    with pytest.raises(ValidationError, match="quorum of 2"):
        LedgerPolicy(witnesses={"court.example": court}, quorum=2)
    assert LedgerPolicy(witnesses={"court.example": court}).quorum == 1
