"""Public transparency figures: aggregates only — never a plate, a crop or a person's name — over whole days that
ended at least the policy's delay ago, with counts rounded to the policy's granularity: live, exact counters would
tell a driver within seconds whether their plate is on the hotlist."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from platewarden.runtime import Platform
from platewarden.store.schema import alerts, dispositions, read_counts, search_log


def transparency(p: Platform, now: datetime, days: int = 30) -> dict[str, Any]:
    audit = p.policy.audit
    until = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0) \
        - timedelta(days=audit.public_delay_days - 1)
    since = until - timedelta(days=days)

    def coarse(n: int) -> int:
        return round(n / audit.public_granularity) * audit.public_granularity

    with p.engine.connect() as conn:
        reads = int(conn.execute(select(func.coalesce(func.sum(read_counts.c.reads), 0)).where(
            read_counts.c.day >= since.date(), read_counts.c.day < until.date())).scalar_one())
        hits = int(conn.execute(select(func.count()).select_from(alerts).where(
            alerts.c.created_at >= since, alerts.c.created_at < until)).scalar_one())
        searches = {r[0]: int(r[1]) for r in conn.execute(
            select(search_log.c.outcome, func.count()).where(search_log.c.at >= since, search_log.c.at < until)
            .group_by(search_log.c.outcome))}
        disp = {r[0]: int(r[1]) for r in conn.execute(
            select(dispositions.c.disposition, func.count()).where(dispositions.c.at >= since,
                                                                   dispositions.c.at < until)
            .group_by(dispositions.c.disposition))}
    judged = sum(disp.values())
    cps = p.ledger.checkpoints()
    return {
        "agency": p.policy.agency, "period_days": days, "as_of": until.isoformat(),
        "rounded_to": audit.public_granularity,
        "cameras": [{"id": c.id, "name": c.name, "latitude": c.latitude, "longitude": c.longitude,
                     "road_segment": c.road_segment} for c in p.cameras.all()],
        "reads": coarse(reads), "hotlist_hits": coarse(hits), "searches_run": coarse(searches.get("allowed", 0)),
        "searches_refused": coarse(searches.get("refused", 0)), "dispositions": {k: coarse(v) for k, v in disp.items()},
        "misread_rate": round(disp.get("misread", 0) / judged, 4) if judged else None,
        "wrong_region_rate": round(disp.get("wrong_region", 0) / judged, 4) if judged else None,
        "retention_days": p.policy.retention.ordinary_days,
        "redress": p.redress.statistics(),
        "search_approval_chain": [r.value for r in p.policy.approvals.historical_search],
        "latest_checkpoint": p.ledger.latest_note() if cps else None,
        "policy": p.policy.model_dump(mode="json"),
    }
