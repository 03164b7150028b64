"""Builders for the events each part of the system appends. Personal data appears only as digests: ciphertext
digests for stored reads, keyed references (HMAC) for plates, whose space is too small for a plain hash."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from platewarden.domain.alerts import Alert, DispositionRecord
from platewarden.domain.hotlist import HotlistEntry
from platewarden.ledger.entries import Event, EventKind, digest
from platewarden.ledger.merkle import leaf_hash, root_of


def read_batch(rows: Sequence[dict[str, Any]], cameras: Sequence[str], at: datetime) -> Event:
    """One entry per batch of stored reads: the Merkle root over their row digests (RFC 6962 leaves)."""
    digests = [leaf_hash(r["row_digest"]) for r in rows]
    days = sorted({r["day"].isoformat() if isinstance(r["day"], date) else str(r["day"]) for r in rows})
    return Event(EventKind.READ_BATCH, at, "system", {
        "count": len(rows), "root": root_of(digests).hex(), "first_read_id": rows[0]["id"], "days": days,
        "cameras": sorted(set(cameras))})


def plate_ref(key: bytes, plate: str) -> str:
    """A keyed reference to a plate: equal plates give equal references, and nothing can be learned without the key."""
    return hmac.new(key, plate.encode(), hashlib.sha256).hexdigest()[:32]


def hotlist_added(entry: HotlistEntry, ref_key: bytes) -> Event:
    return Event(EventKind.HOTLIST_CHANGE, entry.added_at, entry.added_by, {
        "action": "add", "id": entry.id, "plate_ref": plate_ref(ref_key, entry.plate), "region": entry.region.value,
        "source_digest": digest(entry.source), "reason_digest": digest(entry.reason),
        "expires_at": entry.expires_at.isoformat()})


def alert_raised(alert: Alert, at: datetime) -> Event:
    return Event(EventKind.ALERT_RAISED, at, "system", {
        "alert_id": alert.id, "read_id": alert.read_id, "entry_id": alert.entry_id, "distance": alert.distance,
        "region_verified": alert.region_verified})


def alert_viewed(alert_id: str, actor: str, at: datetime, purpose: str) -> Event:
    return Event(EventKind.ALERT_VIEWED, at, actor, {"alert_id": alert_id, "purpose_digest": digest(purpose)})


def alert_disposed(record: DispositionRecord) -> Event:
    return Event(EventKind.ALERT_DISPOSITION, record.at, record.by, {
        "alert_id": record.alert_id, "disposition": record.disposition.value, "note_digest": digest(record.note)})
