"""Redress for a person misidentified: a complaint, its review, and — when upheld — compensation and, where the
hotlist entry was at fault, its suppression. Following the seed (§4.2), the user of the technology (the operating
agency) bears the main liability unless the review finds and states otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from platewarden.domain.errors import Conflict, Invalid


class ComplaintState(StrEnum):
    RECEIVED = "received"
    UNDER_REVIEW = "under_review"
    UPHELD = "upheld"
    REJECTED = "rejected"


class LiableParty(StrEnum):
    OPERATOR = "operator"  # the agency using the technology
    SUPPLIER = "supplier"  # the developer/vendor of the algorithm


TRANSITIONS = {
    ComplaintState.RECEIVED: {ComplaintState.UNDER_REVIEW},
    ComplaintState.UNDER_REVIEW: {ComplaintState.UPHELD, ComplaintState.REJECTED},
}


class RedressError(Invalid):
    """A complaint or a decision that does not hold together (a missing reason, a negative amount)."""


class RedressConflict(RedressError, Conflict):
    """A step the complaint's state does not allow (deciding one not under review, reviewing one twice)."""


@dataclass(frozen=True)
class ComplaintDetails:
    """What the complainant tells us (personal data: sealed at rest)."""

    plate: str
    date: str
    place: str
    what_happened: str
    contact: str

    def __post_init__(self) -> None:
        for name in ("plate", "date", "place", "what_happened", "contact"):
            if not getattr(self, name).strip():
                raise RedressError(f"a complaint needs {name.replace('_', ' ')}")


@dataclass(frozen=True)
class Compensation:
    amount: float
    currency: str
    liable: LiableParty
    reason: str

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise RedressError("compensation cannot be negative")
        if not self.reason.strip():
            raise RedressError("a compensation decision states its reason")


def check_transition(current: ComplaintState, new: ComplaintState) -> None:
    if new not in TRANSITIONS.get(current, set()):
        raise RedressConflict(f"a complaint cannot go from {current.value} to {new.value}")


@dataclass(frozen=True)
class Complaint:
    id: str
    received_at: datetime
    state: ComplaintState
    details: ComplaintDetails
    reviewer: str | None
    decision_reason: str | None
    linked_alerts: tuple[str, ...]
    compensation: Compensation | None
    suppressed_entry: str | None
