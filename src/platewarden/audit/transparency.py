"""Public transparency figures: aggregates only — never a plate, a crop or a person's name."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from platewarden.runtime import Platform
from platewarden.store.schema import alerts, dispositions, read_counts, search_log


def transparency(p: Platform, now: datetime, days: int = 30) -> dict[str, Any]:
    since = now - timedelta(days=days)
    with p.engine.connect() as conn:
        reads = int(conn.execute(select(func.coalesce(func.sum(read_counts.c.reads), 0))
                                 .where(read_counts.c.day >= since.date())).scalar_one())
        hits = int(conn.execute(select(func.count()).select_from(alerts).where(alerts.c.created_at >= since))
                   .scalar_one())
        searches = {r[0]: int(r[1]) for r in conn.execute(
            select(search_log.c.outcome, func.count()).where(search_log.c.at >= since).group_by(search_log.c.outcome))}
        disp = {r[0]: int(r[1]) for r in conn.execute(
            select(dispositions.c.disposition, func.count()).where(dispositions.c.at >= since)
            .group_by(dispositions.c.disposition))}
    judged = sum(disp.values())
    cps = p.ledger.checkpoints()
    return {
        "agency": p.policy.agency, "period_days": days, "as_of": now.isoformat(),
        "cameras": [{"id": c.id, "name": c.name, "latitude": c.latitude, "longitude": c.longitude,
                     "road_segment": c.road_segment} for c in p.cameras.all()],
        "reads": reads, "hotlist_hits": hits, "searches_run": searches.get("allowed", 0),
        "searches_refused": searches.get("refused", 0), "dispositions": disp,
        "misread_rate": round(disp.get("misread", 0) / judged, 4) if judged else None,
        "wrong_region_rate": round(disp.get("wrong_region", 0) / judged, 4) if judged else None,
        "retention_days": p.policy.retention.ordinary_days,
        "redress": p.redress.statistics(),
        "search_approval_chain": [r.value for r in p.policy.approvals.historical_search],
        "latest_checkpoint": p.ledger.latest_note() if cps else None,
        "policy": p.policy.model_dump(mode="json"),
    }
