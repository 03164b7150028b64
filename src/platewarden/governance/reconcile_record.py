"""When ``audit reconcile`` last ran and what it found, as the ledger records it (``governance.reconcile``
ledgers each run): for the auditor's home, without running the check on a page load."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from platewarden.ledger.entries import EventKind
from platewarden.ledger.log import Ledger


@dataclass(frozen=True)
class LastReconcile:
    at: datetime
    disagreements: int
    tables: tuple[str, ...]


def last_reconcile(ledger: Ledger) -> LastReconcile | None:
    """The latest recorded reconcile (None when none is in the ledger's recent entries)."""
    found, _ = ledger.find(EventKind.RECONCILE.value, limit=1)
    if not found:
        return None
    _, entry = found[0]
    body = entry.get("body", {})
    return LastReconcile(datetime.fromisoformat(str(entry["at"])), int(body.get("disagreements", 0)),
                         tuple(str(t) for t in body.get("tables", [])))
