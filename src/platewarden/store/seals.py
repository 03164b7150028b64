"""Seals on governed rows: an HMAC-SHA-256 over what a row means (who approved what, which roles an account holds,
which session or token belongs to whom), under a key derived from the master key.

Why: whoever can write to the database but does not hold the master key (a DBA, a leaked backup restored elsewhere,
SQL injection) could otherwise insert approval rows, set a request active, grant roles, or add a session or token
row, and the running server would act on them. With seals, governance acts only on rows it sealed itself: a row whose
seal is missing or wrong is treated as absent and refused, and ``platewarden audit reconcile`` names it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date, datetime
from typing import Any

from platewarden.domain.errors import NotFound


class ForgedRecord(NotFound):
    """A governed row that fails its seal: changed or made outside platewarden. Treated as absent."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "a governed record fails its seal"


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, (list, tuple, frozenset, set)):
        items = [_canonical(v) for v in value]
        return sorted(items) if isinstance(value, (frozenset, set)) else items
    return value


class RecordSeal:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def of(self, kind: str, *fields: Any) -> bytes:
        """The seal of a row of ``kind`` with these meaningful fields (order matters, types are canonicalised)."""
        data = json.dumps([kind, *(_canonical(f) for f in fields)], separators=(",", ":"), ensure_ascii=False)
        return hmac.new(self._key, data.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()

    def holds(self, stored: bytes | None, kind: str, *fields: Any) -> bool:
        return stored is not None and hmac.compare_digest(bytes(stored), self.of(kind, *fields))


# The fields of each governed table that its seal covers: what grants access or records a decision. Counters and
# timestamps that change with use (failed sign-ins, last seen) are left out; so are columns whose change can only
# take access away (a session's end).
SEALED_FIELDS: dict[str, tuple[str, ...]] = {
    "search_requests": ("id", "case_number", "offence", "scope", "requested_by", "requested_at", "exigent", "status",
                        "valid_until", "agreement_id"),
    "approval_steps": ("request_id", "level", "role", "decided_by", "decision", "reason", "decided_at"),
    "users": ("id", "username", "roles", "active", "created_by", "grant_approved_by"),
    "api_tokens": ("token_hash", "user_id", "expires_at", "revoked"),
    "sessions": ("id_hash", "user_id", "created_at", "expires_at", "mfa_pending"),
    "sso_links": ("issuer", "subject", "user_id", "created_at"),
    # what makes an alert (an active entry, its plate, its expiry), what lets reads in (an approved camera, a
    # camera's signing key), and what keeps reads past retention (a hold and the reads it names)
    "hotlist_entries": ("id", "plate", "region", "country", "added_by", "added_at", "expires_at", "status",
                        "approved_by"),
    "cameras": ("id", "latitude", "longitude", "road_segment", "status", "approved_via", "jurisdictions"),
    "camera_keys": ("id", "camera_id", "public_key", "registered_at", "registered_via", "retired_at", "revoked_at"),
    "holds": ("id", "case_number", "requested_by", "approved_by", "created_at", "review_by", "released_at"),
    "held_reads": ("hold_id", "read_id"),
    # what widens watching (a zone's area, threshold, expiry, key) and what sends reads abroad (an agreement)
    "zones": ("id", "polygon", "min_sightings", "window_hours", "requested_by", "requested_at", "expires_at",
              "status", "wrapped_key", "activated_at"),
    "sharing_agreements": ("id", "partner", "jurisdiction", "purposes", "retention_days", "valid_until",
                           "partner_key", "requested_by", "requested_at", "status"),
    # where alerts go: an outlet a database writer adds or re-activates receives nothing
    "webhooks": ("id", "url", "purpose", "proposed_by", "approved_by", "status"),
}


def row_seal(seal: RecordSeal, table: str, row: Any) -> bytes:
    """The seal a row of a governed table should carry (``row``: a mapping or a Row with the sealed columns)."""
    m = row._mapping if hasattr(row, "_mapping") else row
    return seal.of(table, *(m[f] for f in SEALED_FIELDS[table]))


def row_holds(seal: RecordSeal, table: str, row: Any) -> bool:
    m = row._mapping if hasattr(row, "_mapping") else row
    return seal.holds(m["seal"], table, *(m[f] for f in SEALED_FIELDS[table]))
