"""The ledger's last word on each governed object, checked every time the object is used.

A row's seal proves platewarden wrote it, not that it is the latest thing platewarden wrote: a database writer who
kept an old, validly sealed copy of a row (a hold before its release, a hotlist entry before redress suppressed it, a
camera key before its revocation, an account before its roles were cut) can put it back. ``audit reconcile`` names
such rows after the fact; this refuses them at the moment they would grant something — the hold that would keep
reads past their day, the entry that would raise an alert, the key that would let a device publish, the account that
would sign in.

One instance per process (``Platform.last_word``): it follows the signed ledger incrementally
(``ledger.trusted.TrustedFollower``) and folds the entries into each governed table's states
(``governance.ledgered_state``). A ledger that no longer matches its signed checkpoints fails every check closed:
nothing it would vouch for is granted until the ledger is repaired.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from platewarden.governance.ledgered_state import LEDGERED, LedgeredState, disagreement
from platewarden.ledger.log import Ledger
from platewarden.ledger.trusted import LedgerTampered, TrustedFollower

log = logging.getLogger(__name__)

_SPECS: dict[str, LedgeredState] = {spec.table: spec for spec in LEDGERED}


class LastWord:
    def __init__(self, ledger: Ledger) -> None:
        self._follower = TrustedFollower(ledger, {kind.value for spec in LEDGERED for kind in spec.kinds})
        self._states: dict[str, dict[str, str]] = {spec.table: {} for spec in LEDGERED}
        self._lock = threading.Lock()

    def _refresh(self) -> str | None:
        """Bring the states up to the latest signed checkpoint; why the ledger cannot be relied on, or None."""
        with self._lock:
            try:
                new = self._follower.new_entries()
            except LedgerTampered as exc:
                return f"the ledger cannot vouch for it: {exc}"
            for _, entry in new:
                kind, body = str(entry.get("kind")), entry.get("body", {})
                for spec in LEDGERED:
                    if kind in {k.value for k in spec.kinds}:
                        self._states[spec.table].update(spec.fold(kind, body, self._states[spec.table]))
            return None

    def refusal(self, table: str, row: Mapping[str, Any]) -> str | None:
        """Why this (genuinely sealed) row of a governed table must not be used, or None when the signed ledger's
        last word on its object is what the row says (or the ledger predates recording it)."""
        spec = _SPECS[table]
        problem = self._refresh()
        if problem is None:
            with self._lock:
                problem = disagreement(spec, row, self._states[table])
        if problem is not None:
            log.error("%s %s refused at use: %s (platewarden audit reconcile)", table, spec.key_of_row(row), problem)
        return problem

    def bears_out(self, table: str, row: Mapping[str, Any]) -> bool:
        return self.refusal(table, row) is None
