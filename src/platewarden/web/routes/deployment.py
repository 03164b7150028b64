"""The public camera registry page: approved cameras and the decision behind each, open proposals with a comment
form (no account needed), and cameras per km against the density limit."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from platewarden.domain.approvals import ApprovalRefused, awaits
from platewarden.domain.cameras import CameraKey
from platewarden.domain.deployment import CameraProposal, DeploymentRefused, ProposalStatus
from platewarden.domain.users import User
from platewarden.domain.zones import Zone, ZoneStatus
from platewarden.governance.facade import Governance
from platewarden.http.common import GovernanceDep
from platewarden.web.console import UserDep, back, check_csrf, render
from platewarden.web.maps import map_block, tiles_of

router = APIRouter(include_in_schema=False)


@router.get("/public/cameras", response_class=HTMLResponse)
def registry_page(request: Request, p: GovernanceDep) -> HTMLResponse:
    request.session.setdefault("csrf", uuid.uuid4().hex)
    review = p.deployments
    now = p.clock.now()
    registry = review.registry()
    keys_by_camera: dict[str, list[CameraKey]] = {}
    for k in review.keys.all():
        keys_by_camera.setdefault(k.camera_id, []).append(k)
    return render(request, "registry.html", None, title="Camera registry", registry=registry,
                  proposals=review.proposals(), densities=review.densities(), now=now,
                  refused=sum(n for *_, n in review.refusals()), keys=keys_by_camera,
                  map=map_block(tiles_of(request), [r.camera for r in registry if r.status == "approved"]))


@router.post("/public/cameras/{proposal_id}/comment")
def registry_comment(proposal_id: str, request: Request, p: GovernanceDep, csrf: Annotated[str, Form()],
                     text: Annotated[str, Form()], author: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf, author, text)
    try:
        p.deployments.comment(proposal_id, author, text)
    except (DeploymentRefused, KeyError) as exc:
        return back("/public/cameras", request, str(exc).strip("'\""))
    return back("/public/cameras", request, "Thank you: your comment is recorded and published.")


def deployment_inbox(p: Governance, user: User) -> dict[str, list[CameraProposal] | list[Zone]]:
    """Camera proposals whose comment period is over and zones awaiting this person's level."""
    now = p.clock.now()
    proposals = [pr for pr in p.deployments.proposals(ProposalStatus.OPEN) if now >= pr.comment_until
                 and awaits(p.deployments.chain, list(pr.steps), pr.proposed_by, user)]
    zones = [z for z in p.zones.all() if z.status is ZoneStatus.PENDING
             and awaits(p.zones.chain, list(z.steps), z.requested_by, user)]
    return {"proposals": proposals, "zones": zones}


@router.post("/approvals/camera/{proposal_id}")
def decide_camera(proposal_id: str, request: Request, user: UserDep, p: GovernanceDep, csrf: Annotated[str, Form()],
                  action: Annotated[str, Form()], reason: Annotated[str, Form()] = "",
                  density_exception: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf, action, reason, density_exception)
    try:
        p.deployments.decide(proposal_id, user, action == "approve", reason, density_exception or None)
    except (ApprovalRefused, DeploymentRefused, KeyError) as exc:
        return back("/approvals", request, f"Refused (and recorded): {exc}")
    return back("/approvals", request, "Decision recorded.")


@router.post("/approvals/zone/{zone_id}")
def decide_zone(zone_id: str, request: Request, user: UserDep, p: GovernanceDep, csrf: Annotated[str, Form()],
                action: Annotated[str, Form()], reason: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf, action, reason)
    try:
        p.zones.decide(zone_id, user, action == "approve", reason)
    except (ApprovalRefused, KeyError) as exc:
        return back("/approvals", request, f"Refused (and recorded): {exc}")
    return back("/approvals", request, "Decision recorded.")
