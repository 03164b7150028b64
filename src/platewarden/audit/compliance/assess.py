"""Assess: a Snapshot and a Policy → findings and figures. Pure: no database, no keys, no clock.

A finding names the rule, how serious a breach it is, and the exact items that break it (days, request ids,
segments, areas), so that an auditor can ask about each one. Figures are the rates and ratios the report shows
beside them. The policy is normally the one recorded in the snapshot; an auditor may assess against another.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

from platewarden.audit.compliance.snapshot import RequestInfo, Snapshot
from platewarden.policy.model import Policy


class Severity(StrEnum):
    CRITICAL = "critical"  # the law or the policy was broken
    WARNING = "warning"  # a safeguard is missing or late
    NOTICE = "notice"  # worth a look; no rule broken


SECTIONS = ("retention", "authorization", "ledger", "alerts", "hotlist", "deployment", "bias", "zones", "redress")
# An alert waiting longer than this for a person's judgement is a warning, not a notice.
UNDISPOSED_WARNING_DAYS = 7
# The shortest public comment period on a camera proposal that is not itself a finding.
MIN_COMMENT_DAYS = 14
# Zones this close to their expiry are listed (renew or let end: a decision to take in time).
ZONE_EXPIRY_NOTICE_DAYS = 7


@dataclass(frozen=True)
class Finding:
    section: str
    severity: Severity
    code: str
    title: str
    items: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"section": self.section, "severity": self.severity.value, "code": self.code, "title": self.title,
                "items": list(self.items)}


@dataclass(frozen=True)
class AreaFigures:
    area: str
    cameras: int
    length_km: float
    cameras_per_km: float | None
    reads: int
    alerts: int
    alert_rate: float | None  # alerts per read
    alert_ratio: float | None  # against the city-wide alert rate; None when too few alerts to compare
    misread_rate: float | None  # misreads per judged alert
    misread_ratio: float | None
    searches: int
    population: int | None = None
    cameras_per_1000: float | None = None
    reads_per_1000: float | None = None


@dataclass
class Assessment:
    findings: list[Finding] = field(default_factory=list)
    figures: dict[str, dict[str, Any]] = field(default_factory=dict)

    def by_section(self, section: str) -> list[Finding]:
        return [f for f in self.findings if f.section == section]

    def count(self, severity: Severity) -> int:
        return sum(f.severity is severity for f in self.findings)


def _quantile(values: list[float], q: float) -> float | None:
    """Nearest-rank quantile (the value an auditor can find in the list)."""
    if not values:
        return None
    s = sorted(values)
    return s[max(0, math.ceil(q * len(s)) - 1)]


def _rate(n: int, d: int) -> float | None:
    return n / d if d else None


def assess(snap: Snapshot, policy: Policy | None = None, population: dict[str, int] | None = None) -> Assessment:
    policy = policy or snap.policy
    out = Assessment()
    for check in (_retention, _authorization, _ledger, _alerts, _hotlist, _deployment, _zones, _redress, _policy):
        check(snap, policy, out)
    _bias(snap, policy, out, population or {})
    order = list(Severity)
    out.findings.sort(key=lambda f: (order.index(f.severity), SECTIONS.index(f.section), f.code))
    return out


def _retention(snap: Snapshot, policy: Policy, out: Assessment) -> None:
    limit = policy.retention.ordinary_days
    cutoff = snap.generated_at.date() - timedelta(days=limit)
    past, gone, mismatch, late = [], [], [], []
    for d in snap.retention.days:
        if d.day < cutoff and (d.ordinary_stored or d.key_exists):
            what = f"{d.ordinary_stored} ordinary reads" if d.ordinary_stored else "its key"
            past.append(f"{d.day}: {what} still stored ({(snap.generated_at.date() - d.day).days} days old)")
        if d.receipt is None and not d.key_exists and not d.ordinary_stored and d.reads_counted:
            gone.append(f"{d.day}: {d.reads_counted} reads stored, gone without a destruction receipt")
        if d.receipt is not None:
            if not d.receipt.ledger_matches:
                mismatch.append(f"{d.day}: receipt points at ledger entry {d.receipt.ledger_seq}, which does not "
                                "match it")
            age = (d.receipt.destroyed_at.date() - d.day).days
            if age > limit + 1:  # retention runs daily: a day is due the day after it passes the limit
                late.append(f"{d.day}: destroyed after {age} days (limit {limit})")
    add = out.findings.append
    if past:
        add(Finding("retention", Severity.CRITICAL, "kept-past-limit",
                    f"Ordinary reads or keys kept past the {limit}-day limit", tuple(past)))
    if gone:
        add(Finding("retention", Severity.CRITICAL, "destroyed-without-receipt",
                    "Days whose reads are gone without a destruction receipt", tuple(gone)))
    if mismatch or snap.retention.ledger_receipts_without_record:
        items = mismatch + [f"{d}: the ledger has a destruction receipt, the store has no record"
                            for d in snap.retention.ledger_receipts_without_record]
        add(Finding("retention", Severity.CRITICAL, "receipt-mismatch",
                    "Destruction receipts that do not match the ledger", tuple(items)))
    if late:
        add(Finding("retention", Severity.WARNING, "destroyed-late", "Days destroyed later than the limit",
                    tuple(late)))
    days = snap.retention.days
    out.figures["retention"] = {
        "limit_days": limit, "cutoff": cutoff.isoformat(), "days_with_reads": sum(d.reads_counted > 0 for d in days),
        "days_destroyed": sum(d.receipt is not None for d in days),
        "reads_destroyed": sum(d.receipt.destroyed_reads for d in days if d.receipt),
        "reads_kept_for_cases": sum(d.receipt.kept_for_cases for d in days if d.receipt)}


def _chain_gaps(req: RequestInfo, chain: list[str], until: Any) -> list[str]:
    """Roles of the chain (after the applicant) with no approval decided before ``until``."""
    done = {s.role for s in req.steps if s.decision == "approved" and s.decided_at <= until}
    return [r for r in chain[1:] if r not in done]


def _authorization(snap: Snapshot, policy: Policy, out: Assessment) -> None:
    a = snap.authorization
    chain = [r.value for r in policy.approvals.historical_search]
    hours = policy.exigent.review_within_hours
    reqs = {r.id: r for r in a.requests}
    unauthorized = []
    for s in a.searches:
        req = reqs.get(s.request_id or "")
        if req is None:
            unauthorized.append(f"search #{s.log_id} at {s.at:%Y-%m-%d %H:%M}: no search request on record")
        elif not req.exigent and (gaps := _chain_gaps(req, chain, s.at)):
            unauthorized.append(f"search #{s.log_id} at {s.at:%Y-%m-%d %H:%M} under request {req.id}: no approval "
                                f"by {', '.join(gaps)} before it ran")
    overdue: list[str] = []
    never: list[str] = []
    pending: list[str] = []
    not_upheld: list[str] = []
    for r in a.requests:
        if not r.exigent:
            continue
        due = r.requested_at + timedelta(hours=hours)
        on_time = {s.role for s in r.steps if s.decided_at <= due}
        missing = [role for role in chain[1:] if role not in on_time]
        if missing and snap.generated_at > due:
            late = {s.role: s.decided_at for s in r.steps if s.role in missing}
            how = "; ".join(f"{role} " + (f"reviewed {(late[role] - r.requested_at).total_seconds() / 3600:.0f} h "
                                          "after" if role in late else "never reviewed") for role in missing)
            item = f"request {r.id} ({r.offence}, {r.requested_at:%Y-%m-%d %H:%M}): {how}"
            (never if any(role not in late for role in missing) else overdue).append(item)
        elif missing:
            pending.append(f"request {r.id}: review due by {due:%Y-%m-%d %H:%M}")
        if any(s.decision == "not_upheld" for s in r.steps):
            not_upheld.append(f"request {r.id} ({r.offence})")
    add = out.findings.append
    if unauthorized:
        add(Finding("authorization", Severity.CRITICAL, "search-without-chain",
                    "Searches run without a complete approval chain", tuple(unauthorized)))
    if never:  # an exigent search nobody reviewed after its window is a search without authorization
        add(Finding("authorization", Severity.CRITICAL, "exigent-never-reviewed",
                    f"Exigent searches past their {hours} h review window with a review never done", tuple(never)))
    if overdue:
        add(Finding("authorization", Severity.WARNING, "exigent-review-overdue",
                    f"Exigent searches not reviewed by {', '.join(chain[1:])} within {hours} h", tuple(overdue)))
    if not_upheld:
        add(Finding("authorization", Severity.NOTICE, "exigent-not-upheld",
                    "Exigent searches whose use was not upheld on review", tuple(not_upheld)))
    if pending:
        add(Finding("authorization", Severity.NOTICE, "exigent-review-pending", "Exigent reviews still in time",
                    tuple(pending)))
    out.figures["authorization"] = {
        "searches_run": len(a.searches), "searches_refused": a.refused,
        "searches_complete_chain": len(a.searches) - len(unauthorized),
        "requests": len(a.requests), "exigent_requests": sum(r.exigent for r in a.requests),
        "exigent_overdue": len(overdue) + len(never), "exigent_never_reviewed": len(never),
        "refused_by_organisation": a.refused_by_organisation,
        "requests_by_status": _count(r.status for r in a.requests)}


def _count(values: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def _ledger(snap: Snapshot, policy: Policy, out: Assessment) -> None:
    lg = snap.ledger
    add = out.findings.append
    if not lg.verified:
        add(Finding("ledger", Severity.NOTICE, "not-verified", "The ledger was not re-verified for this snapshot"))
    elif not lg.ok:
        where = f" (first bad entry {lg.first_bad_entry})" if lg.first_bad_entry is not None else ""
        add(Finding("ledger", Severity.CRITICAL, "ledger-broken", "The ledger does not verify",
                    (lg.problem + where,)))
    if lg.disagreements:
        add(Finding("ledger", Severity.CRITICAL, "governed-rows-disagree", "Governed rows that fail their seal or "
                    "the signed ledger (written outside platewarden; platewarden audit reconcile)",
                    tuple(lg.disagreements)))
    if lg.latest is None:
        add(Finding("ledger", Severity.WARNING, "no-checkpoint", "The ledger has no signed checkpoint"))
    elif lg.latest_witnessed is None:
        add(Finding("ledger", Severity.WARNING, "no-witness", "No checkpoint has been cosigned by a witness"
                    + (f" quorum ({lg.witness_quorum} of the policy's witnesses)" if lg.witnesses_from_policy
                       else "")))
    elif lg.latest_witnessed.size < lg.entries:
        add(Finding("ledger", Severity.NOTICE, "witness-behind", "The latest witnessed checkpoint does not cover the "
                    "whole ledger", (f"witnessed up to entry {lg.latest_witnessed.size} of {lg.entries}, "
                                     f"on {lg.latest_witnessed.created_at:%Y-%m-%d}",)))
    if lg.latest is not None and not lg.witnesses_from_policy:
        add(Finding("ledger", Severity.NOTICE, "witnesses-not-in-policy", "The policy names no witnesses "
                    "(ledger.witnesses): witness keys are taken from the database, which a database writer can add "
                    "to"))
    out.figures["ledger"] = {"ok": lg.ok, "entries": lg.entries, "checkpoints": lg.checkpoints,
                             "uncovered": lg.uncovered, "entries_in_period": sum(lg.entries_in_period.values())}


def _alerts(snap: Snapshot, policy: Policy, out: Assessment) -> None:
    al = snap.alerts
    judged = sum(al.dispositions.values())
    if al.undisposed:
        ages = [(snap.generated_at - u.created_at, u) for u in al.undisposed_alerts]
        items = tuple(f"alert {u.id}: raised {u.created_at:%Y-%m-%d %H:%M}, waiting {age.days} days "
                      f"{age.seconds // 3600} h" for age, u in sorted(ages, key=lambda t: -t[0]))
        stale = [age for age, _ in ages if age > timedelta(days=UNDISPOSED_WARNING_DAYS)]
        out.findings.append(Finding(
            "alerts", Severity.WARNING if stale else Severity.NOTICE, "undisposed",
            f"{al.undisposed} alerts of the period have no disposition"
            + (f"; {len(stale)} waiting more than {UNDISPOSED_WARNING_DAYS} days" if stale else ""), items))
    out.figures["alerts"] = {
        "raised": al.raised, "judged": judged, "undisposed": al.undisposed,
        "misread_rate": _rate(al.dispositions.get("misread", 0), judged),
        "wrong_region_rate": _rate(al.dispositions.get("wrong_region", 0), judged),
        "correct_rate": _rate(al.dispositions.get("correct", 0), judged),
        "hours_to_disposition_median": _quantile(al.hours_to_disposition, 0.5),
        "hours_to_disposition_p95": _quantile(al.hours_to_disposition, 0.95)}


def _hotlist(snap: Snapshot, policy: Policy, out: Assessment) -> None:
    entries = snap.hotlist.entries
    now = snap.generated_at
    add = out.findings.append
    missing = [f"entry {e.id}: " + " and ".join(w for w, ok in (("no source", e.has_source),
                                                                  ("no reason", e.has_reason)) if not ok)
               for e in entries if not (e.has_source and e.has_reason)]
    expired = [f"entry {e.id}: expired {e.expires_at:%Y-%m-%d}" for e in entries
               if e.status == "active" and e.expires_at <= now]
    unapproved = [f"entry {e.id}" for e in entries if e.status == "active" and not e.approved]
    shortest = policy.recognition.min_plate_length
    live = [e for e in entries if e.status in ("active", "pending")]
    too_short = [f"entry {e.id}: {e.plate_length} character{'s' if e.plate_length != 1 else ''} ({e.status})"
                 for e in live if e.plate_length is not None and e.plate_length < shortest]
    too_short += [f"entry {e.id}: not a plate any jurisdiction issues ({e.status})" for e in live
                  if not e.plate_fits and not (e.plate_length is not None and e.plate_length < shortest)]
    duplicates = [f"entry {e.id} ({e.status})" for e in live if e.duplicate]
    max_days = policy.alerts.hotlist_max_days
    too_long = [f"entry {e.id}: expires {e.expires_at:%Y-%m-%d}, {(e.expires_at - e.added_at).days} days after it "
                f"was added" for e in live if e.expires_at - e.added_at > timedelta(days=max_days)]
    if duplicates:
        add(Finding("hotlist", Severity.WARNING, "duplicate-entries",
                    "Hotlist entries for a plate that has another live entry (the door refuses them)",
                    tuple(duplicates)))
    if too_long:
        add(Finding("hotlist", Severity.WARNING, "expiry-beyond-policy",
                    f"Hotlist entries that last longer than alerts.hotlist_max_days ({max_days} days)",
                    tuple(too_long)))
    if missing:
        add(Finding("hotlist", Severity.WARNING, "no-provenance", "Hotlist entries without source or reason",
                    tuple(missing)))
    if expired:
        add(Finding("hotlist", Severity.WARNING, "expired-active", "Hotlist entries expired but still active",
                    tuple(expired)))
    if unapproved:
        add(Finding("hotlist", Severity.CRITICAL, "active-unapproved", "Active hotlist entries without an approval",
                    tuple(unapproved)))
    if too_short:  # the reader drops readings this short: such an entry can only ever match noise
        add(Finding("hotlist", Severity.WARNING, "plate-syntax",
                    f"Hotlist entries shorter than any plate the reader reports ({shortest} characters)",
                    tuple(too_short)))
    pending = [e for e in entries if e.status == "pending"]
    out.figures["hotlist"] = {
        "by_status": _count(e.status for e in entries), "without_provenance": len(missing),
        "expired_active": len(expired), "suppressed": sum(e.status == "suppressed" for e in entries),
        "pending": len(pending),
        "added_in_period": sum(snap.period_from <= e.added_at.date() <= snap.period_to for e in entries)}


def _deployment(snap: Snapshot, policy: Policy, out: Assessment) -> None:
    limit = policy.deployment.max_cameras_per_km
    dep = snap.deployment
    rows, over = [], []
    for s in dep.segments:
        density = len(s.cameras) / s.length_km if s.length_km > 0 else math.inf if s.cameras else 0.0
        allowed = math.floor(limit * s.length_km + 1e-9)
        excess = max(0, len(s.cameras) - allowed)
        excepted = len({e.camera_id for e in s.exceptions if e.camera_id in s.cameras})
        unexcused = max(0, excess - excepted)
        if unexcused:
            over.append(f"{s.id} ({s.area}): {len(s.cameras)} cameras on {s.length_km:g} km = {density:.2f}/km, "
                        f"limit {limit:g}/km; {unexcused} beyond the limit without a recorded exception")
        rows.append({"id": s.id, "name": s.name, "area": s.area, "length_km": s.length_km,
                     "cameras": len(s.cameras), "per_km": density, "over_limit": excess > 0,
                     "excepted": excepted, "unexcused": unexcused})
    add = out.findings.append
    if over:
        add(Finding("deployment", Severity.WARNING, "density-over-limit",
                    "Road segments over the camera density limit without a recorded exception", tuple(over)))
    if dep.cameras_without_segment:
        add(Finding("deployment", Severity.NOTICE, "camera-without-segment",
                    "Approved cameras on no known road segment (outside the density rule)",
                    tuple(dep.cameras_without_segment)))
    excepted_items = [f"{s.id} ({s.area}): camera {e.camera_id}, proposal {e.proposal_id}"
                      + (f", approved {e.decided_at:%Y-%m-%d}" if e.decided_at else "") + f": {e.reason}"
                      for s in dep.segments for e in s.exceptions]
    if excepted_items:
        add(Finding("deployment", Severity.NOTICE, "density-exception",
                    "Cameras approved beyond the density limit by a recorded exception, with its reasons",
                    tuple(excepted_items)))
    days = policy.deployment.public_comment_days
    if days < MIN_COMMENT_DAYS:
        add(Finding("deployment", Severity.CRITICAL if days == 0 else Severity.WARNING, "comment-period",
                    "The policy gives the public no time to comment on a camera proposal" if days == 0 else
                    f"The policy's public comment period is shorter than {MIN_COMMENT_DAYS} days",
                    (f"deployment.public_comment_days: {days}",)))
    refused = sum(dep.refusals_by_reason.values())
    if refused:
        add(Finding("deployment", Severity.NOTICE, "reads-refused",
                    f"{refused} reads refused from cameras that are not approved",
                    tuple(f"{c}: {n}" for c, n in sorted(dep.refusals_by_camera.items()))))
    out.figures["deployment"] = {"limit": limit, "segments": rows, "refused_reads": refused,
                                 "proposals_by_status": _count(p.status for p in dep.proposals),
                                 "exceptions": [e.model_dump(mode="json") | {"segment": s.id}
                                                for s in dep.segments for e in s.exceptions]}


def _bias(snap: Snapshot, policy: Policy, out: Assessment, population: dict[str, int]) -> None:
    threshold, least = policy.audit.bias_ratio_threshold, policy.audit.bias_min_events
    areas = snap.bias.areas
    total_reads = sum(a.reads for a in areas)
    total_alerts = sum(a.alerts for a in areas)
    total_judged = sum(a.judged for a in areas)
    city_alert = _rate(total_alerts, total_reads)
    city_misread = _rate(sum(a.misreads for a in areas), total_judged)
    figs, flagged = [], []
    for a in areas:
        alert_rate = _rate(a.alerts, a.reads)
        misread_rate = _rate(a.misreads, a.judged)
        alert_ratio = (alert_rate / city_alert if alert_rate is not None and city_alert and a.alerts >= least
                       else None)
        misread_ratio = (misread_rate / city_misread if misread_rate is not None and city_misread
                         and a.judged >= least else None)
        pop = population.get(a.area)
        figs.append(AreaFigures(
            a.area, a.cameras, a.length_km, a.cameras / a.length_km if a.length_km else None, a.reads, a.alerts,
            alert_rate, alert_ratio, misread_rate, misread_ratio, a.searches, pop,
            1000 * a.cameras / pop if pop else None, 1000 * a.reads / pop if pop else None))
        if alert_ratio is not None and alert_ratio > threshold:
            flagged.append(f"{a.area}: alert rate {alert_rate:.2%} is {alert_ratio:.1f}x the city-wide "
                           f"{city_alert:.2%} ({a.alerts} alerts in {a.reads} reads)")
        if misread_ratio is not None and misread_ratio > threshold:
            flagged.append(f"{a.area}: misread rate {misread_rate:.0%} is {misread_ratio:.1f}x the city-wide "
                           f"{city_misread:.0%} ({a.misreads} of {a.judged} judged alerts)")
    add = out.findings.append
    if flagged:
        add(Finding("bias", Severity.WARNING, "area-outlier",
                    f"Areas whose alert or misread rate is more than {threshold:g}x the city-wide rate",
                    tuple(flagged)))
    unknown = sorted(set(population) - {a.area for a in areas})
    if unknown:
        add(Finding("bias", Severity.NOTICE, "population-unknown-area",
                    "Population given for areas with no road segment", tuple(unknown)))
    if snap.bias.alerts_without_area:
        add(Finding("bias", Severity.NOTICE, "alerts-without-area",
                    f"{snap.bias.alerts_without_area} alerts could not be placed in an area (camera on no segment, "
                    "or the alert's day already destroyed)"))
    out.figures["bias"] = {"threshold": threshold, "min_events": least, "city_alert_rate": city_alert,
                           "city_misread_rate": city_misread, "areas": figs,
                           "reads_without_area": snap.bias.reads_without_area,
                           "alerts_without_area": snap.bias.alerts_without_area,
                           "searches_without_area": snap.bias.searches_without_area}


def _zones(snap: Snapshot, policy: Policy, out: Assessment) -> None:
    now = snap.generated_at
    add = out.findings.append
    running = [z for z in snap.zones if z.status in ("active", "pending")]
    past = [f"zone {z.id} ({z.name}): {z.status} since its expiry {z.expires_at:%Y-%m-%d %H:%M}" for z in running
            if z.expires_at is not None and z.expires_at <= now]
    residue = [f"zone {z.id} ({z.name}, {z.status}): " + ", ".join(
        w for w, bad in (("its key still exists", z.key_present), (f"{z.tokens_stored} presence tokens",
                                                                    z.tokens_stored),
                         (f"{z.alerts_stored} zone alerts", z.alerts_stored)) if bad)
        for z in snap.zones if z.status not in ("active", "pending")
        and (z.key_present or z.tokens_stored or z.alerts_stored)]
    soon = [f"zone {z.id} ({z.name}): expires {z.expires_at:%Y-%m-%d}" for z in running
            if z.expires_at is not None and now < z.expires_at <= now + timedelta(days=ZONE_EXPIRY_NOTICE_DAYS)]
    if past:
        add(Finding("zones", Severity.CRITICAL, "zone-past-expiry", "Zones still watching after their expiry",
                    tuple(past)))
    if residue:
        add(Finding("zones", Severity.CRITICAL, "zone-residue",
                    "Ended zones whose key, presence tokens or alerts were not destroyed", tuple(residue)))
    threshold, least = policy.audit.bias_ratio_threshold, policy.audit.bias_min_events
    total_sightings = sum(z.sightings for z in snap.zones)
    city = _rate(sum(z.alerts for z in snap.zones), total_sightings)
    outliers = [f"zone {z.id} ({z.name}): {z.alerts} alerts in {z.sightings} sightings is "
                f"{(z.alerts / z.sightings) / city:.1f}x the rate of all zones ({city:.2%})"
                for z in snap.zones if city and z.sightings and z.alerts >= least
                and (z.alerts / z.sightings) / city > threshold]
    if outliers:
        add(Finding("zones", Severity.WARNING, "zone-alert-outlier",
                    f"Zones whose alert rate is more than {threshold:g}x the rate over all zones", tuple(outliers)))
    if soon:
        add(Finding("zones", Severity.NOTICE, "zone-expiring",
                    f"Zones expiring within {ZONE_EXPIRY_NOTICE_DAYS} days", tuple(soon)))
    out.figures["zones"] = {"zones": [{
        "id": z.id, "name": z.name, "status": z.status, "area_km2": z.area_km2, "cameras": z.cameras,
        "cameras_per_km2": z.cameras / z.area_km2 if z.area_km2 else None, "sightings": z.sightings,
        "alerts": z.alerts, "alert_rate": _rate(z.alerts, z.sightings)} for z in snap.zones]}


def _policy(snap: Snapshot, policy: Policy, out: Assessment) -> None:
    """The policy in force takes effect only through its policy_change chain, ledgered with its digest."""
    if snap.policy_digest and snap.policy_digest not in snap.approved_policy_digests:
        out.findings.append(Finding(
            "ledger", Severity.WARNING, "policy-not-approved",
            "The policy in force was not approved through its policy_change chain (no ledger entry names it)",
            (f"policy sha256 {snap.policy_digest}",)))


def _redress(snap: Snapshot, policy: Policy, out: Assessment) -> None:
    r = snap.redress
    open_ = r.by_state.get("received", 0) + r.by_state.get("under_review", 0)
    if open_:
        out.findings.append(Finding("redress", Severity.NOTICE, "complaints-open",
                                    f"{open_} complaints of the period are not decided yet"))
    out.figures["redress"] = {"complaints": sum(r.by_state.values()), "upheld": r.by_state.get("upheld", 0),
                              "rejected": r.by_state.get("rejected", 0), "open": open_,
                              "compensation": [c.model_dump() for c in r.compensation],
                              "days_to_decision_median": _quantile(r.days_to_decision, 0.5)}
