"""The compliance report on a history with known answers (tests/audit/known_data.py): it flags exactly what was
planted — and nothing in the normal areas, the excused segment or the exigent search reviewed on time — on both
stores; the PDF and the HTML render, and none of them holds a plate."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from platewarden.audit.compliance.assess import Severity, assess
from platewarden.audit.compliance.gather import PeriodError, gather
from platewarden.audit.compliance.report import write_report
from platewarden.audit.compliance.snapshot import Snapshot
from platewarden.domain.clock import ManualClock
from platewarden.runtime import Platform
from tests.audit.known_data import FIRST, HOT, LAST, build


def test_flags_exactly_the_planted_breaches(platform: Platform, clock: ManualClock, tmp_path: Path) -> None:
    known = build(platform, clock, tmp_path)
    snap = gather(platform, FIRST, LAST)
    ass = assess(snap)
    serious = {(f.section, f.code): f.items for f in ass.findings if f.severity is not Severity.NOTICE}
    assert set(serious) == {("retention", "destroyed-without-receipt"), ("authorization", "exigent-review-overdue"),
                            ("deployment", "density-over-limit"), ("bias", "area-outlier"),
                            ("ledger", "policy-not-approved")}  # nothing approves a policy change yet (issue 21)
    [gone] = serious[("retention", "destroyed-without-receipt")]
    assert gone.startswith("2026-09-25: 10 reads stored")
    [late] = serious[("authorization", "exigent-review-overdue")]
    assert known.overdue_request in late and "prosecutor reviewed 50 h after" in late
    assert [r.id for r in platform.searches.overdue_reviews()] == [known.overdue_request]  # same rule as governance
    [segment] = serious[("deployment", "density-over-limit")]
    assert segment.startswith("west-1 (west): 3 cameras on 1 km")
    [outlier] = serious[("bias", "area-outlier")]
    assert outlier.startswith("west: alert rate 50.00% is 2.6x")

    # The figures behind them.
    f = ass.figures
    assert f["retention"]["days_destroyed"] == 1 and f["retention"]["reads_destroyed"] == 10
    assert f["authorization"]["searches_run"] == 3 and f["authorization"]["searches_complete_chain"] == 3
    assert f["authorization"]["searches_refused"] == 1
    assert f["alerts"]["raised"] == 35 and f["alerts"]["misread_rate"] == pytest.approx(13 / 35)
    assert f["alerts"]["hours_to_disposition_median"] == pytest.approx(25 - 8 / 60 - 0.2, abs=1)
    areas = {a.area: a for a in f["bias"]["areas"]}
    assert {a: (x.cameras, x.reads, x.alerts, x.searches) for a, x in areas.items()} == {
        "north": (2, 60, 5, 2), "south": (1, 40, 5, 0), "east": (3, 40, 5, 0), "west": (3, 40, 20, 1)}
    assert areas["north"].alert_ratio == pytest.approx((5 / 60) / (35 / 180))
    assert all(a.misread_ratio is not None and a.misread_ratio < 2 for a in areas.values())
    segs = {r["id"]: r for r in f["deployment"]["segments"]}
    assert segs["east-1"]["over_limit"] and segs["east-1"]["unexcused"] == 0  # excused by its recorded exception
    assert snap.ledger.ok and snap.ledger.latest_witnessed is not None and snap.ledger.latest is not None
    assert snap.ledger.entries == platform.ledger.size() == snap.ledger.latest.size
    assert snap.ledger.latest_witnessed.cosigners == ["auditor.example"]
    assert f["redress"]["upheld"] == 1 and f["redress"]["compensation"][0]["total"] == 150.0
    assert snap.zones == []

    # A stricter auditor's policy flags more, from the same snapshot, without the database.
    stricter = snap.policy.model_copy(update={"audit": snap.policy.audit.model_copy(
        update={"bias_ratio_threshold": 1.3})})
    again = assess(Snapshot.model_validate_json(snap.to_json()), stricter)
    [items] = [x.items for x in again.findings if x.code == "area-outlier"]
    assert [i.split(":")[0] for i in items] == ["west", "west"]  # the alert rate and now also the misread rate

    # The documents: rendered, paged, and free of plates and of the complainant.
    out = write_report(snap, tmp_path / "report")
    html = out.html.read_text(encoding="utf-8")
    pdf = PdfReader(out.pdf)
    assert len(pdf.pages) == out.pages == 11  # cover, findings, nine sections
    texts = [page.extract_text() for page in pdf.pages]
    assert "Compliance report" in texts[0] and "Findings" in texts[1]
    assert "Retention" in texts[2] and "Redress" in texts[10]
    everything = html + "".join(texts) + snap.to_json() + out.findings.read_text()
    for secret in (HOT, "SEP20", "AB00", "someone@example.org", "2026-CR-"):
        assert secret not in everything
    for planted in (known.overdue_request, "west-1 (west)", "2026-09-25"):
        assert planted in html and planted in "".join(texts).replace("\n", "")


def test_period_and_snapshot_errors(platform: Platform, tmp_path: Path) -> None:
    with pytest.raises(PeriodError):
        gather(platform, LAST, FIRST)
    bad = tmp_path / "snap.json"
    bad.write_text('{"format": "something-else/1"}')
    from platewarden.audit.compliance.snapshot import SnapshotError

    with pytest.raises(SnapshotError, match="format"):
        Snapshot.load(bad, allow_unsigned=True)
    with pytest.raises(SnapshotError, match="not a signed"):
        Snapshot.load(bad)


def test_charts_count_in_whole_numbers_and_say_when_a_panel_is_empty(platform: Platform, clock: ManualClock,
                                                                     tmp_path: Path) -> None:
    """The report's charts as an auditor reads them: count axes tick at whole numbers (no "2.5 searches"), the
    hours-to-disposition axis starts at zero, and a panel with nothing to show (no compensation awarded) says so
    instead of drawing empty axes."""
    from matplotlib.figure import Figure

    from platewarden.audit.compliance.plots import DRAW

    build(platform, clock, tmp_path)
    snap = gather(platform, FIRST, LAST)
    ass = assess(snap)
    assert snap.redress.compensation  # the known history awards some: the same period with none awarded is drawn too
    none_awarded = snap.model_copy(update={"redress": snap.redress.model_copy(update={"compensation": []})})
    figures = {}
    for section, draw in DRAW.items():
        fig = Figure(figsize=(9, 3.4), layout="constrained")
        draw(fig, snap, ass)
        fig.canvas.draw()  # tick positions are settled when drawn
        figures[section] = fig.axes

    def whole(ticks: list[float]) -> bool:
        return all(float(t).is_integer() for t in ticks)

    [authorization] = figures["authorization"]
    assert whole(authorization.get_xticks())  # three searches: never 0.5, 1.5, 2.5
    dispositions, hours = figures["alerts"]
    assert whole(dispositions.get_yticks()) and whole(hours.get_yticks())
    assert min(hours.get_xlim()) == 0
    [hotlist] = figures["hotlist"]
    assert whole(hotlist.get_yticks())
    complaints, compensation = figures["redress"]
    assert whole(complaints.get_yticks()) and compensation.axison and compensation.patches
    fig = Figure(figsize=(9, 3.4), layout="constrained")
    DRAW["redress"](fig, none_awarded, ass)
    _, compensation = fig.axes
    assert not compensation.axison and "no compensation" in " ".join(t.get_text() for t in compensation.texts)
