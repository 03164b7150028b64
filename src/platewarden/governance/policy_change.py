"""Changing the policy is itself an approved, ledgered act, and the ledger is its only record.

A policy (retention, approval chains, caps) is named by the SHA-256 of its canonical JSON. Someone holding the first
role of ``approvals.policy_change`` proposes it; each later role approves it, each a different person; the last
approval records the digest as approved. All of it lives in ledger entries (kind ``policy_change``), read only
inside the latest signed checkpoint (``ledger.trusted``), so nobody can approve a policy by writing to a table.
The server and ingest refuse to run on a policy whose digest was never approved (the built-in defaults, which
follow the seed, need no approval).
"""

from __future__ import annotations

import hashlib
from typing import Any

from platewarden.domain.approvals import ApprovalRefused, Step, check_applicant, check_approver, next_level
from platewarden.domain.clock import Clock
from platewarden.domain.users import User
from platewarden.ledger.entries import Event, EventKind, digest, with_reason
from platewarden.ledger.log import Ledger
from platewarden.ledger.trusted import LedgerTampered, trusted_entries
from platewarden.policy.model import Policy, Role


def policy_digest(policy: Policy) -> str:
    """The SHA-256 a policy_change entry names a policy by: of its canonical JSON."""
    return hashlib.sha256(policy.model_dump_json().encode()).hexdigest()


class PolicyNotApproved(RuntimeError):
    """The policy in force was not approved through its chain."""


class PolicyChanges:
    def __init__(self, ledger: Ledger, policy: Policy, clock: Clock) -> None:
        self._ledger = ledger
        self._chain = policy.approvals.policy_change  # the chain of the policy in force decides the next one
        self._clock = clock

    def _entries(self, d: str) -> list[dict[str, Any]]:
        return [e["body"] for _, e in trusted_entries(self._ledger, [EventKind.POLICY_CHANGE.value])
                if e["body"].get("digest") == d]

    def _steps(self, d: str) -> tuple[str | None, list[Step]]:
        bodies = self._entries(d)
        proposer = next((b.get("by") for b in bodies if b.get("action") == "proposed"), None)
        steps = [Step(int(b["level"]), Role(b["role"]), str(b["by"]), "approved", "", self._clock.now())
                 for b in bodies if b.get("action") == "step"]
        return proposer, steps

    def propose(self, actor: User, policy: Policy, reason: str) -> str:
        d = policy_digest(policy)
        now = self._clock.now()
        try:
            check_applicant(self._chain, actor)
            if len(reason.strip()) < 10:
                raise ApprovalRefused("say why the policy changes (at least 10 characters)")
            if any(b.get("action") == "proposed" for b in self._entries(d)):
                raise ApprovalRefused(f"policy {d[:16]} was proposed before")
        except ApprovalRefused as exc:
            self._ledger.append([Event(EventKind.POLICY_CHANGE, now, actor.label, with_reason(
                {"action": "refused", "digest": d}, str(exc)))])
            raise
        self._ledger.append([Event(EventKind.POLICY_CHANGE, now, actor.label, {
            "action": "proposed", "digest": d, "by": actor.id, "reason_digest": digest(reason),
            "retention_days": policy.retention.ordinary_days,
            "search_chain": [r.value for r in policy.approvals.historical_search]})])
        return d

    def approve(self, actor: User, policy: Policy) -> bool:
        """One level approves the policy the approver has read (the digest is computed from it). Returns whether
        the policy is now approved."""
        d = policy_digest(policy)
        now = self._clock.now()
        try:
            proposer, steps = self._steps(d)
            if proposer is None:
                raise ApprovalRefused(f"policy {d[:16]} was never proposed (platewarden policy propose)")
            level, role = check_approver(self._chain, steps, proposer, actor)
        except ApprovalRefused as exc:
            self._ledger.append([Event(EventKind.POLICY_CHANGE, now, actor.label, with_reason(
                {"action": "refused", "digest": d}, str(exc)))])
            raise
        done = next_level(self._chain, [*steps, Step(level, role, actor.id, "approved", "", now)]) is None
        events = [Event(EventKind.POLICY_CHANGE, now, actor.label, {
            "action": "step", "digest": d, "by": actor.id, "level": level, "role": role.value})]
        if done:
            events.append(Event(EventKind.POLICY_CHANGE, now, actor.label, {"action": "approved", "digest": d}))
        self._ledger.append(events)
        return done

    def state(self, policy: Policy) -> str:
        """'defaults' (the built-in policy), 'approved' (through its chain) or 'not approved': one reading for the
        API and the command line."""
        if policy == Policy():
            return "defaults"
        return "approved" if self.approved(policy) else "not approved"

    def approved(self, policy: Policy) -> bool:
        return policy == Policy() or any(b.get("action") == "approved" for b in self._entries(policy_digest(policy)))

    def require_approved(self, policy: Policy) -> None:
        """For the server and ingest: refuse to run on a policy nobody approved."""
        try:
            ok = self.approved(policy)
        except LedgerTampered as exc:
            raise PolicyNotApproved(f"the ledger cannot be trusted ({exc}), so neither can the policy's "
                                    "approval") from None
        if not ok:
            raise PolicyNotApproved(f"the policy in force (sha256 {policy_digest(policy)}) was not approved through "
                                    f"its chain ({' → '.join(r.value for r in self._chain)}): platewarden policy "
                                    "propose FILE, then policy approve FILE at each level")
