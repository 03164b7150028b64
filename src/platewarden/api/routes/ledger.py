"""The ledger: the public checkpoint, and proofs and entries for those who audit."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import PlainTextResponse

from platewarden.api.deps import CurrentUser, require
from platewarden.http.common import GovernanceDep
from platewarden.policy.model import Role

router = APIRouter()


@router.get("/api/ledger/checkpoint", response_class=PlainTextResponse, tags=["ledger"])
def ledger_checkpoint(p: GovernanceDep) -> str:
    """The latest signed checkpoint with its cosignatures (public: it reveals only a size and a hash)."""
    return p.ledger.latest_note()


@router.get("/api/ledger/proof/{seq}", tags=["ledger"])
def ledger_proof(seq: int, user: CurrentUser, p: GovernanceDep) -> dict[str, object]:
    require(user, Role.AUDITOR, Role.PROSECUTOR, Role.DEPARTMENT_HEAD, Role.ETHICS_BOARD)
    if seq < 0 or seq >= p.ledger.size():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such ledger entry")
    return {**p.ledger.prove(seq).to_json(), "entry": p.ledger.entry(seq)}


@router.get("/api/ledger/entries", tags=["ledger"])
def ledger_entries(user: CurrentUser, p: GovernanceDep, start: int = 0, limit: int = 100) -> list[dict[str, object]]:
    require(user, Role.AUDITOR, Role.PROSECUTOR, Role.DEPARTMENT_HEAD, Role.ETHICS_BOARD)
    if start < 0 or not 1 <= limit <= 1000:
        raise HTTPException(422, "start ≥ 0 and 1 ≤ limit ≤ 1000")
    return [e for _, e in p.ledger.parsed(start, start + limit)]

