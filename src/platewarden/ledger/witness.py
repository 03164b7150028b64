"""A witness, run by an outside party (prosecutor's office, auditor) with its own key and its own state.

It cosigns a checkpoint only if the log signed it and it is consistent with the last checkpoint this witness
cosigned (a consistency proof is checked); then it records the new checkpoint as its state. It never signs two
inconsistent checkpoints, so a log that rewrites history loses its witnesses.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from platewarden.ledger.merkle import ProofError, verify_consistency
from platewarden.ledger.notes import (
    COSIGNATURE_V1,
    Checkpoint,
    NoteError,
    SignedNote,
    Signer,
    Verifier,
    cosign,
    verify_log_signature,
)


class WitnessRefusal(ValueError):
    pass


@dataclass
class WitnessState:
    origin: str
    size: int
    root: bytes

    @classmethod
    def load(cls, path: Path) -> WitnessState | None:
        if not path.exists():
            return None
        d = json.loads(path.read_text())
        return cls(d["origin"], d["size"], bytes.fromhex(d["root"]))

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"origin": self.origin, "size": self.size, "root": self.root.hex()}))
        os.replace(tmp, path)  # atomic: the state is either the old or the new checkpoint


def witness_cosign(note_text: str, proof: list[bytes], log_key: Verifier, witness: Signer, state_path: Path,
                   now: int | None = None) -> str:
    """Cosign ``note_text`` or raise WitnessRefusal; persists the new state only after every check passed."""
    if witness.key_type != COSIGNATURE_V1:
        raise WitnessRefusal("the witness key must be a cosignature/v1 key")
    try:
        note = SignedNote.parse(note_text)
        cp = verify_log_signature(note, log_key)
    except NoteError as exc:
        raise WitnessRefusal(f"not a checkpoint signed by {log_key.name}: {exc}") from exc
    if cp.origin != log_key.name:  # even a witness with no state yet follows one log, named by its key
        raise WitnessRefusal(f"the checkpoint's origin {cp.origin!r} is not the log key's name {log_key.name!r}")
    old = WitnessState.load(state_path)
    if old is not None:
        if old.origin != cp.origin:
            raise WitnessRefusal(f"this witness follows {old.origin!r}, not {cp.origin!r}")
        if cp.size < old.size:
            raise WitnessRefusal(f"stale checkpoint: size {cp.size} is older than the {old.size} already cosigned")
        try:
            verify_consistency(old.size, cp.size, old.root, cp.root, proof)
        except ProofError as exc:
            raise WitnessRefusal(f"checkpoint of size {cp.size} is not consistent with the one of size "
                                 f"{old.size} this witness cosigned: {exc}") from exc
    signed = cosign(note, witness, int(now if now is not None else time.time()))
    WitnessState(cp.origin, cp.size, cp.root).save(state_path)
    return signed.render()


def checkpoint_of(note_text: str) -> Checkpoint:
    return Checkpoint.parse(SignedNote.parse(note_text).text)
