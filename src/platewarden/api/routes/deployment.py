"""Deployment review over HTTP: the public registry and comment form (no account), and the governed steps
(segments, proposals, decisions, decommissioning) for the roles the policy names."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from platewarden.api.deps import CurrentUser
from platewarden.api.schemas import ApiInput
from platewarden.domain.approvals import ApprovalRefused
from platewarden.domain.cameras import Camera, CameraKey
from platewarden.domain.deployment import CameraProposal, DeploymentRefused, RoadSegment
from platewarden.governance.deployment import RegisteredCamera
from platewarden.http.common import GovernanceDep

deployment_router = APIRouter(tags=["deployment"])


class SegmentIn(ApiInput):
    id: Annotated[str, Field(min_length=1, max_length=200)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    length_km: Annotated[float, Field(gt=0, le=1000)]
    area: Annotated[str, Field(min_length=1, max_length=120)]


class CameraIn(ApiInput):
    """A camera as a proposal or an import describes it."""

    camera_id: Annotated[str, Field(min_length=1, max_length=64)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    latitude: Annotated[float, Field(ge=-90, le=90)]
    longitude: Annotated[float, Field(ge=-180, le=180)]
    heading_deg: Annotated[float | None, Field(ge=0, lt=360)] = None
    road_segment: Annotated[str, Field(min_length=1, max_length=200)]
    jurisdictions: Annotated[list[Annotated[str, Field(min_length=2, max_length=24)]], Field(max_length=12)] = Field(
        default_factory=list, description="Where the camera's plates come from, for the reader (us-ca, eu, "
                                          "us-ca:0.7); empty: the policy's recognition.jurisdictions.")
    edge_key: Annotated[str | None, Field(max_length=100, description=(
        "An edge camera's public signing key (ed25519:BASE64, from platewarden edge enroll), registered on "
        "approval; its published reads are refused without one."))] = None

    def camera(self) -> Camera:
        """The domain camera; a 422 when the domain refuses it."""
        try:
            return Camera(self.camera_id, self.name, self.latitude, self.longitude, self.heading_deg,
                          self.road_segment, tuple(self.jurisdictions))
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from exc


class ProposalIn(CameraIn):
    purpose: Annotated[str, Field(min_length=1, max_length=2000)]
    justification: Annotated[str, Field(min_length=1, max_length=5000)]


class ImportIn(CameraIn):
    decision_ref: Annotated[str, Field(min_length=5, max_length=200)]
    density_exception: Annotated[str | None, Field(max_length=2000)] = None


class CommentIn(ApiInput):
    author: Annotated[str, Field(max_length=120)] = ""
    text: Annotated[str, Field(min_length=1, max_length=5000)]


class DeploymentDecisionIn(ApiInput):
    approve: bool
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    density_exception: Annotated[str | None, Field(max_length=2000)] = None


class DecommissionIn(ApiInput):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class KeyRotationIn(ApiInput):
    public_key: Annotated[str, Field(min_length=1, max_length=100, description="ed25519:BASE64")]
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class CameraKeyOut(BaseModel):
    camera_id: str
    fingerprint: str
    public_key: str
    state: str
    registered_at: datetime
    registered_via: str
    retired_at: datetime | None
    revoked_at: datetime | None


class CommentOut(BaseModel):
    at: datetime
    author: str
    text: str


class ProposalOut(BaseModel):
    id: str
    camera_id: str
    name: str
    latitude: float
    longitude: float
    road_segment: str | None
    jurisdictions: list[str]
    purpose: str
    justification: str
    proposed_at: datetime
    comment_until: datetime
    status: str
    decision_reason: str | None
    density_exception: str | None
    comments: list[CommentOut]
    edge_key: str | None = None


class RegisteredOut(BaseModel):
    id: str
    name: str
    latitude: float
    longitude: float
    road_segment: str | None
    jurisdictions: list[str]
    status: str
    approved_via: str


class DensityOut(BaseModel):
    segment: str
    area: str
    length_km: float
    cameras: int
    per_km: float
    limit_per_km: float
    over_limit: bool


class RegistryOut(BaseModel):
    cameras: list[RegisteredOut]
    proposals: list[ProposalOut]
    densities: list[DensityOut]
    refused_reads: int


def _proposal_out(pr: CameraProposal) -> ProposalOut:
    c = pr.camera
    return ProposalOut(id=pr.id, camera_id=c.id, name=c.name, latitude=c.latitude, longitude=c.longitude,
                       road_segment=c.road_segment, jurisdictions=list(c.jurisdictions), purpose=pr.purpose,
                       justification=pr.justification,
                       proposed_at=pr.proposed_at, comment_until=pr.comment_until, status=pr.status.value,
                       decision_reason=pr.decision_reason, density_exception=pr.density_exception,
                       edge_key=pr.edge_key,
                       comments=[CommentOut(at=m.at, author=m.author, text=m.text) for m in pr.comments])


def _registered_out(r: RegisteredCamera) -> RegisteredOut:
    c = r.camera
    return RegisteredOut(id=c.id, name=c.name, latitude=c.latitude, longitude=c.longitude,
                         road_segment=c.road_segment, jurisdictions=list(c.jurisdictions), status=r.status,
                         approved_via=r.approved_via)


def _refused(exc: Exception) -> HTTPException:
    if isinstance(exc, ApprovalRefused):
        return HTTPException(status.HTTP_403_FORBIDDEN, str(exc))
    if isinstance(exc, KeyError):
        return HTTPException(status.HTTP_404_NOT_FOUND, str(exc).strip("'\""))
    return HTTPException(status.HTTP_409_CONFLICT, str(exc))


@deployment_router.get("/api/public/cameras", response_model=RegistryOut, tags=["public"])
def public_registry(p: GovernanceDep) -> RegistryOut:
    """The public camera registry: where cameras stand and by which decision, proposals with their comments,
    cameras per km per road segment against the limit, and how many reads were refused from unapproved cameras."""
    review = p.deployments
    return RegistryOut(
        cameras=[_registered_out(r) for r in review.registry()],
        proposals=[_proposal_out(pr) for pr in review.proposals()],
        densities=[DensityOut(segment=d.segment.id, area=d.segment.area, length_km=d.segment.length_km,
                              cameras=d.cameras, per_km=round(d.per_km, 3), limit_per_km=d.limit_per_km,
                              over_limit=d.over) for d in review.densities()],
        refused_reads=sum(n for *_, n in review.refusals()))


@deployment_router.post("/api/public/proposals/{proposal_id}/comments", status_code=201, tags=["public"])
def public_comment(proposal_id: uuid.UUID, body: CommentIn, p: GovernanceDep) -> dict[str, str]:
    """Anyone comments on an open proposal during the comment period."""
    try:
        p.deployments.comment(str(proposal_id), body.author, body.text)
    except (DeploymentRefused, KeyError) as exc:
        raise _refused(exc) from exc
    return {"status": "recorded"}


@deployment_router.post("/api/cameras/segments", status_code=201)
def add_segment(body: SegmentIn, user: CurrentUser, p: GovernanceDep) -> dict[str, str]:
    try:
        p.deployments.add_segment(RoadSegment(body.id, body.name, body.length_km, body.area), user)
    except (ValueError, ApprovalRefused) as exc:
        raise (_refused(exc) if isinstance(exc, ApprovalRefused) else HTTPException(422, str(exc))) from exc
    return {"id": body.id}


@deployment_router.post("/api/cameras/proposals", response_model=ProposalOut, status_code=201)
def propose(body: ProposalIn, user: CurrentUser, p: GovernanceDep) -> ProposalOut:
    cam = body.camera()
    try:
        return _proposal_out(p.deployments.propose(user, cam, body.purpose, body.justification,
                                                             body.edge_key))
    except (ApprovalRefused, DeploymentRefused) as exc:
        raise _refused(exc) from exc


@deployment_router.post("/api/cameras/import", response_model=RegisteredOut, status_code=201)
def import_camera(body: ImportIn, user: CurrentUser, p: GovernanceDep) -> RegisteredOut:
    """Record a camera approved before platewarden by a cited public decision (the chain's final role only)."""
    cam = body.camera()
    try:
        p.deployments.import_existing(cam, body.decision_ref, user, body.density_exception, body.edge_key)
    except (ApprovalRefused, DeploymentRefused) as exc:
        raise _refused(exc) from exc
    r = next(r for r in p.deployments.registry() if r.camera.id == cam.id)
    return _registered_out(r)


@deployment_router.post("/api/cameras/proposals/{proposal_id}/decision", response_model=ProposalOut)
def decide(proposal_id: uuid.UUID, body: DeploymentDecisionIn, user: CurrentUser, p: GovernanceDep) -> ProposalOut:
    try:
        return _proposal_out(p.deployments.decide(str(proposal_id), user, body.approve, body.reason,
                                                  body.density_exception))
    except (ApprovalRefused, DeploymentRefused, KeyError) as exc:
        raise _refused(exc) from exc


@deployment_router.post("/api/cameras/{camera_id}/decommission", status_code=204)
def decommission(camera_id: str, body: DecommissionIn, user: CurrentUser, p: GovernanceDep) -> None:
    try:
        p.deployments.decommission(camera_id, user, body.reason)
    except (ApprovalRefused, DeploymentRefused) as exc:
        raise _refused(exc) from exc


def _key_out(k: CameraKey) -> CameraKeyOut:
    return CameraKeyOut(camera_id=k.camera_id, fingerprint=k.fingerprint, public_key=k.public_key, state=k.state,
                        registered_at=k.registered_at, registered_via=k.registered_via, retired_at=k.retired_at,
                        revoked_at=k.revoked_at)


@deployment_router.get("/api/public/camera-keys", response_model=list[CameraKeyOut], tags=["public"])
def camera_keys(p: GovernanceDep) -> list[CameraKeyOut]:
    """Edge cameras' public signing keys and their state (public: what makes a message a camera's read)."""
    return [_key_out(k) for k in p.deployments.keys.all()]


@deployment_router.post("/api/cameras/{camera_id}/key", response_model=CameraKeyOut)
def rotate_camera_key(camera_id: str, body: KeyRotationIn, user: CurrentUser, p: GovernanceDep) -> CameraKeyOut:
    """Register a new signing key for an approved camera; the previous one is retired (department head or ethics
    board; ledgered)."""
    try:
        return _key_out(p.deployments.keys.rotate(camera_id, body.public_key, user, body.reason))
    except (ApprovalRefused, DeploymentRefused) as exc:
        raise _refused(exc) from exc


@deployment_router.post("/api/cameras/{camera_id}/key/revoke", status_code=204)
def revoke_camera_key(camera_id: str, body: DecommissionIn, user: CurrentUser, p: GovernanceDep) -> None:
    """Revoke every key of the camera: everything they signed is refused from now on (ledgered)."""
    try:
        p.deployments.keys.revoke(camera_id, user, body.reason)
    except (ApprovalRefused, DeploymentRefused) as exc:
        raise _refused(exc) from exc
