"""Reading the ledger as evidence, not as a diary: only entries covered by a checkpoint signed with the log key, whose
bytes still hash to the leaves that checkpoint commits to.

Why: governance decides from the ledger (a search runs only if the ledger records its approvals and no revocation).
Anyone who can write to the database can also write to the ledger tables; they cannot sign a checkpoint (the log key
is not in the database). So a decision rests only on entries inside the latest signed checkpoint, after the whole
tree up to it has been recomputed and matched against the signed root. Governed acts are checkpointed in their own
transaction (``Ledger._append_in``), so every decision is covered at once.

Truncation: a database writer can cut the ledger back to an older signed checkpoint, with its rows. The
installation's high-water mark (``ledger/high_water.py``, outside the database) says how far it has signed or
verified; a latest checkpoint below it, or one that does not extend it, is refused.

Cost: one pass over the leaf hashes (32 bytes per entry) per call; C2SP tiles (issue 25) would make it logarithmic.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from platewarden.ledger.high_water import HighWaterError, Mark, extends
from platewarden.ledger.log import Ledger
from platewarden.ledger.merkle import EMPTY_ROOT, CompactTree, leaf_hash, root_of
from platewarden.ledger.notes import NoteError, SignedNote, verify_log_signature
from platewarden.store.schema import ledger_checkpoints, ledger_entries


class LedgerTampered(RuntimeError):
    """The ledger in the database does not match its latest signed checkpoint (or has none)."""


def _high_water(ledger: Ledger) -> Mark | None:
    if ledger.high_water is None:
        return None
    try:
        return ledger.mark()
    except HighWaterError as exc:
        raise LedgerTampered(str(exc)) from None


def trusted_entries(ledger: Ledger, kinds: Iterable[str]) -> list[tuple[int, dict[str, Any]]]:
    """(seq, entry) of the given kinds, every one covered by the latest checkpoint signed with the log key and
    matching the tree that checkpoint signs; raises LedgerTampered otherwise."""
    with ledger.engine.connect() as conn:
        row = conn.execute(select(ledger_checkpoints.c.note).order_by(ledger_checkpoints.c.size.desc())
                           .limit(1)).first()
        if row is None:
            mark = _high_water(ledger)
            if mark is not None and mark.size > 0:
                raise LedgerTampered(f"the ledger was emptied: this installation signed or verified {mark.size} "
                                     "entries")
            if conn.execute(select(ledger_entries.c.seq).limit(1)).first() is None:
                return []  # an empty ledger: nothing to rely on, nothing to doubt
            raise LedgerTampered("the ledger has no signed checkpoint")
        try:
            cp = verify_log_signature(SignedNote.parse(row[0]), ledger.public_key)
        except NoteError as exc:
            raise LedgerTampered(f"the latest checkpoint is not signed by the log key: {exc}") from None
        leaves = [bytes(h) for h in conn.scalars(select(ledger_entries.c.leaf_hash)
                                                 .where(ledger_entries.c.seq < cp.size)
                                                 .order_by(ledger_entries.c.seq))]
        if len(leaves) != cp.size or root_of(leaves) != cp.root:
            raise LedgerTampered(f"the ledger's first {cp.size} entries do not hash to the signed checkpoint")
        mark = _high_water(ledger)
        if mark is not None:
            if cp.size < mark.size:
                raise LedgerTampered(f"the ledger was cut back: its latest signed checkpoint covers {cp.size} entries, "
                                     f"but this installation signed or verified one of {mark.size}")
            tree = extends(mark, cp.size, cp.root, leaves[mark.size:])
            if tree is None:
                raise LedgerTampered(f"the ledger's first {mark.size} entries differ from what this installation "
                                     "signed or verified")
            if ledger.high_water is not None and tree.size > mark.size:
                ledger.high_water.raise_to(tree)
        out = []
        for seq, data in conn.execute(select(ledger_entries.c.seq, ledger_entries.c.entry).where(
                ledger_entries.c.kind.in_(list(kinds)), ledger_entries.c.seq < cp.size)
                .order_by(ledger_entries.c.seq)):
            if leaf_hash(bytes(data)) != leaves[seq]:
                raise LedgerTampered(f"ledger entry {seq} was changed after it was signed")
            out.append((seq, json.loads(data)))
    return out


class TrustedFollower:
    """Follows the signed ledger as it grows, for decisions taken at every use (is this hold, this hotlist entry,
    this camera key still what the ledger last said of it?).

    Why not ``trusted_entries`` each time: it re-hashes the whole tree per call. The follower keeps the compact tree
    it has verified; each call reads only what a newer signed checkpoint adds (its leaf hashes, and the entries of
    the kinds asked for), extends its tree with them and checks the result against the checkpoint's signed root. A
    ledger cut back below what it has seen, or below this installation's high-water mark, or a checkpoint that does
    not extend its tree, raises ``LedgerTampered``, as does an entry whose bytes no longer hash to its leaf.

    Not thread-safe: callers hold their own lock around ``new_entries``.
    """

    def __init__(self, ledger: Ledger, kinds: Iterable[str]) -> None:
        self._ledger = ledger
        self._kinds = sorted(set(kinds))
        self._tree = CompactTree()
        self._root = EMPTY_ROOT

    @property
    def size(self) -> int:
        """How many entries the follower has verified."""
        return self._tree.size

    def new_entries(self) -> list[tuple[int, dict[str, Any]]]:
        """(seq, entry) of the followed kinds that the latest signed checkpoint adds to what was seen before."""
        with self._ledger.engine.connect() as conn:
            row = conn.execute(select(ledger_checkpoints.c.note).order_by(ledger_checkpoints.c.size.desc())
                               .limit(1)).first()
            mark = _high_water(self._ledger)
            if row is None:
                if self._tree.size or (mark is not None and mark.size > 0):
                    raise LedgerTampered("the ledger's signed checkpoints were removed")
                if conn.execute(select(ledger_entries.c.seq).limit(1)).first() is None:
                    return []
                raise LedgerTampered("the ledger has no signed checkpoint")
            try:
                cp = verify_log_signature(SignedNote.parse(row[0]), self._ledger.public_key)
            except NoteError as exc:
                raise LedgerTampered(f"the latest checkpoint is not signed by the log key: {exc}") from None
            floor = max(self._tree.size, mark.size if mark is not None else 0)
            if cp.size < floor:
                raise LedgerTampered(f"the ledger was cut back: its latest signed checkpoint covers {cp.size} "
                                     f"entries, but {floor} were signed or verified before")
            if cp.size == self._tree.size:
                if cp.root != self._root:
                    raise LedgerTampered("the latest signed checkpoint does not match the tree verified before")
                return []
            tree = CompactTree(self._tree.size, list(self._tree.frontier))
            leaves = conn.execute(select(ledger_entries.c.seq, ledger_entries.c.leaf_hash).where(
                ledger_entries.c.seq >= tree.size, ledger_entries.c.seq < cp.size).order_by(ledger_entries.c.seq))
            by_seq: dict[int, bytes] = {}
            for seq, leaf in leaves:
                if seq != tree.size:
                    raise LedgerTampered(f"ledger entry {tree.size} is missing")
                if mark is not None and tree.size == mark.size and tree.root() != mark.root:
                    raise LedgerTampered(f"the ledger's first {mark.size} entries differ from what this "
                                         "installation signed or verified")
                by_seq[seq] = bytes(leaf)
                tree.append(bytes(leaf))
            if mark is not None and tree.size == mark.size and tree.root() != mark.root:
                raise LedgerTampered(f"the ledger's first {mark.size} entries differ from what this installation "
                                     "signed or verified")
            if tree.size != cp.size or tree.root() != cp.root:
                raise LedgerTampered(f"the ledger's first {cp.size} entries do not hash to the signed checkpoint")
            out = []
            for seq, data in conn.execute(select(ledger_entries.c.seq, ledger_entries.c.entry).where(
                    ledger_entries.c.kind.in_(self._kinds), ledger_entries.c.seq >= self._tree.size,
                    ledger_entries.c.seq < cp.size).order_by(ledger_entries.c.seq)):
                if leaf_hash(bytes(data)) != by_seq[seq]:
                    raise LedgerTampered(f"ledger entry {seq} was changed after it was signed")
                out.append((seq, json.loads(data)))
        self._tree, self._root = tree, cp.root
        return out
