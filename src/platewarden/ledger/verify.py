"""Offline verification of a ledger export, needing nothing but the export itself.

Checks, in order: every entry is canonical JSON in its place (``seq``) and follows the one before (``prev``);
every checkpoint is signed by the log key and matches the tree of the entries up to its size; no checkpoint
claims more entries than the export holds (truncation); the latest checkpoint is not older than one the verifier
already trusts (rollback); cosignatures by the export's witnesses are counted (and a quorum can be required).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

from platewarden.ledger.entries import decode_entry
from platewarden.ledger.log import GENESIS_PREV
from platewarden.ledger.merkle import CompactTree, leaf_hash
from platewarden.ledger.notes import (
    Checkpoint,
    NoteError,
    SignedNote,
    Verifier,
    verify_cosignatures,
    verify_log_signature,
)


@dataclass
class VerifyResult:
    ok: bool
    entries: int = 0
    checkpoints: int = 0
    latest: Checkpoint | None = None
    cosigners: list[str] = field(default_factory=list)
    uncovered: int = 0
    problem: str = ""
    first_bad_entry: int | None = None

    def summary(self) -> str:
        if not self.ok:
            where = f" (first bad entry: {self.first_bad_entry})" if self.first_bad_entry is not None else ""
            return f"FAILED: {self.problem}{where}"
        cp = self.latest
        head = f"size {cp.size}, root {cp.root.hex()}" if cp else "no checkpoint"
        witnessed = ", ".join(self.cosigners) if self.cosigners else "no witness"
        extra = f"; {self.uncovered} newer entries not yet in a checkpoint" if self.uncovered else ""
        return (f"intact: {self.entries} entries, {self.checkpoints} checkpoints; latest {head}; "
                f"cosigned by {witnessed}{extra}")


def verify_log(entries: list[bytes], notes: list[str], log_key: Verifier, witnesses: list[Verifier],
               trusted: Checkpoint | None = None, quorum: int = 0, strict: bool = False) -> VerifyResult:
    res = VerifyResult(ok=False, entries=len(entries))
    parsed: list[tuple[Checkpoint, SignedNote]] = []
    for i, text in enumerate(notes):
        try:
            note = SignedNote.parse(text)
            parsed.append((verify_log_signature(note, log_key), note))
        except NoteError as exc:
            res.problem = f"checkpoint #{i + 1} is forged or malformed: {exc}"
            return res
    parsed.sort(key=lambda p: p[0].size)
    for (a, _), (b, _) in itertools.pairwise(parsed):
        if a.size == b.size and a.root != b.root:
            res.problem = f"two signed checkpoints of size {a.size} with different roots (a fork)"
            return res
    by_size: dict[int, list[Checkpoint]] = {}
    for cp, _ in parsed:
        by_size.setdefault(cp.size, []).append(cp)
    tree, prev = CompactTree(), GENESIS_PREV
    last_good = 0
    mismatch: tuple[str, int] | None = None
    for cp in by_size.get(0, []):
        if cp.root != tree.root():
            res.problem = "the checkpoint of the empty log has a wrong root"
            return res
    for seq, data in enumerate(entries):
        try:
            obj = decode_entry(data, strict)
        except ValueError as exc:
            res.problem, res.first_bad_entry = f"entry {seq} is not a valid entry: {exc}", seq
            return res
        if obj["seq"] != seq:
            res.problem = f"entry at position {seq} says it is entry {obj['seq']} (entries removed or reordered)"
            res.first_bad_entry = seq
            return res
        if obj["prev"] != prev.hex():
            res.problem = f"entry {seq} does not follow entry {seq - 1} (changed, removed or reordered)"
            res.first_bad_entry = max(0, seq - 1)
            return res
        prev = leaf_hash(data)
        tree.append(prev)
        for cp in by_size.get(tree.size, []):
            if cp.root != tree.root() and mismatch is None:
                # Keep reading: a later entry's ``prev`` may pinpoint the changed entry within the range.
                mismatch = (f"entries do not match the signed checkpoint of size {cp.size}; a change lies in "
                            f"entries {last_good}..{cp.size - 1}", last_good)
            elif mismatch is None:
                last_good = cp.size
    if mismatch is not None:
        res.problem, res.first_bad_entry = mismatch
        return res
    if parsed and parsed[-1][0].size > len(entries):
        res.problem = (f"truncated: a signed checkpoint covers {parsed[-1][0].size} entries but the export holds "
                       f"{len(entries)}")
        res.first_bad_entry = len(entries)
        return res
    latest = parsed[-1][0] if parsed else None
    if trusted is not None:
        if latest is None or latest.size < trusted.size:
            res.problem = (f"rolled back: the verifier already trusts a checkpoint of size {trusted.size}, the "
                           f"export's latest is {latest.size if latest else 'none'}")
            return res
        if trusted.size <= len(entries):
            check = CompactTree()
            for data in entries[: trusted.size]:
                check.append(leaf_hash(data))
            if check.root() != trusted.root:
                res.problem = f"the export is not consistent with the trusted checkpoint of size {trusted.size}"
                return res
    cosigners = [name for name, _ in verify_cosignatures(parsed[-1][1], witnesses)] if parsed else []
    if len(set(cosigners)) < quorum:
        res.problem = f"the latest checkpoint has {len(set(cosigners))} valid cosignatures; {quorum} required"
        return res
    res.ok = True
    res.checkpoints, res.latest, res.cosigners = len(parsed), latest, sorted(set(cosigners))
    res.uncovered = len(entries) - (latest.size if latest else 0)
    return res


def verify_export(folder: Path, trusted_note: str | None = None, quorum: int = 0, strict: bool = False,
                  log_key_text: str | None = None, witness_keys: list[str] | None = None) -> VerifyResult:
    """``log_key_text`` and ``witness_keys``: the keys the verifier trusts, obtained out of band. The export carries
    its own keys, but whoever could rewrite the export could replace those too: a log key given here must equal the
    export's, and witness keys given here replace the export's."""
    try:
        log_key = Verifier.decode((folder / "keys" / "log.vkey").read_text())
        raw = (folder / "entries.jsonl").read_bytes()
        notes = [p.read_text(encoding="utf-8") for p in sorted((folder / "checkpoints").glob("*.note"))]
        witnesses = [Verifier.decode(p.read_text()) for p in sorted((folder / "keys" / "witnesses").glob("*.vkey"))]
    except (OSError, NoteError) as exc:
        return VerifyResult(ok=False, problem=f"export incomplete or unreadable: {exc}")
    try:
        if log_key_text is not None:
            pinned = Verifier.decode(log_key_text.strip())
            if pinned.encode() != log_key.encode():
                return VerifyResult(ok=False, problem="the export's log key is not the one you trust: it was signed "
                                                      "by another key (a replaced key, or another log)")
        if witness_keys is not None:
            witnesses = [Verifier.decode(k.strip()) for k in witness_keys]
    except NoteError as exc:
        return VerifyResult(ok=False, problem=f"a key you gave is not a verifier key: {exc}")
    if raw and not raw.endswith(b"\n"):
        return VerifyResult(ok=False, problem="entries.jsonl does not end with a newline (truncated mid-entry)")
    entries = raw.split(b"\n")[:-1] if raw else []
    trusted = None
    if trusted_note is not None:
        try:
            trusted = verify_log_signature(SignedNote.parse(trusted_note), log_key)
        except NoteError as exc:
            return VerifyResult(ok=False, problem=f"the trusted checkpoint does not verify: {exc}")
    return verify_log(entries, notes, log_key, witnesses, trusted, quorum, strict)
