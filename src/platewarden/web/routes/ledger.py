"""The ledger explorer: filters, inclusion and consistency proofs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi import Query as QueryParam
from fastapi.responses import HTMLResponse

from platewarden.http.common import GovernanceDep
from platewarden.ledger.checkpoint_diff import CheckpointChoiceError, checkpoint_diff
from platewarden.ledger.entries import EventKind
from platewarden.web.console import (
    UserDep,
    allow,
    render,
)

router = APIRouter(include_in_schema=False)
CHECKPOINTS_LISTED = 50  # the latest signed checkpoints offered for a comparison


@router.get("/ledger", response_class=HTMLResponse)
def ledger_page(request: Request, user: UserDep, p: GovernanceDep, proof: int | None = None,
                kind: Annotated[str, QueryParam(max_length=40)] = "",
                actor: Annotated[str, QueryParam(max_length=200)] = "",
                case: Annotated[str, QueryParam(max_length=200)] = "",
                day_from: Annotated[str, QueryParam(max_length=10)] = "",
                day_to: Annotated[str, QueryParam(max_length=10)] = "", before: int | None = None,
                since_size: int | None = None, diff_from: int | None = None,
                diff_to: int | None = None) -> HTMLResponse:
    """The ledger explorer: filter by kind, actor, case and day; an entry's inclusion proof; the consistency proof
    from an older checkpoint to the latest (what a witness checks); and the difference between two signed
    checkpoints (both notes checked, the proof between them checked, what was appended in between)."""
    allow(user, "/ledger")  # as the API: who did what, case numbers, offences
    kinds = sorted(k.value for k in EventKind)
    if kind and kind not in kinds:
        raise HTTPException(422, f"unknown kind {kind!r}: one of {', '.join(kinds)}")
    try:
        since = datetime.fromisoformat(day_from).replace(tzinfo=UTC) if day_from else None
        until = (datetime.fromisoformat(day_to).replace(tzinfo=UTC) + timedelta(days=1)) if day_to else None
    except ValueError:
        raise HTTPException(422, "days are YYYY-MM-DD") from None

    def wanted(entry: dict[str, Any]) -> bool:
        body = entry.get("body") or {}
        return ((not actor or actor.lower() in str(entry.get("actor", "")).lower())
                and (not case or case in (str(body.get("case", "")), str(body.get("case_number", "")))))

    entries, lowest = p.ledger.find(kind or None, since, until, before, match=wanted if actor or case else None)
    size = p.ledger.size()
    pr = p.ledger.prove(proof) if proof is not None and 0 <= proof < size else None
    status = p.ledger.status()
    consistency = None
    if since_size is not None and status.checkpoint_size and 0 < since_size <= status.checkpoint_size:
        consistency = [h.hex() for h in p.ledger.consistency(since_size, status.checkpoint_size)]
    signed = p.ledger.checkpoints()[-CHECKPOINTS_LISTED:]
    diff = None
    if diff_from is not None and diff_to is not None:
        try:
            diff = checkpoint_diff(p.ledger, diff_from, diff_to)
        except CheckpointChoiceError as exc:
            raise HTTPException(422, str(exc)) from None
    filters = {"kind": kind, "actor": actor, "case": case, "day_from": day_from, "day_to": day_to}
    older = urlencode({**{k: v for k, v in filters.items() if v}, "before": lowest}) if lowest > 0 else ""
    return render(request, "ledger.html", user, title="Ledger", entries=entries, note=p.ledger.latest_note(),
                  proof=pr, proof_json=json.dumps(pr.to_json(), indent=2) if pr else "", kinds=kinds,
                  filters=filters, older=older, status=status, since_size=since_size, consistency=consistency,
                  checkpoints=[(size, len(cos)) for size, _, cos in reversed(signed)], diff=diff)
