"""Hotlist entries: a plate someone has reason to look for, with where that reason came from and when it ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from platewarden.domain.plates import Region, normalize_plate


class EntryStatus(StrEnum):
    PENDING = "pending"  # proposed, awaiting approval per the policy's chain
    ACTIVE = "active"
    SUPPRESSED = "suppressed"  # found to cause misidentification (redress), kept for the record
    REMOVED = "removed"  # e.g. vehicle recovered


@dataclass(frozen=True)
class HotlistEntry:
    """An entry. ``expires_at`` is required: a stale entry is how a recovered rental car gets stopped at gunpoint."""

    id: str
    plate: str
    region: Region
    country: str | None
    reason: str
    source: str
    make: str | None
    colour: str | None
    added_by: str
    added_at: datetime
    expires_at: datetime
    status: EntryStatus = EntryStatus.PENDING
    approved_by: str | None = None

    def __post_init__(self) -> None:
        if normalize_plate(self.plate) != self.plate or not self.plate:
            raise ValueError(f"hotlist plate {self.plate!r} must be normalised (A-Z, 0-9) and not empty")
        if not self.reason.strip():
            raise ValueError("a hotlist entry needs a reason")
        if not self.source.strip():
            raise ValueError("a hotlist entry needs a source (who asked for it)")
        if self.expires_at <= self.added_at:
            raise ValueError("a hotlist entry must expire after it was added")

    def is_active(self, now: datetime) -> bool:
        return self.status is EntryStatus.ACTIVE and now < self.expires_at
