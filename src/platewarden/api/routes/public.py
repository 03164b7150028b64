"""Public aggregates for the portal: no plate, crop or name."""

from __future__ import annotations

from fastapi import APIRouter

from platewarden.http.common import GovernanceDep, PublicDep

router = APIRouter()


@router.get("/api/public/transparency", tags=["public"])
def public_transparency(p: GovernanceDep, public: PublicDep) -> dict[str, object]:
    """Aggregates for the public portal (no login): no plate, crop or name."""
    return public.recent(p.clock.now())

