"""The public annual report: the year's compliance snapshot reduced to what anyone may read.

Aggregates only: counts, rates, per-area figures, the policy and the findings' titles — never a plate, an image,
a name, a request or entry id, or where a vehicle was. Built from the same snapshot and assessment as the
compliance report, so the public and the auditor see the same numbers.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from platewarden.audit.compliance.assess import Severity, assess
from platewarden.audit.compliance.gather import gather
from platewarden.audit.compliance.render_html import environment
from platewarden.audit.compliance.sections import TITLES
from platewarden.audit.compliance.snapshot import Snapshot
from platewarden.runtime import Platform


def annual_figures(p: Platform, year: int) -> dict[str, Any]:
    """The public figures of ``year`` (up to today for the current year). The ledger is not re-verified here
    (a page must answer quickly); the compliance report does that."""
    today = p.clock.now().date()
    last = min(date(year, 12, 31), today) if year <= today.year else date(year, 12, 31)
    return public_figures(gather(p, date(year, 1, 1), last, verify_ledger=False), year)


def public_figures(snap: Snapshot, year: int) -> dict[str, Any]:
    ass = assess(snap)
    f = ass.figures
    months: Counter[str] = Counter()
    for d in snap.retention.days:
        months[f"{d.day:%Y-%m}"] += d.reads_counted
    area_rows = [{"area": a.area, "cameras": a.cameras, "cameras_per_km": a.cameras_per_km, "reads": a.reads,
                  "alerts": a.alerts, "alert_rate": a.alert_rate, "alert_ratio": a.alert_ratio,
                  "misread_rate": a.misread_rate, "searches": a.searches} for a in f["bias"]["areas"]]
    lg = snap.ledger
    witnessed = lg.latest_witnessed
    return {
        "agency": snap.agency, "year": year, "period_from": snap.period_from.isoformat(),
        "period_to": snap.period_to.isoformat(), "as_of": snap.generated_at.isoformat(),
        "cameras": sum(len(s.cameras) for s in snap.deployment.segments) + len(snap.deployment.cameras_without_segment),
        "reads": sum(months.values()), "reads_by_month": dict(sorted(months.items())),
        "alerts": {k: v for k, v in f["alerts"].items()},
        "dispositions": dict(snap.alerts.dispositions),
        "searches": {k: f["authorization"][k] for k in ("searches_run", "searches_refused", "exigent_requests",
                                                        "exigent_overdue", "searches_complete_chain")},
        "retention": {k: f["retention"][k] for k in ("limit_days", "days_destroyed", "reads_destroyed",
                                                    "reads_kept_for_cases")},
        "hotlist": {k: f["hotlist"][k] for k in ("by_status", "added_in_period", "suppressed", "expired_active")},
        "deployment": {"limit_per_km": f["deployment"]["limit"], "segments": len(f["deployment"]["segments"]),
                       "segments_over_limit": sum(r["over_limit"] for r in f["deployment"]["segments"]),
                       "density_exceptions": len(f["deployment"]["exceptions"]),
                       "refused_reads": f["deployment"]["refused_reads"]},
        "areas": area_rows, "city_alert_rate": f["bias"]["city_alert_rate"],
        "bias_threshold": f["bias"]["threshold"],
        "redress": {k: f["redress"][k] for k in ("complaints", "upheld", "rejected", "open", "compensation")},
        "ledger": {"entries": lg.entries, "checkpoints": lg.checkpoints,
                   "latest_witnessed": None if witnessed is None else {
                       "size": witnessed.size, "root": witnessed.root, "at": witnessed.created_at.isoformat(),
                       "cosigners": witnessed.cosigners}},
        "findings": {"critical": ass.count(Severity.CRITICAL), "warning": ass.count(Severity.WARNING),
                     "titles": [f"{x.severity.value}: {TITLES[x.section]}: {x.title}" for x in ass.findings
                                if x.severity is not Severity.NOTICE]},
        "policy": {"retention_days": snap.policy.retention.ordinary_days,
                   "search_chain": [r.value for r in snap.policy.approvals.historical_search],
                   "exigent_review_hours": snap.policy.exigent.review_within_hours,
                   "max_cameras_per_km": snap.policy.deployment.max_cameras_per_km},
    }


def render_annual(figures: dict[str, Any]) -> str:
    return environment().get_template("annual.html").render(t=figures)
