"""A case's evidence package over HTTP, for a prosecutor or the people the case's holds name: the zip that
``platewarden evidence verify`` checks offline. It holds plaintext plates and crops, so it is never cached; the
export (or the refusal) is ledgered by the service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import Field

from platewarden.api.deps import CurrentUser
from platewarden.api.schemas import ApiInput
from platewarden.http.common import GovernanceDep

router = APIRouter(tags=["evidence"])


class EvidenceIn(ApiInput):
    case_number: Annotated[str, Field(min_length=1, max_length=80)]


@router.post("/api/evidence", response_class=Response, responses={200: {"content": {"application/zip": {}}}})
def export_evidence(body: EvidenceIn, user: CurrentUser, p: GovernanceDep) -> Response:
    package, reads = p.evidence.package(user, body.case_number)
    return Response(package, media_type="application/zip", headers={
        "Cache-Control": "no-store", "Content-Disposition": 'attachment; filename="evidence.zip"',
        "X-Evidence-Reads": str(reads), "X-Log-Key": p.ledger.public_key.encode()})
