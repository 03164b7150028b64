"""Hotlists, alerts and dispositions against real databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from platewarden.alerts.service import HotlistImportError
from platewarden.domain.alerts import AlreadyDisposed, Disposition
from platewarden.domain.approvals import ApprovalRefused
from platewarden.domain.clock import ManualClock
from platewarden.domain.observations import Alternative
from platewarden.runtime import Platform
from platewarden.store.schema import hotlist_entries
from tests.factories import activate, make_entry, make_read, people

CSV_HEADER = "plate,region,country,reason,source,make,colour,expires_at\n"


def test_hotlist_hit_becomes_alert_with_crop(platform: Platform, clock: ManualClock) -> None:
    who = people(platform)
    entry = activate(platform, make_entry("5SOW350", clock.now()), who)
    read = make_read("5S0W350", clock.now())  # zero for O: a look-alike
    platform.reads.ingest([read])
    decision = platform.alerts.check(read)
    assert decision.alert is not None
    assert decision.alert.entry_id == entry.id and decision.alert.distance == 0.25
    assert platform.alerts.check(read).alert is None  # re-ingested read: no second alert
    [view] = platform.alert_review.pending(who["operator"])
    assert view.detail.plate_crop_jpeg == read.plate_crop_jpeg  # the crop beside...
    assert view.entry is not None and view.entry.plate == "5SOW350"  # ...the hotlist record
    assert view.entry.make == "Toyota" and view.entry.reason == "stolen vehicle"


def test_no_alert_below_policy_thresholds(platform: Platform, clock: ManualClock) -> None:
    activate(platform, make_entry("ABC123", clock.now()), people(platform))
    weak = make_read("ABC123", clock.now(), n=1, confidence=0.1)
    assert platform.alerts.check(weak).alert is None
    disagreeing = make_read("ABC123", clock.now(), n=2, observations=5, agreeing=1)
    assert platform.alerts.check(disagreeing).alert is None
    single_photo = make_read("ABC123", clock.now(), n=3, observations=1, agreeing=1)
    platform.reads.ingest([single_photo])
    assert platform.alerts.check(single_photo).alert is not None


def test_alternative_reading_can_match(platform: Platform, clock: ManualClock) -> None:
    activate(platform, make_entry("XYZ789", clock.now()), people(platform))
    read = make_read("XYZ786", clock.now(), alternatives=(Alternative("XYZ789", 0.3),))
    assert platform.alerts.check(read).alert is not None


def test_expired_entry_does_not_alert(platform: Platform, clock: ManualClock) -> None:
    activate(platform, make_entry("OLD123", clock.now(), days=1), people(platform))
    clock.advance(timedelta(days=2))
    assert platform.alerts.check(make_read("OLD123", clock.now())).alert is None


def test_dispositions(platform: Platform, clock: ManualClock) -> None:
    who = people(platform)
    activate(platform, make_entry("DSP001", clock.now()), who)
    read = make_read("DSP001", clock.now())
    alert = platform.alerts.check(read).alert
    assert alert is not None
    review = platform.alert_review
    [view] = review.pending(who["operator"])  # looking is recorded too
    assert view.detail.alert.id == alert.id
    with pytest.raises(ValueError, match="needs a note"):
        review.dispose(who["operator"], alert.id, Disposition.MISREAD, "")
    review.dispose(who["operator"], alert.id, Disposition.MISREAD, "crop shows DSP007")
    with pytest.raises(AlreadyDisposed):
        review.dispose(who["head"], alert.id, Disposition.CORRECT, "")
    with pytest.raises(PermissionError):
        review.pending(who["auditor"])  # auditors see statistics, not plates
    assert review.pending(who["operator"]) == []
    assert platform.alert_store.disposition_counts() == {"misread": 1}
    kinds = [(e["actor"], e["kind"]) for e in (platform.ledger.entry(i) for i in range(platform.ledger.size()))]
    assert (who["operator"].label, "alert_viewed") in kinds
    assert (who["operator"].label, "alert_disposition") in kinds
    assert ("system", "alert_raised") in kinds


def test_csv_import_all_or_nothing(platform: Platform, clock: ManualClock) -> None:
    who = people(platform)
    good = "ABC123,us,,stolen,NCIC,Ford,red,2027-01-01\n"
    bad = "A,us,,stolen,NCIC,,,2027-01-01\nXYZ9,mars,,x,y,,,2027-01-01\nQQQ1,us,,x,y,,,2020-01-01\n"
    with pytest.raises(HotlistImportError) as exc:
        platform.hotlist.import_csv(CSV_HEADER + good + bad, who["officer"])
    assert [e.line for e in exc.value.parsed.errors] == [3, 4, 5]
    assert "region" in exc.value.parsed.errors[1].reason
    assert "past" in exc.value.parsed.errors[2].reason
    with platform.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(hotlist_entries)).scalar_one() == 0  # nothing written
    parsed = platform.hotlist.import_csv(CSV_HEADER + good + bad, who["officer"], partial=True)
    assert len(parsed.entries) == 1
    assert platform.hotlist.active() == []  # proposed, not yet approved
    with pytest.raises(ApprovalRefused):
        platform.hotlist.approve(parsed.entries[0].id, who["officer"])  # the proposer cannot approve
    with pytest.raises(ApprovalRefused):
        platform.hotlist.approve(parsed.entries[0].id, who["prosecutor"])  # wrong role for the chain
    platform.hotlist.approve(parsed.entries[0].id, who["head"])
    assert [e.plate for e in platform.hotlist.active()] == ["ABC123"]
    with pytest.raises(ApprovalRefused):
        platform.hotlist.import_csv(CSV_HEADER + good, who["operator"])  # operators do not propose entries


def test_csv_header_problems(platform: Platform) -> None:
    officer = people(platform)["officer"]
    with pytest.raises(HotlistImportError, match="lacks column"):
        platform.hotlist.import_csv("plate,region\nABC,us\n", officer)
    with pytest.raises(HotlistImportError, match="unknown column"):
        platform.hotlist.import_csv(CSV_HEADER.strip() + ",owner_name\n", officer)
    # what the API fuzzer sent: a carriage return inside the header, a stray quote in a row; a file error naming
    # its line, never a server error, and nothing proposed
    with pytest.raises(HotlistImportError, match="line 1: not a CSV file"):
        platform.hotlist.import_csv("plate,re\rgion\n", officer)
    with pytest.raises(HotlistImportError, match="not a CSV file"):
        platform.hotlist.import_csv(CSV_HEADER + 'ABC123,us,,"stolen\r,NCIC\n' + "x" * 200_000, officer)
    assert platform.hotlist.pending() == []


def test_hotlist_plate_is_sealed(platform: Platform, clock: ManualClock) -> None:
    activate(platform, make_entry("SECRET9", clock.now()), people(platform))
    with platform.engine.connect() as conn:
        raw = conn.execute(select(hotlist_entries.c.plate)).scalar_one()
    assert b"SECRET9" not in raw


def test_hotlist_approval_is_one_transaction_with_ledgered_refusals(platform: Platform, clock: ManualClock) -> None:
    """The step, the activation and the ledger entry commit together; a refused or repeated approval changes nothing
    and is ledgered."""
    from platewarden.domain.approvals import ApprovalRefused
    from tests.factories import make_entry, people

    p, who = platform, people(platform)
    entry = p.hotlist.propose(make_entry("KX7204", clock.now()), who["officer"])
    with pytest.raises(ApprovalRefused):
        p.hotlist.approve(entry.id, who["officer"])  # the proposer
    before = p.ledger.size()
    p.hotlist.approve(entry.id, who["head"])
    assert p.ledger.size() == before + 1 and [e.plate for e in p.hotlist.active()] == ["KX7204"]
    with pytest.raises(ApprovalRefused):
        p.hotlist.approve(entry.id, who["head2"])  # nothing pending any more
    refused = [e for _, e in p.ledger.parsed() if e["kind"] == "hotlist_change"
               and e["body"].get("action") == "approval_refused"]
    assert len(refused) == 2 and len(p.hotlist._store.steps(entry.id)) == 1
