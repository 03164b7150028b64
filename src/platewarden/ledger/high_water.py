"""The high-water mark: the largest checkpoint this installation has signed or verified, kept beside the log key,
outside the database.

Why: a database writer cannot sign a checkpoint, but can cut the ledger back to an older one, with its rows — undoing
a revocation, a rejection, a release — and the older checkpoint still verifies. Only something the database does
not hold can tell that a later checkpoint existed. Before governance relies on the ledger (``ledger/trusted.py``),
the latest checkpoint must be at least as large as this mark and extend it; the mark rises whenever a transaction
that signed a checkpoint commits, and whenever a larger checkpoint is verified. Witnesses give the same guarantee to
outsiders; this gives it to the running installation, with nobody else's help.

Each host keeps its own mark (a server and a CLI on another machine each know what they signed); a mark never goes
down, and concurrent writers on one host serialise on a file lock.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from platewarden.ledger.merkle import CompactTree


class LedgerCutBack(RuntimeError):
    """The ledger does not extend what this installation signed or verified: cut back or rewritten."""


class HighWaterError(RuntimeError):
    """The mark's file is unreadable: a clear refusal, never a silent reset to zero."""


@dataclass(frozen=True)
class Mark:
    size: int
    root: bytes
    frontier: tuple[bytes, ...]  # the compact tree at ``size``: checking that a larger tree extends the mark reads
    #                              only the leaves after it

    def tree(self) -> CompactTree:
        return CompactTree(self.size, list(self.frontier))


class HighWaterMark:
    def __init__(self, path: Path) -> None:
        self.path = path

    def get(self) -> Mark | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            mark = Mark(int(data["size"]), bytes.fromhex(data["root"]),
                        tuple(bytes.fromhex(h) for h in data["frontier"]))
            if mark.tree().root() != mark.root:
                raise ValueError("its frontier does not give its root")
            return mark
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError, OSError) as exc:
            raise HighWaterError(f"{self.path} is unreadable ({exc}): restore it from a backup, or take the size and "
                                 "root from a checkpoint a witness cosigned") from exc

    def raise_to(self, tree: CompactTree) -> None:
        """Record the tree if it is larger than the mark; never lowers it. The caller has checked that the tree
        extends the mark (``extends``)."""
        size, root = tree.size, tree.root()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = os.open(self.path.with_suffix(".lock"), os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            current = self.get()
            if current is not None and current.size >= size:
                return
            tmp = self.path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"size": size, "root": root.hex(), "frontier": [h.hex() for h in tree.frontier]}, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        finally:
            os.close(lock)


def extends(mark: Mark, size: int, root: bytes, leaves_after_mark: Iterable[bytes]) -> CompactTree | None:
    """The tree (``size``, ``root``) as a compact tree if it extends ``mark`` (its leaves from ``mark.size`` on, in
    order, rebuild exactly that root); None if it does not (a cut-back or rewritten ledger)."""
    if size < mark.size:
        return None
    tree = mark.tree()
    for leaf in leaves_after_mark:
        if tree.size >= size:
            break
        tree.append(leaf)
    return tree if tree.size == size and tree.root() == root else None
