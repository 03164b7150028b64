"""What each section of the report says, in words and small tables: shared by the HTML and the PDF renderer so
the two can never disagree."""

from __future__ import annotations

from typing import Any

from platewarden.audit.compliance.assess import Assessment, Severity
from platewarden.audit.compliance.snapshot import Snapshot

TITLES = {
    "retention": "Retention", "authorization": "Authorization of searches", "ledger": "Ledger integrity",
    "alerts": "Alerts and dispositions", "hotlist": "Hotlist hygiene", "deployment": "Camera deployment",
    "bias": "Distribution across areas", "zones": "Zone watch", "redress": "Redress",
}

# What each section checks, stated as the rule (never as a claim that it holds: the verdict below says that).
RULES = {
    "retention": "Rule: no ordinary read may be kept past the policy's limit, and every destroyed day needs a "
                 "destruction receipt that matches its ledger entry.",
    "authorization": "Rule: every search must run inside a complete approval chain, or on the exigent path with its "
                     "reviews done within the policy's hours. Refused attempts are counted.",
    "ledger": "Rule: the ledger must verify from its first entry (hash chain, signed checkpoints), its latest "
              "checkpoint should be cosigned by an outside witness, and the policy in force must have been approved "
              "through its policy_change chain (a ledger entry naming its digest).",
    "alerts": "Every hotlist alert needs a person's judgement; how they were judged, and how fast.",
    "hotlist": "Rule: every entry needs a source and a reason and a plate the reader can report; active entries "
               "must be approved and not expired.",
    "deployment": "Rule: approved cameras per km of each road segment stay within the policy's limit unless an "
                  "exception was recorded when the camera was approved, and proposals are open to public comment.",
    "bias": "Reads, alerts, misreads and searches per area (the district of each camera's road segment); an "
            "area's rate far above the city-wide rate is flagged.",
    "zones": "Rule: a zone watches only between its approval and its expiry, and an ended zone keeps no key, "
             "presence token or alert. Cameras inside each zone, and zone alerts per sighting.",
    "redress": "Complaints of misidentification received in the period, their outcomes and compensation.",
}


def verdict(section: str, ass: Assessment) -> str:
    """One sentence on whether the section's rule held, from its findings: a section never reads as fine above a
    finding that says otherwise."""
    found = ass.by_section(section)
    if not found:
        return "No finding: the rule held over the period."
    counts = {s: sum(f.severity is s for f in found) for s in Severity}
    parts = [f"{n} {s.value}" for s, n in counts.items() if n]
    worst = next(s for s in Severity if counts[s])
    head = ("The rule was broken" if worst is Severity.CRITICAL else
            "A safeguard is missing or late" if worst is Severity.WARNING else "Worth a look")
    return f"{head}: {', '.join(parts)} finding{'s' if len(found) > 1 else ''} below."


def _pct(v: float | None, digits: int = 1) -> str:
    return "—" if v is None else f"{100 * v:.{digits}f} %"


def _num(v: float | None, fmt: str = ".2f") -> str:
    return "—" if v is None else format(v, fmt)


def key_figures(section: str, snap: Snapshot, ass: Assessment) -> list[tuple[str, str]]:
    f = ass.figures[section]
    if section == "retention":
        return [("Limit for ordinary reads", f"{f['limit_days']} days (cut-off {f['cutoff']})"),
                ("Days with reads in the period", str(f["days_with_reads"])),
                ("Days destroyed, with receipt", str(f["days_destroyed"])),
                ("Reads destroyed / kept for cases", f"{f['reads_destroyed']} / {f['reads_kept_for_cases']}")]
    if section == "authorization":
        return [("Searches run / with complete chain", f"{f['searches_run']} / {f['searches_complete_chain']}"),
                ("Attempts refused", f"{f['searches_refused']}" + (
                    " (" + ", ".join(f"{k}: {v}" for k, v in sorted(f["refused_by_organisation"].items())) + ")"
                    if f["refused_by_organisation"] else "")),
                ("Requests (exigent)", f"{f['requests']} ({f['exigent_requests']})"),
                ("Exigent reviews overdue", str(f["exigent_overdue"])),
                ("Requests by status", ", ".join(f"{k}: {v}" for k, v in sorted(f["requests_by_status"].items()))
                 or "—")]
    if section == "ledger":
        lg = snap.ledger
        rows = [("Verification", "not run for this snapshot" if not lg.verified else
                 "intact" if lg.ok else f"FAILED: {lg.problem}"),
                ("Entries / checkpoints", f"{lg.entries} / {lg.checkpoints}"),
                ("Entries after the latest checkpoint", str(lg.uncovered)),
                ("Entries in the period", ", ".join(f"{k}: {v}" for k, v in sorted(lg.entries_in_period.items()))
                 or "—")]
        for label, cp in (("Latest checkpoint", lg.latest), ("Latest witnessed checkpoint", lg.latest_witnessed)):
            rows.append((label, "none" if cp is None else
                         f"size {cp.size}, {cp.created_at:%Y-%m-%d %H:%M} UTC, root {cp.root[:16]}…, cosigned by "
                         f"{', '.join(cp.cosigners) or 'nobody'}"))
        return rows
    if section == "alerts":
        return [("Alerts raised / judged / undisposed", f"{f['raised']} / {f['judged']} / {f['undisposed']}"),
                ("Correct", _pct(f["correct_rate"])), ("Misread rate", _pct(f["misread_rate"])),
                ("Wrong-region rate", _pct(f["wrong_region_rate"])),
                ("Hours to disposition, median / p95",
                 f"{_num(f['hours_to_disposition_median'], '.1f')} / {_num(f['hours_to_disposition_p95'], '.1f')}")]
    if section == "hotlist":
        return [("Entries by status", ", ".join(f"{k}: {v}" for k, v in sorted(f["by_status"].items())) or "none"),
                ("Added in the period", str(f["added_in_period"])), ("Pending approval", str(f["pending"])),
                ("Suppressed after redress", str(f["suppressed"])),
                ("Expired but active / without provenance", f"{f['expired_active']} / {f['without_provenance']}")]
    if section == "deployment":
        return [("Density limit", f"{f['limit']:g} cameras per km"),
                ("Segments / over the limit / without exception",
                 f"{len(f['segments'])} / {sum(r['over_limit'] for r in f['segments'])} / "
                 f"{sum(r['unexcused'] > 0 for r in f['segments'])}"),
                ("Density exceptions recorded", str(len(f["exceptions"]))),
                ("Proposals in the period", ", ".join(f"{k}: {v}" for k, v in sorted(f["proposals_by_status"].items()))
                 or "none"),
                ("Reads refused from unapproved cameras", str(f["refused_reads"]))]
    if section == "bias":
        return [("City-wide alert rate", _pct(f["city_alert_rate"], 2)),
                ("City-wide misread rate", _pct(f["city_misread_rate"])),
                ("Flag threshold", f"{f['threshold']:g}x the city-wide rate, areas with at least "
                                   f"{f['min_events']} alerts"),
                ("Not placed in an area: reads / alerts / searches",
                 f"{f['reads_without_area']} / {f['alerts_without_area']} / {f['searches_without_area']}")]
    if section == "zones":
        return [("Zones", str(len(f["zones"])) if f["zones"] else "none")]
    if section == "redress":
        comp = "; ".join(f"{c['liable']}: {c['total']:.2f} {c['currency']} ({c['complaints']})"
                         for c in f["compensation"]) or "none"
        return [("Complaints / upheld / rejected / open",
                 f"{f['complaints']} / {f['upheld']} / {f['rejected']} / {f['open']}"),
                ("Compensation by liable party", comp),
                ("Hotlist entries suppressed", str(snap.redress.suppressed_entries)),
                ("Days to decision, median", _num(f["days_to_decision_median"], ".1f"))]
    raise KeyError(section)


Table = tuple[str, list[str], list[list[str]]]  # caption, headers, rows


def tables(section: str, snap: Snapshot, ass: Assessment) -> list[Table]:
    f: dict[str, Any] = ass.figures[section]
    out: list[Table] = []
    if section == "deployment":
        if f["segments"]:
            out.append(("Road segments", ["segment", "area", "km", "cameras", "per km", "exceptions",
                                          "without exception"],
                        [[r["id"], r["area"], f"{r['length_km']:g}", str(r["cameras"]), f"{r['per_km']:.2f}",
                          str(r["excepted"]), str(r["unexcused"])] for r in f["segments"]]))
        if f["exceptions"]:
            out.append(("Density exceptions recorded at approval", ["segment", "camera", "proposal", "decided",
                                                                    "reasons"],
                        [[e["segment"], e["camera_id"], e["proposal_id"][:8], (e["decided_at"] or "")[:10],
                          e["reason"]] for e in f["exceptions"]]))
        if snap.deployment.proposals:
            out.append(("Camera proposals of the period", ["proposal", "camera", "segment", "status", "proposed",
                                                           "decided"],
                        [[p.id[:8], p.camera_id, p.road_segment, p.status, f"{p.proposed_at:%Y-%m-%d}",
                          f"{p.decided_at:%Y-%m-%d}" if p.decided_at else "—"] for p in snap.deployment.proposals]))
    if section == "bias" and f["areas"]:
        pop = any(a.population for a in f["areas"])
        head = ["area", "cameras", "per km", "reads", "alerts", "alert rate", "ratio", "misread", "ratio",
                "searches"] + (["population", "cams/1000", "reads/1000"] if pop else [])
        rows = []
        for a in f["areas"]:
            row = [a.area, str(a.cameras), _num(a.cameras_per_km), str(a.reads), str(a.alerts),
                   _pct(a.alert_rate, 2), _num(a.alert_ratio, ".1f"), _pct(a.misread_rate, 0),
                   _num(a.misread_ratio, ".1f"), str(a.searches)]
            if pop:
                row += [str(a.population or "—"), _num(a.cameras_per_1000, ".3f"), _num(a.reads_per_1000, ".1f")]
            rows.append(row)
        out.append(("Per area", head, rows))
    if section == "zones" and f["zones"]:
        out.append(("Watched zones", ["zone", "status", "km²", "cameras", "per km²", "sightings", "alerts",
                                      "alert rate"],
                    [[z["name"], z["status"], f"{z['area_km2']:.2f}", str(z["cameras"]), _num(z["cameras_per_km2"]),
                      str(z["sightings"]), str(z["alerts"]), _pct(z["alert_rate"])] for z in f["zones"]]))
    return out
