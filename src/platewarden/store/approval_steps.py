"""Approval steps of any chain (searches, zones, deployments, sharing agreements), stored in one table keyed by the
request's id: one canonical Step type, one way to record and load it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, insert, select

from platewarden.domain.approvals import Step
from platewarden.policy.model import Role
from platewarden.store.schema import approval_steps


def record_step(conn: Connection, request_id: str, step: Step) -> None:
    conn.execute(insert(approval_steps).values(
        request_id=request_id, level=step.level, role=step.role.value, decided_by=step.decided_by,
        decision=step.decision, reason=step.reason, decided_at=step.decided_at))


def load_steps(conn: Connection, request_ids: Sequence[str]) -> dict[str, list[Step]]:
    """The steps of each request, in level order (one query for all of them)."""
    out: dict[str, list[Step]] = {i: [] for i in request_ids}
    if request_ids:
        for s in conn.execute(select(approval_steps).where(approval_steps.c.request_id.in_(list(request_ids)))
                              .order_by(approval_steps.c.level)):
            out[s.request_id].append(Step(s.level, Role(s.role), s.decided_by, s.decision, s.reason,
                                          s.decided_at))
    return out
