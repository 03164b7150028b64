"""Alerts: a read that matched a hotlist entry. A match is never probable cause: a person must look at the crop
beside the hotlist record and record a disposition, and those outcomes are published as the misread rate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from platewarden.domain.errors import Conflict, Invalid, NotFound


class Disposition(StrEnum):
    CORRECT = "correct"  # the plate is the hotlist plate, region included
    WRONG_REGION = "wrong_region"  # the characters match but the plate is from another state/country
    MISREAD = "misread"  # the recogniser read the plate wrongly
    DISMISSED = "dismissed"  # e.g. entry no longer relevant; the note says why


class AlreadyDisposed(Conflict):
    """A disposition is final: a second one for the same alert is refused."""


class UnknownAlert(NotFound):
    pass


@dataclass(frozen=True)
class Alert:
    id: str
    read_id: str
    entry_id: str
    raw_text: str
    hotlist_plate: str
    distance: float
    region_verified: bool
    created_at: datetime


@dataclass(frozen=True)
class DispositionRecord:
    alert_id: str
    disposition: Disposition
    by: str
    at: datetime
    note: str

    def __post_init__(self) -> None:
        if not self.by.strip():
            raise Invalid("a disposition is made by a named person")
        if self.disposition is not Disposition.CORRECT and not self.note.strip():
            raise Invalid(f"a '{self.disposition}' disposition needs a note saying why")
