"""Approval chains: who may take the next step, pure logic shared by searches, hotlist entries and later zone
watches and camera deployments.

Rules: the applicant holds the chain's first role; each later level is decided by a different person holding that
level's role; nobody approves their own request; nobody decides two levels of one request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from platewarden.domain.errors import Refused
from platewarden.domain.roles import Role
from platewarden.domain.users import User


class ApprovalRefused(Refused):
    """An approval step that the rules do not allow; the reason is ledgered."""


@dataclass(frozen=True)
class Step:
    level: int
    role: Role
    decided_by: str  # user id
    decision: str  # approved / rejected
    reason: str
    decided_at: datetime


def check_applicant(chain: list[Role], applicant: User) -> None:
    if chain[0] not in applicant.roles:
        raise ApprovalRefused(f"only a {chain[0].value} may apply")


def next_level(chain: list[Role], steps: list[Step]) -> int | None:
    """The level awaiting a decision, or None when the chain is complete (or was rejected)."""
    if any(s.decision == "rejected" for s in steps):
        return None
    level = 1 + sum(s.decision == "approved" for s in steps)
    return level if level < len(chain) else None


def check_approver(chain: list[Role], steps: list[Step], applicant_id: str, approver: User) -> tuple[int, Role]:
    """(level, role) the approver may decide, or ApprovalRefused saying why not."""
    level = next_level(chain, steps)
    if level is None:
        raise ApprovalRefused("nothing awaits a decision on this request")
    role = chain[level]
    if approver.id == applicant_id:
        raise ApprovalRefused("nobody approves their own request")
    if role not in approver.roles:
        raise ApprovalRefused(f"level {level} needs a {role.value}; this person is not one")
    if any(s.decided_by == approver.id for s in steps):
        raise ApprovalRefused("each level is decided by a different person")
    return level, role


def awaits(chain: list[Role], steps: list[Step], applicant_id: str, user: User) -> bool:
    """Whether ``user`` may decide the next level now (what an approvals inbox shows)."""
    try:
        check_approver(chain, steps, applicant_id, user)
    except ApprovalRefused:
        return False
    return True
