"""Compliance snapshots over HTTP: gathered by the server (the only holder of the keys and the database) for an
auditor, the ethics board or a department head, ledgered, and returned signed with the ledger's key; the person's
own machine turns it into the report (``report compliance`` does), as an outside auditor would from ``--input``."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Response
from pydantic import model_validator

from platewarden.api.deps import CurrentUser
from platewarden.api.schemas import ApiInput
from platewarden.http.common import ComplianceDep

router = APIRouter(tags=["reports"])


class ComplianceIn(ApiInput):
    period_from: date
    period_to: date

    @model_validator(mode="after")
    def _ordered(self) -> ComplianceIn:
        if self.period_to < self.period_from:
            raise ValueError("period_to is before period_from")
        return self


@router.post("/api/reports/compliance", status_code=201,
             responses={201: {"content": {"application/json": {}},
                              "description": "The signed snapshot (snapshot, signature, key)."}})
def gather_compliance(body: ComplianceIn, user: CurrentUser, compliance: ComplianceDep) -> Response:
    """Gather a compliance snapshot of the period (aggregates, request and case ids, no plates). Refused and
    ledgered for other roles; the gathering is ledgered with the snapshot's SHA-256."""
    got = compliance.gather(user, body.period_from, body.period_to)
    return Response(got.signed, status_code=201, media_type="application/json",
                    headers={"X-Snapshot-SHA256": got.sha256, "Cache-Control": "no-store"})
