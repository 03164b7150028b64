"""The report's charts, drawn with matplotlib's object API (no pyplot: no global state, no GUI backend).

Each ``draw_*`` fills a figure or subfigure from a snapshot and its assessment; the HTML renderer saves the figure
as SVG, the PDF renderer places the same drawing on a page. Red marks what a finding flags, so the charts and the
findings say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from matplotlib.dates import date2num
from matplotlib.figure import Figure, FigureBase
from matplotlib.ticker import MaxNLocator

from platewarden.audit.compliance.assess import Assessment
from platewarden.audit.compliance.snapshot import Snapshot

OK, BAD, EXCUSED, MUTED, ACCENT = "#2b6cb0", "#c53030", "#dd6b20", "#a0aec0", "#2f855a"


def _empty(fig: FigureBase, text: str) -> None:
    ax = fig.subplots()
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", color="#718096", fontsize=10)


def _style(ax: Any) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)


def _counts(axis: Any) -> None:
    """A count axis: whole numbers only (no "2.5 searches"), from zero."""
    axis.set_major_locator(MaxNLocator(integer=True))


def _nothing(ax: Any, text: str) -> None:
    """A panel with nothing to plot says so instead of drawing empty axes."""
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", color="#718096", fontsize=9, transform=ax.transAxes)


def draw_retention(fig: FigureBase, snap: Snapshot, ass: Assessment) -> None:
    days = [d for d in snap.retention.days if d.reads_counted or d.receipt]
    if not days:
        return _empty(fig, "no reads in this period")
    cutoff = ass.figures["retention"]["cutoff"]
    flagged = {i.split(":")[0] for f in ass.by_section("retention") for i in f.items}
    colours = [BAD if d.day.isoformat() in flagged else ACCENT if d.receipt else
               (MUTED if d.day.isoformat() < cutoff else OK) for d in days]
    ax = fig.subplots()
    ax.bar(date2num([d.day for d in days]),  # type: ignore[no-untyped-call]
           [max(d.reads_counted, d.receipt.destroyed_reads if d.receipt else 0)
            for d in days],
           color=colours, width=0.8)
    ax.xaxis_date()
    _counts(ax.yaxis)
    ax.set_ylabel("reads stored that day", fontsize=8)
    ax.set_title("Reads per day: green destroyed with receipt, blue within the limit, red flagged", fontsize=9)
    ax.tick_params(axis="x", labelrotation=30)
    _style(ax)


def draw_authorization(fig: FigureBase, snap: Snapshot, ass: Assessment) -> None:
    f = ass.figures["authorization"]
    labels = ["searches run,\ncomplete chain", "searches run,\nchain incomplete", "attempts refused",
              "exigent requests", "exigent reviews\noverdue"]
    values = [f["searches_complete_chain"], f["searches_run"] - f["searches_complete_chain"], f["searches_refused"],
              f["exigent_requests"], f["exigent_overdue"]]
    if not any(values):
        return _empty(fig, "no searches in this period")
    ax = fig.subplots()
    bars = ax.barh(labels[::-1], values[::-1], color=[BAD, OK, MUTED, BAD, OK])
    ax.bar_label(bars, fontsize=8, padding=2)
    _counts(ax.xaxis)
    ax.set_title("Historical searches in the period", fontsize=9)
    _style(ax)


def draw_alerts(fig: FigureBase, snap: Snapshot, ass: Assessment) -> None:
    al = snap.alerts
    if not al.raised:
        return _empty(fig, "no alerts in this period")
    left, right = fig.subplots(1, 2)
    names = ["correct", "wrong_region", "misread", "dismissed"]
    counts = [al.dispositions.get(n, 0) for n in names] + [al.undisposed]
    bars = left.bar([*names, "undisposed"], counts, color=[ACCENT, EXCUSED, BAD, MUTED, "#718096"])
    left.bar_label(bars, fontsize=8)
    _counts(left.yaxis)
    left.set_title("Dispositions", fontsize=9)
    left.tick_params(axis="x", labelrotation=30)
    if al.hours_to_disposition:
        right.hist(al.hours_to_disposition, bins=min(20, max(5, len(al.hours_to_disposition) // 3)), color=OK)
        p95 = ass.figures["alerts"]["hours_to_disposition_p95"]
        right.axvline(p95, color=BAD, linestyle="--", linewidth=1, label=f"p95 {p95:.1f} h")
        right.legend(fontsize=7)
        right.set_xlim(left=0)  # no alert is disposed of before it is raised
        _counts(right.yaxis)
        right.set_xlabel("hours", fontsize=8)
    else:
        _nothing(right, "no alert disposed of yet")
    right.set_title("Hours from alert to disposition", fontsize=9)
    for ax in (left, right):
        _style(ax)


def draw_hotlist(fig: FigureBase, snap: Snapshot, ass: Assessment) -> None:
    f = ass.figures["hotlist"]
    if not snap.hotlist.entries:
        return _empty(fig, "the hotlist is empty")
    ax = fig.subplots()
    labels = [*sorted(f["by_status"]), "expired,\nstill active", "no source\nor reason"]
    values = [f["by_status"][s] for s in sorted(f["by_status"])] + [f["expired_active"], f["without_provenance"]]
    bars = ax.bar(labels, values, color=[OK] * len(f["by_status"]) + [BAD, BAD])
    ax.bar_label(bars, fontsize=8)
    _counts(ax.yaxis)
    ax.set_title("Hotlist entries by status, and hygiene problems", fontsize=9)
    _style(ax)


def draw_deployment(fig: FigureBase, snap: Snapshot, ass: Assessment) -> None:
    f = ass.figures["deployment"]
    rows = f["segments"]
    if not rows:
        return _empty(fig, "no road segments registered")
    ax = fig.subplots()
    colours = [BAD if r["unexcused"] else EXCUSED if r["over_limit"] else OK for r in rows]
    ax.barh([r["id"] for r in rows][::-1], [r["per_km"] for r in rows][::-1], color=colours[::-1])
    ax.axvline(f["limit"], color="#1a202c", linestyle="--", linewidth=1)
    ax.set_xlabel(f"approved cameras per km (dashed: the limit, {f['limit']:g}/km)", fontsize=8)
    ax.set_title("Camera density per road segment: orange over the limit with an exception, red without",
                 fontsize=9)
    _style(ax)


def draw_bias(fig: FigureBase, snap: Snapshot, ass: Assessment) -> None:
    f = ass.figures["bias"]
    areas = f["areas"]
    if not areas:
        return _empty(fig, "no areas (no road segments registered)")
    left, right = fig.subplots(1, 2)
    names = [a.area for a in areas]
    ratio = [a.alert_ratio or 0 for a in areas]
    mis = [a.misread_ratio or 0 for a in areas]
    x = range(len(names))
    left.bar([i - 0.2 for i in x], ratio, width=0.4, label="alert rate",
             color=[BAD if r > f["threshold"] else OK for r in ratio])
    left.bar([i + 0.2 for i in x], mis, width=0.4, label="misread rate",
             color=[BAD if r > f["threshold"] else MUTED for r in mis])
    left.axhline(f["threshold"], color="#1a202c", linestyle="--", linewidth=1)
    left.axhline(1, color="#718096", linewidth=0.6)
    left.set_xticks(list(x), names, rotation=30)
    left.set_title(f"Ratio to the city-wide rate (flag above {f['threshold']:g}x)", fontsize=9)
    left.set_ylim(0, max([*ratio, *mis, f["threshold"]]) * 1.3)
    left.legend(fontsize=7, ncols=2, loc="upper left", frameon=False)
    right.bar(names, [a.cameras_per_km or 0 for a in areas], color=OK)
    right.set_title("Approved cameras per km of road", fontsize=9)
    right.tick_params(axis="x", labelrotation=30)
    for ax in (left, right):
        _style(ax)


def draw_zones(fig: FigureBase, snap: Snapshot, ass: Assessment) -> None:
    zs = ass.figures["zones"]["zones"]
    if not zs:
        return _empty(fig, "no watched zones")
    ax = fig.subplots()
    ax.bar([z["name"][:20] for z in zs], [z["alert_rate"] or 0 for z in zs], color=OK)
    ax.set_title("Zone alerts per sighting", fontsize=9)
    ax.tick_params(axis="x", labelrotation=30)
    _style(ax)


def draw_redress(fig: FigureBase, snap: Snapshot, ass: Assessment) -> None:
    r = snap.redress
    if not r.by_state:
        return _empty(fig, "no complaints in this period")
    left, right = fig.subplots(1, 2)
    states = sorted(r.by_state)
    bars = left.bar(states, [r.by_state[s] for s in states], color=OK)
    left.bar_label(bars, fontsize=8)
    _counts(left.yaxis)
    left.set_title("Complaints by state", fontsize=9)
    left.tick_params(axis="x", labelrotation=30)
    if r.compensation:
        right.bar([f"{c.liable} ({c.currency})" for c in r.compensation], [c.total for c in r.compensation],
                  color=EXCUSED)
    else:
        _nothing(right, "no compensation awarded in this period")
    right.set_title("Compensation by liable party", fontsize=9)
    for ax in (left, right):
        _style(ax)


DRAW: dict[str, Callable[[FigureBase, Snapshot, Assessment], None]] = {
    "retention": draw_retention, "authorization": draw_authorization, "alerts": draw_alerts,
    "hotlist": draw_hotlist, "deployment": draw_deployment, "bias": draw_bias, "zones": draw_zones,
    "redress": draw_redress}


def svg(section: str, snap: Snapshot, ass: Assessment, size: tuple[float, float] = (9, 3.4)) -> str:
    """One section's chart as an inline SVG element (text kept as text, so it is searchable and small)."""
    import io

    from matplotlib import rc_context

    fig = Figure(figsize=size, layout="constrained")
    DRAW[section](fig, snap, ass)
    buf = io.StringIO()
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "platewarden"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg"):]
