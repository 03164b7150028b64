"""Camera deployment review (seed §4.3): a camera is proposed with its purpose, the public comments for a period,
an ethics board decides, and a density rule caps cameras per km of road unless an exception is recorded.

Pure rules here; the review service (governance/deployment.py) stores, ledgers and publishes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from platewarden.domain.approvals import Step
from platewarden.domain.cameras import Camera
from platewarden.domain.errors import Refused


class DeploymentRefused(Refused):
    """A deployment step the rules do not allow (too early, over the density limit, wrong state)."""


class ProposalStatus(StrEnum):
    OPEN = "open"  # public comment running or awaiting the decision
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class RoadSegment:
    """A stretch of road: the unit the density rule counts cameras on, and the area it lies in (bias report)."""

    id: str
    name: str
    length_km: float
    area: str

    def __post_init__(self) -> None:
        if not self.id.strip() or not self.name.strip() or not self.area.strip():
            raise ValueError("a road segment needs an id, a name and an area")
        if not 0 < self.length_km <= 1000:
            raise ValueError(f"road segment {self.id}: length {self.length_km} km is not in (0, 1000]")


@dataclass(frozen=True)
class Comment:
    at: datetime
    author: str
    text: str


@dataclass(frozen=True)
class CameraProposal:
    id: str
    camera: Camera
    purpose: str
    justification: str
    proposed_by: str  # user id
    proposed_at: datetime
    comment_until: datetime
    status: ProposalStatus
    decision_reason: str | None
    density_exception: str | None
    decided_at: datetime | None
    steps: tuple[Step, ...] = ()
    comments: tuple[Comment, ...] = ()
    edge_key: str | None = None  # the edge camera's public signing key, registered with the approval

    def comment_open(self, now: datetime) -> bool:
        return self.status is ProposalStatus.OPEN and now < self.comment_until


@dataclass(frozen=True)
class Density:
    """Cameras on a segment (counting the one being decided) against the policy's limit."""

    segment: RoadSegment
    cameras: int
    limit_per_km: float

    @property
    def per_km(self) -> float:
        return self.cameras / self.segment.length_km

    @property
    def allowed_cameras(self) -> int:
        return int(self.limit_per_km * self.segment.length_km + 1e-9)

    @property
    def over(self) -> bool:
        return self.cameras > self.allowed_cameras


def check_proposal_text(purpose: str, justification: str) -> None:
    if len(purpose.strip()) < 10:
        raise DeploymentRefused("state the camera's purpose (at least 10 characters)")
    if len(justification.strip()) < 20:
        raise DeploymentRefused("justify the deployment (at least 20 characters): why here, why a camera")


def check_comment(proposal: CameraProposal, now: datetime, text: str) -> None:
    if not proposal.comment_open(now):
        raise DeploymentRefused(f"the comment period on {proposal.camera.id} is closed")
    if not text.strip():
        raise DeploymentRefused("a comment needs text")
    if len(text) > 5000:
        raise DeploymentRefused("a comment is at most 5,000 characters")


def check_decision(proposal: CameraProposal, now: datetime, approve: bool, reason: str, density: Density,
                   exception: str | None, final_level: bool) -> None:
    """Refuse a decision that comes before the public had its say, lacks a reason, or approves a camera beyond the
    density limit without an exception stating why."""
    if proposal.status is not ProposalStatus.OPEN:
        raise DeploymentRefused(f"proposal for {proposal.camera.id} is {proposal.status.value}, not open")
    if now < proposal.comment_until:
        raise DeploymentRefused(f"the public comment period runs until {proposal.comment_until.isoformat()}; "
                                "decide after it ends")
    if len(reason.strip()) < 10:
        raise DeploymentRefused("give the reason for the decision (at least 10 characters)")
    if approve and final_level:
        check_density(density, exception)


def check_density(density: Density, exception: str | None) -> None:
    if density.over and not (exception and len(exception.strip()) >= 20):
        raise DeploymentRefused(
            f"road segment {density.segment.id} would have {density.cameras} cameras on "
            f"{density.segment.length_km:g} km ({density.per_km:.2f}/km), over the limit of "
            f"{density.limit_per_km:g}/km: approval needs a recorded exception with reasons (at least 20 characters)")
