"""Policy changes over HTTP: a policy takes effect only through its ``approvals.policy_change`` chain
(``governance/policy_change.py``), each step ledgered with the policy's SHA-256. The policy travels as its YAML text
and is validated here as ``policy check`` validates a file; what is approved is the digest of what was read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from platewarden.api.deps import CurrentUser
from platewarden.api.schemas import ApiInput
from platewarden.governance.policy_change import policy_digest
from platewarden.http.common import GovernanceDep
from platewarden.policy import Policy
from platewarden.policy.loader import PolicyError, parse_policy

router = APIRouter(tags=["policy"])

MAX_POLICY_BYTES = 200_000


class PolicyProposalIn(ApiInput):
    policy_yaml: Annotated[str, Field(min_length=1, max_length=MAX_POLICY_BYTES)]
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class PolicyApprovalIn(ApiInput):
    policy_yaml: Annotated[str, Field(min_length=1, max_length=MAX_POLICY_BYTES)]


class PolicyStepOut(BaseModel):
    sha256: str
    approved: bool = Field(description="True once the last level of the chain has approved it.")


class PolicyStatusOut(BaseModel):
    sha256: str
    state: str = Field(description="'defaults' (the built-in policy), 'approved' or 'not approved'.")


def _parsed(text: str) -> Policy:
    try:
        return parse_policy(text, "policy")
    except PolicyError as exc:
        raise HTTPException(422, str(exc)) from exc


@router.get("/api/policy", response_model=PolicyStatusOut)
def policy_status(user: CurrentUser, p: GovernanceDep) -> PolicyStatusOut:
    """The policy in force: its digest, and whether it was approved through its chain."""
    return PolicyStatusOut(sha256=policy_digest(p.policy), state=p.policy_changes.state(p.policy))


@router.post("/api/policy/proposals", response_model=PolicyStepOut, status_code=201)
def propose_policy(body: PolicyProposalIn, user: CurrentUser, p: GovernanceDep) -> PolicyStepOut:
    """Propose a policy (the first role of ``approvals.policy_change``). Ledgered by its digest."""
    new = _parsed(body.policy_yaml)
    return PolicyStepOut(sha256=p.policy_changes.propose(user, new, body.reason), approved=False)


@router.post("/api/policy/approvals", response_model=PolicyStepOut)
def approve_policy(body: PolicyApprovalIn, user: CurrentUser, p: GovernanceDep) -> PolicyStepOut:
    """Approve, at your level of the chain, the policy you send (you approve what you read: its digest)."""
    new = _parsed(body.policy_yaml)
    done = p.policy_changes.approve(user, new)
    return PolicyStepOut(sha256=policy_digest(new), approved=done)
