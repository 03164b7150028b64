"""Each edge camera's latest outbox report (``edge_status``): kept only when newer, by the edge's own clock, than
the one stored, so a replayed report can neither hide a backlog nor make a stalled edge look current."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from platewarden.store.schema import edge_status


@dataclass(frozen=True)
class EdgeReport:
    camera_id: str
    reported_at: datetime
    unsent: int
    awaiting_receipt: int
    received_at: datetime

    @property
    def waiting(self) -> int:
        return self.unsent + self.awaiting_receipt


def keep_report(engine: Engine, report: EdgeReport) -> bool:
    """Store the report if it is newer than the camera's stored one; False if it is not (an old one, replayed)."""
    values = {"reported_at": report.reported_at, "unsent": report.unsent,
              "awaiting_receipt": report.awaiting_receipt, "received_at": report.received_at}
    with engine.begin() as conn:
        if conn.execute(update(edge_status).where(edge_status.c.camera_id == report.camera_id,
                                                  edge_status.c.reported_at < report.reported_at)
                        .values(**values)).rowcount == 1:
            return True
        if conn.execute(select(edge_status.c.camera_id).where(
                edge_status.c.camera_id == report.camera_id)).first() is not None:
            return False
    try:
        with engine.begin() as conn:
            conn.execute(insert(edge_status).values(camera_id=report.camera_id, **values))
    except IntegrityError:  # another worker stored this camera's first report meanwhile: try once more
        return keep_report(engine, report)
    return True


def latest_reports(engine: Engine) -> dict[str, EdgeReport]:
    with engine.connect() as conn:
        return {r.camera_id: EdgeReport(r.camera_id, r.reported_at, r.unsent, r.awaiting_receipt, r.received_at)
                for r in conn.execute(select(edge_status))}
