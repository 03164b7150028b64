"""The PDF: matplotlib's PdfPages (Agg, no GUI), A4 pages. A cover with the verdict per section, every finding
with every failing item (flowed over as many pages as they need: nothing is cut), then one page per section with
its figures, its chart and its tables."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from matplotlib.backends.backend_pdf import PdfPages

from platewarden.audit.compliance.assess import SECTIONS, Assessment, Severity
from platewarden.audit.compliance.plots import DRAW
from platewarden.audit.compliance.sections import RULES, TITLES, key_figures, tables, verdict
from platewarden.audit.compliance.snapshot import Snapshot
from platewarden.audit.pdf_pages import PageWriter

SEVERITY_COLOUR = {Severity.CRITICAL: "#c53030", Severity.WARNING: "#c05621", Severity.NOTICE: "#4a5568"}


def render_pdf(snap: Snapshot, ass: Assessment, path: Path, digest: str) -> int:
    """Write the report; returns the number of pages."""
    footer = f"{snap.agency} · compliance {snap.period_from} to {snap.period_to}"
    with PdfPages(path, metadata={"Title": f"Compliance report {snap.period_from} to {snap.period_to}",
                                  "Creator": f"platewarden {snap.software_version}",
                                  "CreationDate": datetime.now(UTC)}) as pdf:
        w = PageWriter(pdf, footer)
        _cover(w, snap, ass, digest)
        _findings(w, ass)
        for section in SECTIONS:
            _section(w, section, snap, ass)
        w.close_page()
        return w.count


def _cover(w: PageWriter, snap: Snapshot, ass: Assessment, digest: str) -> None:
    w.new_page()
    w.line("Compliance report", size=22, weight="bold", gap=0.01)
    w.line(snap.agency, size=13)
    w.line(f"Period {snap.period_from} to {snap.period_to} · snapshot taken {snap.generated_at:%Y-%m-%d %H:%M} UTC "
           f"· platewarden {snap.software_version}", size=9, color="#4a5568", gap=0.02)
    w.line(f"{ass.count(Severity.CRITICAL)} critical, {ass.count(Severity.WARNING)} warnings, "
           f"{ass.count(Severity.NOTICE)} notices", size=14, weight="bold",
           color=SEVERITY_COLOUR[Severity.CRITICAL] if ass.count(Severity.CRITICAL) else "#2f855a", gap=0.015)
    for section in SECTIONS:
        found = ass.by_section(section)
        worst = found[0].severity.value if found else "no finding"
        w.line(f"{TITLES[section]}: {worst}" + (f" ({len(found)} findings)" if len(found) > 1 else ""), size=10,
               color=SEVERITY_COLOUR[found[0].severity] if found else "#2f855a", weight="bold" if found else None)
    p = snap.policy
    w.y -= 0.02
    w.line("Policy assessed against", size=11, weight="bold")
    for text in (f"Ordinary reads kept {p.retention.ordinary_days} days",
                 f"Search approval chain: {' → '.join(r.value for r in p.approvals.historical_search)}; exigent "
                 f"reviews within {p.exigent.review_within_hours} h",
                 f"At most {p.deployment.max_cameras_per_km:g} cameras per km of road",
                 f"Areas flagged above {p.audit.bias_ratio_threshold:g}x the city-wide alert or misread rate"):
        w.line("• " + text, size=9)
    w.y -= 0.02
    w.line("How to reproduce", size=11, weight="bold")
    w.line("Everything in this report is computed from one snapshot of aggregates (no plates, no images, no "
           "personal data). Its SHA-256 is below; re-run the assessment on it with `platewarden report compliance "
           "--input SNAPSHOT.json --out DIR`. The ledger figures can be checked independently on a ledger export "
           "with `platewarden ledger verify`.", size=9)
    w.line(f"snapshot sha256 {digest}", size=8, family="monospace", gap=0.01)
    w.line("What this report cannot show: copies taken outside the system before destruction, searches made "
           "outside it, or the correctness of figures the agency did not record. Alerts whose day was destroyed "
           "before the snapshot keep their disposition but no longer their camera, so they cannot be placed in an "
           "area.", size=8, color="#4a5568")


def _findings(w: PageWriter, ass: Assessment) -> None:
    w.new_page()
    w.line("Findings", size=16, weight="bold", gap=0.008)
    if not ass.findings:
        w.line("No finding: every rule checked holds for this period.", size=10)
    for f in ass.findings:
        w.line(f"[{f.severity.value.upper()}] {TITLES[f.section]}: {f.title}", size=9.5, weight="bold",
               color=SEVERITY_COLOUR[f.severity], wrap=100)
        for item in f.items:
            w.line(f"• {item}", size=8, indent=0.02, wrap=120)
        w.y -= 0.006


def _section(w: PageWriter, section: str, snap: Snapshot, ass: Assessment) -> None:
    w.new_page()
    w.line(TITLES[section], size=16, weight="bold", gap=0.004)
    w.line(RULES[section], size=9, color="#4a5568", wrap=110, gap=0.01)
    w.line(verdict(section, ass), size=9, color="#1a202c", wrap=110, gap=0.01)
    for label, value in key_figures(section, snap, ass):
        w.line(f"{label}: {value}", size=9, wrap=110)
    w.y -= 0.01
    if section in DRAW:
        w.chart(lambda fig: DRAW[section](fig, snap, ass), 0.3)
    for caption, head, rows in tables(section, snap, ass):
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
        widths = [w if i == len(widths) - 1 else min(28, w) for i, w in enumerate(widths)]  # the last may wrap
        w.line(caption, size=10, weight="bold")
        w.line("  ".join(h.ljust(n) for h, n in zip(head, widths, strict=True)), size=7, family="monospace",
               wrap=150, weight="bold")
        for r in rows:
            w.line("  ".join(c[:n].ljust(n) for c, n in zip(r, widths, strict=True)), size=7, family="monospace",
                   wrap=150)
        w.y -= 0.01
    found = ass.by_section(section)
    if found:
        w.line("Findings in this section", size=10, weight="bold")
        for f in found:
            w.line(f"[{f.severity.value.upper()}] {f.title} ({len(f.items)} items; listed under Findings)"
                   if f.items else f"[{f.severity.value.upper()}] {f.title}", size=8.5,
                   color=SEVERITY_COLOUR[f.severity])
