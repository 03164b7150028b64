"""A platform history with known answers for the compliance report, built through the real services.

Four areas with 40 reads each at 2026-10-20 (north also has 20 reads of September); hotlist alerts: 5 each in
north, south and east, 20 in west (the outlier: 50 % against 35/180 city-wide). Road segment west-1 is re-measured
from 2 km to 1 km after its three cameras were approved (over the 2/km limit, no exception); east-1 holds three
cameras on 1 km with an exception recorded for the third. One exigent search is reviewed late by the prosecutor,
another on time; one normal search runs with its full chain; one attempt is refused. Day 2026-09-25's reads and
key are removed behind retention's back (no receipt); 2026-09-20 is destroyed properly. Only that removal is a
direct table write: there is no real path that deletes a day without a receipt, which is the point.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete

from platewarden.domain.alerts import Disposition
from platewarden.domain.cameras import Camera
from platewarden.domain.clock import ManualClock
from platewarden.domain.deployment import RoadSegment
from platewarden.domain.redress import ComplaintDetails
from platewarden.governance.scope import Query, Scope
from platewarden.governance.search import SearchRefused
from platewarden.ledger.notes import COSIGNATURE_V1, Signer
from platewarden.ledger.witness import witness_cosign
from platewarden.runtime import Platform
from platewarden.store.schema import day_keys, reads
from tests.factories import activate, make_entry, make_read, people

HOT = "KX40ZZ"  # the hotlist plate: must never appear in a report
FIRST, LAST = date(2026, 9, 15), date(2026, 11, 1)
AREAS = {  # area: (segment, km at approval, cameras, alerts among its 40 reads, misreads among them)
    "north": ("north-1", 2.0, 2, 5, 1), "south": ("south-1", 1.0, 1, 5, 1),
    "east": ("east-1", 1.0, 3, 5, 1), "west": ("west-1", 2.0, 3, 20, 10)}
LAT = {"north": 52.40, "south": 52.30, "east": 52.35, "west": 52.36}
LON = {"north": 4.90, "south": 4.90, "east": 4.98, "west": 4.80}


@dataclass
class Known:
    overdue_request: str
    on_time_request: str
    cameras: dict[str, list[Camera]]


def at(d: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=UTC)


def build(p: Platform, clock: ManualClock, tmp: Path) -> Known:
    clock.set(at(date(2026, 9, 14), 9))
    who = people(p)
    cams: dict[str, list[Camera]] = {}
    for area, (seg, km, n, _, _) in AREAS.items():
        p.deployments.add_segment(RoadSegment(seg, f"{area.title()} road", km, area), who["head"])
        cams[area] = []
        for i in range(n):
            cam = Camera(f"{area}-cam-{i}", f"{area} {i}", LAT[area] + i * 0.001, LON[area], 90.0, seg)
            exception = "school run: council resolution 2026-31" if area == "east" and i == 2 else None
            p.deployments.import_existing(cam, "council resolution 2026-17", who["ethics"], exception)
            cams[area].append(cam)
    # West's segment is re-measured: 3 cameras on 1 km is now over the limit, and no exception was ever recorded.
    p.deployments.add_segment(RoadSegment("west-1", "West road", 1.0, "west"), who["head"])

    n = 0
    for d in (date(2026, 9, 20), date(2026, 9, 25)):
        clock.set(at(d, 10))
        p.reads.ingest([make_read(f"SEP{d.day}{i:02d}", at(d, 10, i), cams["north"][0], n=(n := n + 1))
                        for i in range(10)])
    with p.engine.begin() as conn:  # behind retention's back: no receipt
        conn.execute(delete(reads).where(reads.c.day == date(2026, 9, 25)))
        conn.execute(delete(day_keys).where(day_keys.c.day == date(2026, 9, 25)))

    oct20 = date(2026, 10, 20)
    clock.set(at(oct20, 12))
    activate(p, make_entry(HOT, clock.now(), days=60), who)
    alerts: dict[str, list[str]] = {a: [] for a in AREAS}
    for area, (_, _, _, hits, _) in AREAS.items():
        batch = []
        for i in range(40):
            text = HOT if i < hits else f"AB{n:04d}"
            batch.append(make_read(text, at(oct20, 8, i), cams[area][i % len(cams[area])], n=(n := n + 1)))
        p.reads.ingest(batch)
        for r in batch[:hits]:
            alert = p.alerts.check(r).alert
            assert alert is not None
            alerts[area].append(alert.id)
    clock.set(at(date(2026, 10, 21), 9))
    receipts = p.retention.run()  # the daily run: 2026-09-20 is due today, 31 days old
    assert [r.day for r in receipts] == [date(2026, 9, 20)]
    for area, ids in alerts.items():
        misreads = AREAS[area][4]
        for i, aid in enumerate(ids):
            p.alerts.dispose(aid, Disposition.MISREAD if i < misreads else Disposition.CORRECT, "operator", "checked")

    oct25 = date(2026, 10, 25)
    clock.set(at(oct25, 8))
    window = (at(date(2026, 10, 19)), at(date(2026, 10, 22)))
    west = tuple(c.id for c in cams["west"])
    north = tuple(c.id for c in cams["north"])
    scope = Scope((HOT,), None, None, *window, west, None, "trace", "vehicle seen at a robbery")
    normal = p.searches.apply(who["officer"], "2026-CR-1", "robbery", scope)
    p.searches.approve(normal.id, who["head"])
    p.searches.approve(normal.id, who["prosecutor"])
    p.searches.search(who["officer"], normal.id, Query(HOT, None, *window, west))
    ex_scope = Scope((HOT,), None, None, *window, north, None, "find the child", "abduction in progress")
    late = p.searches.apply(who["officer"], "2026-CR-2", "child_abduction", ex_scope, exigent=True)
    p.searches.search(who["officer"], late.id, Query(HOT, None, *window, north))
    on_time = p.searches.apply(who["officer2"], "2026-CR-3", "child_abduction", ex_scope, exigent=True)
    p.searches.search(who["officer2"], on_time.id, Query(HOT, None, *window, north))
    with pytest.raises(SearchRefused):  # not the applicant: refused, and counted
        p.searches.search(who["officer2"], late.id, Query(HOT, None, *window, north))
    clock.set(at(oct25, 20))
    p.searches.review_exigent(late.id, who["head"], True, "imminent danger, justified")
    p.searches.review_exigent(on_time.id, who["head2"], True, "imminent danger, justified")
    p.searches.review_exigent(on_time.id, who["prosecutor2"], True, "lawful, justified")
    clock.set(at(date(2026, 10, 27), 10))  # 50 hours after the request
    p.searches.review_exigent(late.id, who["prosecutor"], True, "lawful, but reviewed late")

    clock.set(at(date(2026, 10, 28), 10))
    ref = p.redress.file(ComplaintDetails(HOT, "2026-10-20", "West road", "stopped although not my car",
                                          "someone@example.org"))
    p.redress.start_review(who["officer"], ref)
    p.redress.decide(who["head"], ref, True, "misread confirmed", [alerts["west"][0]], compensation=150.0)

    clock.set(at(date(2026, 11, 2), 8))
    assert p.retention.run() == []
    note = p.ledger.checkpoint()
    witness = Signer.generate("auditor.example", COSIGNATURE_V1)
    p.ledger.add_cosignature(witness_cosign(note.render(), [], p.ledger.public_key, witness, tmp / "w.json"),
                             witness.verifier, clock.now())
    return Known(late.id, on_time.id, cams)
