"""The state of each governed object as the signed ledger records it, for comparison with its row.

A row's seal proves platewarden wrote it, not that it is the latest thing platewarden wrote: a database writer who
kept an old copy of a sealed row (an outlet before its removal, an agreement before it ended, a hold before its
release, a hotlist entry before redress suppressed it, a zone before it was revoked, a camera or its key before it was
decommissioned or revoked, an account before its roles were cut) can put it back, and its seal still holds. Every
change of state is ledgered, so the ledger's last word on an object is what its row must say; ``audit reconcile``
names every row where the two differ.

Each governed table says how its objects' states follow from ledger entries (a fold over the entries in ledger
order) and how to read the same state off a row. Where the ledger cannot tell (entries written before the ledger
recorded that detail) the state is ``UNKNOWN`` and the row is not compared.

Pure: it reads ledger entry bodies (already checked against the signed tree by ``ledger.trusted``) and rows' fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from platewarden.edge.identity import IdentityError, fingerprint
from platewarden.ledger.entries import EventKind

UNKNOWN = "?"  # the ledger does not say (an entry from before it recorded this): the row is not compared

# one ledger entry (its kind and body) and the states so far -> the objects it changes and their new states
Fold = Callable[[str, Mapping[str, Any], Mapping[str, str]], Iterable[tuple[str, str]]]


@dataclass(frozen=True)
class LedgeredState:
    """How one governed table's states follow from its ledger events."""

    table: str
    kinds: tuple[EventKind, ...]
    fold: Fold
    of_row: Callable[[Mapping[str, Any]], str]  # the row -> its state, in the fold's words
    key_of_row: Callable[[Mapping[str, Any]], str] = lambda r: str(r["id"])


def _simple(kind: EventKind, key: str, after: Callable[[str, Mapping[str, Any]], str | None]) -> Fold:
    """A fold where one entry of ``kind`` changes the one object its body names under ``key``."""

    def fold(entry_kind: str, body: Mapping[str, Any], _: Mapping[str, str]) -> Iterable[tuple[str, str]]:
        if entry_kind != kind.value or body.get(key) in (None, ""):
            return ()
        state = after(str(body.get("action", "")), body)
        return () if state is None else ((str(body[key]), state),)

    return fold


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


def _zone(action: str, body: Mapping[str, Any]) -> str | None:
    if action == "approved":
        return "active" if body.get("active") else "pending"
    return {"designate": "pending", "rejected": "rejected", "expired": "expired", "revoked": "revoked"}.get(action)


def _hotlist(kind: str, body: Mapping[str, Any], _: Mapping[str, str]) -> Iterable[tuple[str, str]]:
    """Proposed (``add``: pending), activated by the chain's last approval, suppressed by an upheld complaint."""
    if kind == EventKind.HOTLIST_CHANGE.value and body.get("action") == "add" and body.get("id"):
        return ((str(body["id"]), "pending"),)
    if kind == EventKind.APPROVAL.value and body.get("entry_id") and body.get("authorization_complete"):
        return ((str(body["entry_id"]), "active"),)
    if kind == EventKind.REDRESS.value and body.get("action") == "decide" and body.get("entry_id"):
        return ((str(body["entry_id"]), "suppressed"),)
    return ()


def _camera(action: str, body: Mapping[str, Any]) -> str | None:
    if action == "import" or (action == "approved" and "cameras_on_segment" in body):  # the chain's last step
        return "approved"
    return "decommissioned" if action == "decommission" else None


# A camera's keys: the one registered (with its approval or import, or by rotation) is active and the camera's
# earlier active key retired; a revocation or decommissioning revokes every key of the camera not yet revoked. The
# fold keys states by "camera fingerprint" so a camera's keys can be found.
def _camera_keys(kind: str, body: Mapping[str, Any], states: Mapping[str, str]) -> Iterable[tuple[str, str]]:
    if kind != EventKind.CAMERA_DEPLOYMENT.value or not body.get("camera_id"):
        return ()
    action, camera = str(body.get("action", "")), str(body["camera_id"])
    own = [k for k in states if k.split(" ", 1)[0] == camera]
    registers = action in ("import", "key_rotate") or (action == "approved" and "cameras_on_segment" in body)
    if registers and body.get("edge_key"):
        return [*((k, "retired") for k in own if states[k] == "active"), (f"{camera} {body['edge_key']}", "active")]
    if action == "key_revoke" or (action == "decommission" and body.get("keys_revoked")):
        return [(k, "revoked") for k in own if states[k] != "revoked"]
    return ()


def _key_row(row: Mapping[str, Any]) -> str:
    return "revoked" if row["revoked_at"] is not None else "retired" if row["retired_at"] is not None else "active"


def _key_of_key_row(row: Mapping[str, Any]) -> str:
    try:  # from the key itself: a fingerprint column is not sealed
        return f"{row['camera_id']} {fingerprint(str(row['public_key']))}"
    except IdentityError:
        return f"{row['camera_id']} (unreadable key)"


def _account_state(roles: Iterable[str], awaiting: bool, active: bool) -> str:
    return (f"roles {','.join(sorted(r for r in roles if r))}; "
            f"{'awaiting approval' if awaiting else 'granted'}; {'active' if active else 'inactive'}")


def _split(state: str) -> tuple[list[str], bool, bool] | None:
    if state == UNKNOWN:
        return None
    roles, grant, active = state.split("; ")
    return roles.removeprefix("roles ").split(","), grant == "awaiting approval", active == "active"


def _account(kind: str, body: Mapping[str, Any], states: Mapping[str, str]) -> Iterable[tuple[str, str]]:
    """An account's roles, whether a second person has approved them, and whether it is active: set when it is
    created, changed by the grant's approval, deactivation and reactivation, and a change of roles (which waits for
    approval again where it adds any)."""
    if kind != EventKind.ACCOUNT_CHANGE.value or not body.get("id"):
        return ()
    uid, action = str(body["id"]), str(body.get("action", ""))
    if action == "create":
        awaiting = body.get("grant") == "awaiting approval"
        return ((uid, _account_state(body.get("roles", []), awaiting, not awaiting)),)
    now = _split(states.get(uid, UNKNOWN))
    if action == "set_roles_of":
        if "roles" not in body:  # written before the ledger recorded the roles themselves
            return ((uid, UNKNOWN),)
        if body.get("awaiting_approval"):  # roles added: inactive until a second person approves them
            return ((uid, _account_state(body["roles"], True, False)),)
        return ((uid, UNKNOWN if now is None else _account_state(body["roles"], now[1], now[2])),)
    if now is None:
        return ()
    roles, awaiting, _ = now
    if action == "grant_approved":
        return ((uid, _account_state(roles, False, True)),)
    if action in ("deactivate", "reactivate"):
        return ((uid, _account_state(roles, awaiting, action == "reactivate")),)
    return ()


def _account_row(row: Mapping[str, Any]) -> str:
    return _account_state(str(row["roles"]).split(","), row["grant_approved_by"] is None, bool(row["active"]))


LEDGERED: tuple[LedgeredState, ...] = (
    LedgeredState("webhooks", (EventKind.NOTIFICATION_OUTLET,),
                  _simple(EventKind.NOTIFICATION_OUTLET, "outlet", _outlet), lambda r: str(r["status"])),
    LedgeredState("sharing_agreements", (EventKind.SHARING,),
                  _simple(EventKind.SHARING, "agreement_id", _agreement), lambda r: str(r["status"])),
    LedgeredState("holds", (EventKind.HOLD,), _simple(EventKind.HOLD, "id", _hold), _hold_row),
    LedgeredState("hotlist_entries", (EventKind.HOTLIST_CHANGE, EventKind.APPROVAL, EventKind.REDRESS), _hotlist,
                  lambda r: str(r["status"])),
    LedgeredState("zones", (EventKind.ZONE_WATCH,), _simple(EventKind.ZONE_WATCH, "zone_id", _zone),
                  lambda r: str(r["status"])),
    LedgeredState("cameras", (EventKind.CAMERA_DEPLOYMENT,), _simple(EventKind.CAMERA_DEPLOYMENT, "camera_id",
                                                                    _camera), lambda r: str(r["status"])),
    LedgeredState("camera_keys", (EventKind.CAMERA_DEPLOYMENT,), _camera_keys, _key_row, _key_of_key_row),
    LedgeredState("users", (EventKind.ACCOUNT_CHANGE,), _account, _account_row),
)


def ledger_states(spec: LedgeredState, entries: list[tuple[int, dict[str, Any]]]) -> dict[str, str]:
    """Object key -> its state after the last state-changing entry, in ledger order."""
    kinds = {k.value for k in spec.kinds}
    states: dict[str, str] = {}
    for _, entry in sorted(entries, key=lambda e: e[0]):
        kind = str(entry.get("kind"))
        if kind in kinds:
            states.update(spec.fold(kind, entry.get("body", {}), states))
    return states


def disagreement(spec: LedgeredState, row: Mapping[str, Any], states: Mapping[str, str]) -> str | None:
    """Why the ledger does not bear out this (genuinely sealed) row's state, or None."""
    recorded = states.get(spec.key_of_row(row))
    if recorded is None:
        return "the ledger records nothing of it (a row platewarden never announced)"
    state = spec.of_row(row)
    if recorded != UNKNOWN and state != recorded:
        return f"the row says {state}, the ledger's last word is {recorded} (an old copy of the row put back?)"
    return None
