"""The public camera registry page: approved cameras and the decision behind each, open proposals with a comment
form (no account needed), and cameras per km against the density limit."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from platewarden.domain.deployment import DeploymentRefused
from platewarden.web.pages import PlatformDep, back, check_csrf, render
from platewarden.web.svgmap import camera_map

deployment_pages = APIRouter(include_in_schema=False)


@deployment_pages.get("/public/cameras", response_class=HTMLResponse)
def registry_page(request: Request, p: PlatformDep) -> HTMLResponse:
    request.session.setdefault("csrf", uuid.uuid4().hex)
    review = p.deployments
    now = p.clock.now()
    registry = review.registry()
    return render(request, "registry.html", None, title="Camera registry", registry=registry,
                  proposals=review.proposals(), densities=review.densities(), now=now,
                  refused=sum(n for *_, n in review.refusals()),
                  map=camera_map([r.camera for r in registry if r.status == "approved"]))


@deployment_pages.post("/public/cameras/{proposal_id}/comment")
def registry_comment(proposal_id: str, request: Request, p: PlatformDep, csrf: Annotated[str, Form()],
                     text: Annotated[str, Form()], author: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf, author, text)
    try:
        p.deployments.comment(proposal_id, author, text)
    except (DeploymentRefused, KeyError) as exc:
        return back("/public/cameras", request, str(exc).strip("'\""))
    return back("/public/cameras", request, "Thank you: your comment is recorded and published.")
