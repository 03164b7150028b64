"""Does the ledger bear out a search authorization? The tables say what a request's state is; the ledger records each
act that made it so. A search runs only when both agree, and ``audit reconcile`` lists every request where they
do not.

What the ledger must show for a request: its application (same case, same exigent flag); no rejection, revocation
or not-upheld exigent review; and, for an ordinary request, an approval entry for every approval step the table
holds (same level, role and person) and one that completed the authorization.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from platewarden.ledger.entries import EventKind

AUTHORIZATION_KINDS = (EventKind.SEARCH.value, EventKind.APPROVAL.value, EventKind.REJECTION.value,
                       EventKind.REVOCATION.value, EventKind.EXIGENT_REVIEW.value)


def by_request(entries: list[tuple[int, dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for _, e in entries:
        rid = e.get("body", {}).get("request_id")
        if isinstance(rid, str):
            out.setdefault(rid, []).append(e)
    return out


def ledger_disagreement(request_id: str, case_number: str, exigent: bool, status: str,
                        steps: list[tuple[int, str, str]], events: list[dict[str, Any]],
                        label_of: Callable[[str], str]) -> str | None:
    """Why the ledger does not bear out the table's request, or None. ``steps``: (level, role, user id)."""
    applied = [e for e in events if e["kind"] == EventKind.SEARCH.value and e["body"].get("action") == "apply"]
    if not applied:
        return f"request {request_id}: the ledger has no application for it"
    if applied[0]["body"].get("case") != case_number or bool(applied[0]["body"].get("exigent")) != exigent:
        return f"request {request_id}: its case or exigent flag differs from the ledger's application"
    revoked = any(e["kind"] == EventKind.REVOCATION.value or (
        e["kind"] == EventKind.EXIGENT_REVIEW.value and e["body"].get("upheld") is False) for e in events)
    rejected = any(e["kind"] == EventKind.REJECTION.value for e in events)
    if status in ("active", "exigent", "pending") and revoked:
        return f"request {request_id}: the table says {status}, the ledger records its revocation"
    if status in ("active", "exigent", "pending") and rejected:
        return f"request {request_id}: the table says {status}, the ledger records its rejection"
    approvals = {(e["body"].get("level"), e["body"].get("role"), e["actor"]) for e in events
                 if e["kind"] == EventKind.APPROVAL.value}
    if not exigent:
        for level, role, user_id in steps:
            if (level, role, label_of(user_id)) not in approvals and not rejected:
                return f"request {request_id}: approval at level {level} ({role}) is not in the ledger"
        complete = any(e["kind"] == EventKind.APPROVAL.value and e["body"].get("authorization_complete")
                       for e in events)
        if status == "active" and not complete:
            return f"request {request_id}: the table says active, the ledger records no completed authorization"
    return None
