"""The state of each governed object as the signed ledger records it, for comparison with its row.

A row's seal proves platewarden wrote it, not that it is the latest thing platewarden wrote: a database writer who
kept an old copy of a sealed row (an outlet before its removal, an agreement before it ended, a hold before its
release) can put it back, and its seal still holds. Every change of state is ledgered, so the ledger's last word on an
object is what its row must say; ``audit reconcile`` names every row where the two differ.

Pure: it reads ledger entry bodies (already checked against the signed tree by ``ledger.trusted``) and rows' fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from platewarden.ledger.entries import EventKind


@dataclass(frozen=True)
class LedgeredState:
    """How one governed table's state follows from its ledger events."""

    table: str
    kind: EventKind
    key: str  # the body field naming the object
    # action (and the body) -> the state it leaves the object in; None: the action does not change the state
    after: Callable[[str, Mapping[str, Any]], str | None]
    # the row -> its state, in the same words
    of_row: Callable[[Mapping[str, Any]], str]


def _outlet(action: str, body: Mapping[str, Any]) -> str | None:
    if action == "approved":
        return "active" if body.get("active") else "pending"
    return {"propose": "pending", "rejected": "rejected", "remove": "removed"}.get(action)


def _agreement(action: str, body: Mapping[str, Any]) -> str | None:
    if action == "approved":
        return "active" if body.get("active") else "pending"
    return {"propose": "pending", "rejected": "rejected", "end": "ended"}.get(action)


def _hold(action: str, body: Mapping[str, Any]) -> str | None:
    return {"request": "requested", "place": "placed", "release": "released"}.get(action)


def _hold_row(row: Mapping[str, Any]) -> str:
    return "released" if row["released_at"] is not None else "requested" if row["approved_by"] is None else "placed"


LEDGERED: tuple[LedgeredState, ...] = (
    LedgeredState("webhooks", EventKind.NOTIFICATION_OUTLET, "outlet", _outlet, lambda r: str(r["status"])),
    LedgeredState("sharing_agreements", EventKind.SHARING, "agreement_id", _agreement, lambda r: str(r["status"])),
    LedgeredState("holds", EventKind.HOLD, "id", _hold, _hold_row),
)


def ledger_states(spec: LedgeredState, entries: list[tuple[int, dict[str, Any]]]) -> dict[str, str]:
    """Object key (as text) -> its state after the last state-changing entry, in ledger order."""
    states: dict[str, str] = {}
    for _, entry in sorted(entries, key=lambda e: e[0]):
        if entry.get("kind") != spec.kind.value:
            continue
        body = entry.get("body", {})
        key = body.get(spec.key)
        state = spec.after(str(body.get("action", "")), body)
        if key is not None and state is not None:
            states[str(key)] = state
    return states


def disagreement(spec: LedgeredState, row: Mapping[str, Any], states: Mapping[str, str]) -> str | None:
    """Why the ledger does not bear out this (genuinely sealed) row's state, or None."""
    key = str(row["id"])
    recorded = states.get(key)
    if recorded is None:
        return "the ledger records nothing of it (a row platewarden never announced)"
    state = spec.of_row(row)
    if state != recorded:
        return f"the row says {state}, the ledger's last word is {recorded} (an old copy of the row put back?)"
    return None
