"""Cross-border sharing agreements over HTTP: listing, proposing, deciding and ending them
(``governance/sharing.py``), under the policy's sharing chain, every step ledgered by the service. Receiving a
partner's package (``POST /api/sharing/received``) is checked by the service against the agreement, the partner's
signature and the partner's ledger proof, and its receipt ledgered, whoever sends it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Response
from pydantic import AwareDatetime, BaseModel, Field

from platewarden.api.deps import CurrentUser
from platewarden.api.schemas import ApiInput
from platewarden.domain.sharing import SharingAgreement
from platewarden.http.common import GovernanceDep

router = APIRouter(tags=["sharing"])


class AgreementIn(ApiInput):
    partner: Annotated[str, Field(min_length=1, max_length=200)]
    jurisdiction: Annotated[str, Field(min_length=2, max_length=10, description="ISO 3166: DE, US-CA, ...")]
    purposes: Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], Field(min_length=1, max_length=20)]
    retention_days: Annotated[int, Field(ge=1, le=3650)]
    valid_until: AwareDatetime
    partner_key: Annotated[str, Field(min_length=1, max_length=500)]


class AgreementDecisionIn(ApiInput):
    approve: bool
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class AgreementEndIn(ApiInput):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


MAX_PACKAGE_CHARS = 32 * 1024 * 1024  # a case's reads with their crops; larger is not a package we made


class ReceivedIn(ApiInput):
    package: Annotated[str, Field(min_length=2, max_length=MAX_PACKAGE_CHARS,
                                  description="The partner's share package (its JSON text, as received).")]


class ReceivedOut(BaseModel):
    agreement_id: str
    sender: str
    case: str
    offence: str
    delete_by: datetime
    reads: list[dict[str, Any]]


class AgreementOut(BaseModel):
    id: str
    partner: str
    jurisdiction: str
    purposes: list[str]
    retention_days: int
    valid_until: datetime
    status: str
    approvals: int


def _out(a: SharingAgreement) -> AgreementOut:
    return AgreementOut(id=a.id, partner=a.partner, jurisdiction=a.jurisdiction, purposes=list(a.purposes),
                        retention_days=a.retention_days, valid_until=a.valid_until, status=a.status.value,
                        approvals=sum(s.decision == "approved" for s in a.steps))


@router.get("/api/sharing", response_model=list[AgreementOut])
def list_agreements(user: CurrentUser, p: GovernanceDep) -> list[AgreementOut]:
    """Every agreement with its partner, jurisdiction, purposes, partner retention and state (no reads)."""
    return [_out(a) for a in p.sharing.all()]


@router.post("/api/sharing", response_model=AgreementOut, status_code=201)
def propose_agreement(body: AgreementIn, user: CurrentUser, p: GovernanceDep) -> AgreementOut:
    """Propose an agreement (the first role of the policy's sharing chain). Ledgered."""
    return _out(p.sharing.propose(user, body.partner, body.jurisdiction, body.purposes, body.retention_days,
                                  body.valid_until, body.partner_key))


@router.post("/api/sharing/{agreement_id}/decision", response_model=AgreementOut)
def decide_agreement(agreement_id: uuid.UUID, body: AgreementDecisionIn, user: CurrentUser,
                     p: GovernanceDep) -> AgreementOut:
    """Approve or reject at your level of the chain (never the proposer). Ledgered."""
    return _out(p.sharing.decide(str(agreement_id), user, body.approve, body.reason))


@router.post("/api/sharing/{agreement_id}/end", status_code=204)
def end_agreement(agreement_id: uuid.UUID, body: AgreementEndIn, user: CurrentUser, p: GovernanceDep) -> Response:
    """End an agreement: nothing is sent or received under it from now on. Ledgered."""
    p.sharing.end(str(agreement_id), user, body.reason)
    return Response(status_code=204)


@router.post("/api/sharing/received", response_model=ReceivedOut, status_code=201)
def receive_package(body: ReceivedIn, user: CurrentUser, p: GovernanceDep) -> ReceivedOut:
    """Receive a partner's package (officer, department head or prosecutor): refused, and the refusal ledgered,
    unless an active agreement names the key that signed it, the offence is within it and the partner's ledger
    proves it was sent; then its receipt is ledgered and its reads returned (kept until their delete-by date)."""
    got = p.sharing.receive(user, body.package.encode())
    return ReceivedOut(agreement_id=got.agreement_id, sender=got.sender, case=got.case, offence=got.offence,
                       delete_by=got.delete_by, reads=got.reads)
