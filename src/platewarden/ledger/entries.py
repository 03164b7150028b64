"""Ledger entries: canonical JSON (RFC 8785) of governed events. Never a plaintext plate: events carry digests.

Each entry names its position (``seq``) and the leaf hash of the entry before it (``prev``), so an offline
verifier can point at the first entry that was changed, removed or reordered, not just say that the root differs.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import rfc8785


class EventKind(StrEnum):
    READ_BATCH = "read_batch"  # a batch of stored reads: count and Merkle root of their digests
    SEARCH = "search"
    SEARCH_REFUSED = "search_refused"
    APPROVAL = "approval"
    REJECTION = "rejection"
    HOTLIST_CHANGE = "hotlist_change"
    ALERT_RAISED = "alert_raised"
    ALERT_DISPOSITION = "alert_disposition"
    ALERT_VIEWED = "alert_viewed"
    HOLD = "hold"
    DESTRUCTION = "destruction"
    POLICY_CHANGE = "policy_change"
    CAMERA_DEPLOYMENT = "camera_deployment"
    ACCOUNT_CHANGE = "account_change"
    EXIGENT_REVIEW = "exigent_review"
    REVOCATION = "revocation"
    EVIDENCE_EXPORT = "evidence_export"
    REDRESS = "redress"
    READ_REFUSED = "read_refused"  # reads offered by a camera that is not approved
    ZONE_WATCH = "zone_watch"
    ZONE_ALERT = "zone_alert"
    SHARING = "sharing"
    REPORT = "report"  # a compliance snapshot was gathered (its digest)
    NOTIFICATION_OUTLET = "notification_outlet"  # an alert webhook proposed, decided or removed
    HOTLIST_VIEWED = "hotlist_viewed"  # someone listed hotlist entries (which list, how many; never the plates)
    RECONCILE = "reconcile"  # governed rows checked against their seals and the ledger: how many disagree, where


# Values that look like a plate (letters and digits mixed, 4-10 long) are refused in free-text fields: a ledger
# entry outlives the data it describes, so it must never hold the data itself.
_PLATE_LIKE = re.compile(r"\b(?=[A-Z0-9]*[0-9])(?=[A-Z0-9]*[A-Z])[A-Z0-9]{4,10}\b")
_ALLOWED_KEYS_WITH_IDS = {"id", "read_id", "alert_id", "entry_id", "case", "root", "digest", "fingerprint",
                          "data_key_fingerprint", "index_key_fingerprint", "camera_id", "results_digest",
                          "request_id", "authorization_id", "origin", "first_read_id", "cameras",
                          "requested_by", "approvers", "proposal_id", "zone_id", "agreement_id",
                          "segment", "partner", "alert_ids", "receipt_id",
                          "contents_digest", "by", "host"}  # ids, user labels and host names, never plates


class PlaintextInLedger(ValueError):
    pass


def digest(value: str | bytes) -> str:
    """SHA-256 hex of a value: how the ledger refers to personal data without holding it."""
    return hashlib.sha256(value.encode() if isinstance(value, str) else value).hexdigest()


def with_reason(body: dict[str, Any], why: str) -> dict[str, Any]:
    """``body`` plus a readable reason, or only the reason's digest where the reason echoes what someone typed and
    that looks like a plate (a ledger entry outlives the data it describes)."""
    try:
        _check_no_plates(why, "reason")
    except PlaintextInLedger:
        return {**body, "reason": "see reason_digest", "reason_digest": digest(why)}
    return {**body, "reason": why}


def _check_no_plates(obj: Any, key: str = "") -> None:
    if isinstance(obj, dict):
        for k, v in obj.items():
            _check_no_plates(v, k)
    elif isinstance(obj, list):
        for v in obj:
            _check_no_plates(v, key)
    elif (isinstance(obj, str) and key not in _ALLOWED_KEYS_WITH_IDS and not re.fullmatch(r"[0-9a-f]{16,}", obj)
          and _PLATE_LIKE.search(obj.upper()) and not re.fullmatch(r"[0-9T:\-.+Z]+", obj)):
        raise PlaintextInLedger(f"field {key!r} looks like it holds a plate; ledger entries carry digests")


@dataclass(frozen=True)
class Event:
    """A governed act before it is placed in the log."""

    kind: EventKind
    at: datetime
    actor: str
    body: dict[str, Any]

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("ledger times must be timezone-aware")
        if not self.actor.strip():
            raise ValueError("every ledger entry is attributed to someone (a person or 'system')")
        _check_no_plates(self.body)


def _has_float_or_astral(obj: Any) -> bool:
    if isinstance(obj, float):
        return True
    if isinstance(obj, str):
        return not obj.isascii() and len(obj.encode("utf-16-le")) != 2 * len(obj)
    if isinstance(obj, dict):
        return any(_has_float_or_astral(k) or _has_float_or_astral(v) for k, v in obj.items())
    if isinstance(obj, list):
        return any(_has_float_or_astral(v) for v in obj)
    return False


def canonical_json(obj: Any) -> bytes:
    """RFC 8785. Without floats or characters beyond the BMP, Python's sorted compact JSON is byte-identical to
    RFC 8785 (and several times faster); otherwise the ``rfc8785`` library does the number formatting."""
    if _has_float_or_astral(obj):
        return bytes(rfc8785.dumps(obj))
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def encode_entry(seq: int, prev: bytes, event: Event) -> bytes:
    """The exact bytes that are hashed into the tree."""
    obj: Any = {"v": 1, "seq": seq, "prev": prev.hex(), "kind": event.kind.value,
           "at": event.at.isoformat(timespec="microseconds"), "actor": event.actor, "body": event.body}
    return canonical_json(obj)


def decode_entry(data: bytes, strict: bool = True) -> dict[str, Any]:
    """Parse entry bytes; raises ValueError unless they are JSON of an entry (and, when ``strict``, canonical).

    Tampering is caught by the hashes either way; canonical form only shows that the log wrote what it should."""
    try:
        obj = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not JSON: {exc}") from exc
    if not isinstance(obj, dict) or set(obj) != {"v", "seq", "prev", "kind", "at", "actor", "body"}:
        raise ValueError("not a ledger entry (wrong fields)")
    if strict and canonical_json(obj) != data:
        raise ValueError("not in canonical form (RFC 8785)")
    return obj
