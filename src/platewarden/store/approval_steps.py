"""Approval steps of any chain (searches, zones, deployments, sharing agreements, hotlist entries), stored in one table
keyed by the request's id: one canonical Step type, one way to record and load it. Every step is sealed when
recorded (store/seals.py); a step whose seal fails is not a step: it is left out (``audit reconcile`` names it)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import Connection, insert, select

from platewarden.domain.approvals import Step
from platewarden.policy.model import Role
from platewarden.store.resealing import reseal
from platewarden.store.schema import approval_steps
from platewarden.store.seals import RecordSeal, row_holds

log = logging.getLogger(__name__)


def record_step(conn: Connection, request_id: str, step: Step, seal: RecordSeal) -> None:
    conn.execute(insert(approval_steps).values(
        request_id=request_id, level=step.level, role=step.role.value, decided_by=step.decided_by,
        decision=step.decision, reason=step.reason, decided_at=step.decided_at))
    reseal(conn, seal, approval_steps, approval_steps.c.request_id == request_id,
           approval_steps.c.level == step.level)


def load_steps(conn: Connection, request_ids: Sequence[str], seal: RecordSeal) -> dict[str, list[Step]]:
    """The genuine steps of each request, in level order (one query for all of them)."""
    out: dict[str, list[Step]] = {i: [] for i in request_ids}
    if request_ids:
        for s in conn.execute(select(approval_steps).where(approval_steps.c.request_id.in_(list(request_ids)))
                              .order_by(approval_steps.c.level)):
            if not row_holds(seal, "approval_steps", s):
                log.error("approval step %s/%s fails its seal: ignored (platewarden audit reconcile)",
                          s.request_id, s.level)
                continue
            out[s.request_id].append(Step(s.level, Role(s.role), s.decided_by, s.decision, s.reason,
                                          s.decided_at))
    return out
