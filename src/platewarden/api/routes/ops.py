"""Operations: is the server up (it touches the database)."""

from __future__ import annotations

from fastapi import APIRouter

from platewarden.http.common import GovernanceDep

router = APIRouter()


@router.get("/healthz", tags=["ops"])
def healthz(p: GovernanceDep) -> dict[str, str]:
    p.ledger.size()  # touches the database
    return {"status": "ok"}

