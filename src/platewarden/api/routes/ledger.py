"""The ledger: the public checkpoint, and proofs and entries for those who audit."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response, status
from fastapi.responses import PlainTextResponse

from platewarden.api.deps import CurrentUser, require
from platewarden.http.common import GovernanceDep
from platewarden.ledger.tiles import TILE_WIDTH, TilePathError, parse_tile_path
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



@router.get("/ledger/checkpoint", response_class=PlainTextResponse, tags=["ledger"])
def tlog_checkpoint(p: GovernanceDep) -> str:
    """The latest checkpoint where C2SP ``tlog-tiles`` clients look for it (the same note as
    ``/api/ledger/checkpoint``); its tiles are under ``/ledger/tile/``."""
    return p.ledger.latest_note()


@router.get("/ledger/tile/{path:path}", tags=["ledger"])
def tlog_tile(path: str, p: GovernanceDep) -> Response:
    """A C2SP hash tile (``tile/L/N[.p/W]``): hashes only, public as the checkpoint is. Full tiles never change."""
    try:
        tile = parse_tile_path(f"tile/{path}")
        body = p.ledger.tile(tile.path())
    except TilePathError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    cache = "public, max-age=31536000, immutable" if tile.width == TILE_WIDTH else "no-cache"
    return Response(body, media_type="application/octet-stream", headers={"Cache-Control": cache})
