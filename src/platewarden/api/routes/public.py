"""Public aggregates for the portal: no plate, crop or name."""

from __future__ import annotations

from fastapi import APIRouter

from platewarden.audit.transparency import transparency
from platewarden.http.common import PlatformDep

router = APIRouter()


@router.get("/api/public/transparency", tags=["public"])
def public_transparency(p: PlatformDep) -> dict[str, object]:
    """Aggregates for the public portal (no login): no plate, crop or name."""
    return transparency(p, p.clock.now())

