"""What changed between two signed checkpoints: the question an auditor asks when a witness or a published
checkpoint moved on ("what was appended since the one I kept, and does the new one extend it?").

The answer holds three things: both notes, each checked against the log key; the consistency proof from the older
tree to the newer, checked against the two signed roots (what a witness checks); and the entries appended in
between, counted per kind and listed (up to a limit). An older checkpoint the newer one does not extend is reported
as such, never smoothed over.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from platewarden.ledger.log import Ledger
from platewarden.ledger.merkle import ProofError, verify_consistency
from platewarden.ledger.notes import Checkpoint, NoteError, SignedNote, verify_log_signature
from platewarden.store.schema import ledger_entries

DIFF_LIST_LIMIT = 200  # entries listed at most; the per-kind counts cover the whole range


class CheckpointChoiceError(ValueError):
    """The two sizes do not name two stored checkpoints, the older first."""


@dataclass(frozen=True)
class CheckpointDiff:
    old_size: int
    new_size: int
    old_note: str
    new_note: str
    proof: tuple[str, ...]  # hex, as a witness receives it
    consistent: bool
    problem: str  # why the newer checkpoint does not extend the older ("" when it does)
    added_by_kind: dict[str, int] = field(default_factory=dict)
    added: tuple[tuple[int, dict[str, Any]], ...] = ()  # the first DIFF_LIST_LIMIT entries appended, oldest first

    @property
    def unlisted(self) -> int:
        return self.new_size - self.old_size - len(self.added)


def checkpoint_diff(ledger: Ledger, old_size: int, new_size: int, limit: int = DIFF_LIST_LIMIT) -> CheckpointDiff:
    """The difference from the stored checkpoint of ``old_size`` to the one of ``new_size``."""
    if old_size >= new_size:
        raise CheckpointChoiceError("choose an older checkpoint first, then a newer one")
    notes = {size: note for size, note, _ in ledger.checkpoints() if size in (old_size, new_size)}
    missing = [str(s) for s in (old_size, new_size) if s not in notes]
    if missing:
        raise CheckpointChoiceError(f"no signed checkpoint of size {' or '.join(missing)}")
    problem = ""
    old: Checkpoint | None = None
    new: Checkpoint | None = None
    try:
        old = verify_log_signature(SignedNote.parse(notes[old_size]), ledger.public_key)
        new = verify_log_signature(SignedNote.parse(notes[new_size]), ledger.public_key)
    except NoteError as exc:
        problem = f"a checkpoint is not signed by the log key: {exc}"
    proof: list[bytes] = []
    if old is not None and new is not None:
        try:
            proof = ledger.consistency(old_size, new_size)
            verify_consistency(old.size, new.size, old.root, new.root, proof)
        except ProofError as exc:
            problem = f"the newer checkpoint does not extend the older one: {exc}"
    with ledger.engine.connect() as conn:
        by_kind = {str(k): int(n) for k, n in conn.execute(
            select(ledger_entries.c.kind, func.count()).where(
                ledger_entries.c.seq >= old_size, ledger_entries.c.seq < new_size).group_by(ledger_entries.c.kind))}
        listed = [(int(seq), json.loads(bytes(data))) for seq, data in conn.execute(
            select(ledger_entries.c.seq, ledger_entries.c.entry).where(
                ledger_entries.c.seq >= old_size, ledger_entries.c.seq < new_size)
            .order_by(ledger_entries.c.seq).limit(limit))]
    return CheckpointDiff(old_size, new_size, notes[old_size], notes[new_size], tuple(h.hex() for h in proof),
                          not problem, problem, dict(sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0]))),
                          tuple(listed))
