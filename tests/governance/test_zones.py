"""Zone watch: a four-level approval, frequent-presence alerts computed on keyed tokens (thresholds on generated
sightings), no plate visible before an alert, and crypto-shredding of tokens when the zone ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from platewarden.domain.approvals import ApprovalRefused
from platewarden.domain.cameras import Camera
from platewarden.domain.clock import ManualClock
from platewarden.domain.zones import ZoneError, ZoneStatus, area_km2, frequent, point_in_polygon
from platewarden.runtime import Platform
from platewarden.store.schema import zone_sightings, zones
from tests.factories import make_read, people

SQUARE = [(52.36, 4.88), (52.36, 4.90), (52.38, 4.90), (52.38, 4.88)]  # about 1.4 km x 2.2 km
INSIDE = Camera("cam-in", "Market square", 52.37, 4.89, 0.0, "market")
OUTSIDE = Camera("cam-out", "Ring road", 52.40, 4.95, 0.0, "ring")
WHY = "burglary reports in this square tripled in 2026 (case files 2026-B-1 to 2026-B-40)"


def test_geometry() -> None:
    assert point_in_polygon(52.37, 4.89, SQUARE) and not point_in_polygon(52.40, 4.95, SQUARE)
    concave = [(0.0, 0.0), (0.0, 4.0), (4.0, 4.0), (4.0, 0.0), (2.0, 2.0)]
    assert point_in_polygon(1.0, 3.0, concave) and not point_in_polygon(2.0, 0.5, concave)
    assert area_km2(SQUARE) == pytest.approx(2.22 * 1.36, rel=0.03)
    t = [datetime(2026, 5, 1, tzinfo=UTC) + timedelta(hours=h) for h in (0, 1, 5, 30)]
    assert frequent(t[:3], t[2], 3, timedelta(hours=6))
    assert not frequent(t, t[3], 3, timedelta(hours=6))


def approved_zone(p: Platform, who: dict, clock: ManualClock, n: int = 3, hours: float = 24):  # type: ignore[no-untyped-def]
    zone = p.zones.designate(who["officer"], "Market square", SQUARE, WHY, n, hours, clock.now() + timedelta(days=30))
    assert zone.status is ZoneStatus.PENDING
    for name in ("head", "prosecutor"):
        zone = p.zones.decide(zone.id, who[name], True, "justified by the burglary figures")
        assert zone.status is ZoneStatus.PENDING
    return p.zones.decide(zone.id, who["ethics"], True, "proportionate for thirty days")


def test_designation_rules_and_approval_chain(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    end = clock.now() + timedelta(days=30)
    with pytest.raises(ApprovalRefused):
        p.zones.designate(who["operator"], "Square", SQUARE, WHY, 3, 24, end)
    for bad, match in [(dict(polygon=SQUARE[:2]), "polygon"), (dict(justification="crime"), "justify"),
                       (dict(min_sightings=1), "at least 3"), (dict(window_hours=24 * 30), "window"),
                       (dict(expires_at=clock.now() + timedelta(days=200)), "expires within")]:
        args = dict(polygon=SQUARE, justification=WHY, min_sightings=3, window_hours=24, expires_at=end) | bad
        with pytest.raises(ZoneError, match=match):
            p.zones.designate(who["officer"], "Square", **args)  # type: ignore[arg-type]
    assert p.zones.all() == []
    zone = p.zones.designate(who["officer"], "Square", SQUARE, WHY, 3, 24, end)
    with pytest.raises(ApprovalRefused):  # the prosecutor cannot skip the department head
        p.zones.decide(zone.id, who["prosecutor"], True, "fine by me")
    with pytest.raises(ApprovalRefused):
        p.zones.decide(zone.id, who["officer"], True, "my own zone")
    p.zones.decide(zone.id, who["head"], True, "justified")
    rejected = p.zones.decide(zone.id, who["prosecutor"], False, "not proportionate")
    assert rejected.status is ZoneStatus.REJECTED
    with pytest.raises(ApprovalRefused, match="not pending"):
        p.zones.decide(zone.id, who["ethics"], True, "too late")


def test_frequent_presence_alert_thresholds(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    zone = approved_zone(p, who, clock, n=3, hours=24)
    assert zone.status is ZoneStatus.ACTIVE
    t0 = clock.now()

    def seen(text: str, hours: float, n: int, cam: Camera = INSIDE):  # type: ignore[no-untyped-def]
        read = make_read(text, t0 + timedelta(hours=hours), cam, n=n)
        return p.zones.observe(read)

    # AB1234 three times within 24 h: an alert on the third sighting, not before, and only once
    assert seen("AB1234", 0, 1) == [] and seen("AB1234", 5, 2) == []
    fired = seen("AB1234", 10, 3)
    assert [(a.plate, a.sightings) for a in fired] == [("AB1234", 3)]
    assert seen("AB1234", 11, 4) == []
    # CD5678 three times but spread over 60 h: never three within 24 h
    assert seen("CD5678", 0, 5) + seen("CD5678", 30, 6) + seen("CD5678", 60, 7) == []
    # EF9012 often, but outside the zone: no token is even recorded
    assert seen("EF9012", 0, 8, OUTSIDE) + seen("EF9012", 1, 9, OUTSIDE) + seen("EF9012", 2, 10, OUTSIDE) == []
    with p.engine.connect() as conn:
        tokens = list(conn.execute(select(zone_sightings.c.token)).scalars())
    assert len(tokens) == 7 and all(b"AB1234" not in bytes(t) for t in tokens)
    assert all(b"AB1234" not in e and b"CD5678" not in e for e in p.ledger.entries())

    with pytest.raises(ApprovalRefused):
        p.zones.alerts(who["auditor"], "audit check")
    shown = p.zones.alerts(who["operator"], "respond to zone alerts")
    assert [(a.plate, len(a.read_ids)) for a in shown] == [("AB1234", 3)]
    stats = {s.zone.id: s for s in p.zones.stats()}[zone.id]
    assert (stats.sightings, stats.alerts) == (7, 1)


def test_zone_end_destroys_key_and_tokens(platform: Platform, clock: ManualClock) -> None:
    p, who = platform, people(platform)
    zone = approved_zone(p, who, clock)
    p.zones.observe(make_read("AB1234", clock.now(), INSIDE, n=1))
    clock.advance(timedelta(days=31))
    assert p.zones.expire() == [zone.id]
    with p.engine.connect() as conn:
        assert conn.execute(select(zones.c.wrapped_key).where(zones.c.id == zone.id)).scalar_one() is None
        assert conn.execute(select(func.count()).select_from(zone_sightings)).scalar_one() == 0
    assert p.zones.get(zone.id).status is ZoneStatus.EXPIRED
    assert p.zones.observe(make_read("AB1234", clock.now(), INSIDE, n=2)) == []
    ended = [e["body"] for _, e in p.ledger.parsed() if e["kind"] == "zone_watch"][-1]
    assert ended["action"] == "expired" and ended["tokens_destroyed"] == 1


def test_reads_from_before_the_zone_was_approved_never_count(platform: Platform, clock: ManualClock) -> None:
    """The tester's finding: reads of the day before designation, and of 45 days before, raised '3 sightings'
    alerts. Now only reads seen after the last approval count, whenever they are processed."""
    p, who = platform, people(platform)
    zone = approved_zone(p, who, clock)
    assert zone.activated_at == clock.now()
    t0 = clock.now()
    old = [make_read("AB1234", t0 - timedelta(days=45, hours=h), INSIDE, n=h) for h in (1, 2, 3)]
    yesterday = [make_read("CD5678", t0 - timedelta(hours=20 - h), INSIDE, n=10 + h) for h in (1, 2, 3)]
    assert [a for r in old + yesterday for a in p.zones.observe(r)] == []
    with p.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(zone_sightings)).scalar_one() == 0
    after = [make_read("CD5678", t0 + timedelta(hours=h), INSIDE, n=20 + h) for h in (1, 2, 3)]
    assert [a.sightings for r in after for a in p.zones.observe(r)] == [3]  # from activation on, as designed


def test_zone_alerts_end_with_the_zone_and_with_their_day(platform: Platform, clock: ManualClock) -> None:
    """The tester's finding: after `zone revoke`, and after retention destroyed the day, `zone alerts` still
    printed the plate and its time."""
    p, who = platform, people(platform)
    zone = approved_zone(p, who, clock)
    t0 = clock.now()
    fired = [a for h in (1, 2, 3) for a in p.zones.observe(make_read("AB1234", t0 + timedelta(hours=h), INSIDE,
                                                                       n=h))]
    assert len(fired) == 1
    p.zones.revoke(zone.id, who["head"], "the burglary series is solved")
    assert p.zones.alerts(who["operator"], "respond to zone alerts") == []
    ended = [e["body"] for _, e in p.ledger.parsed() if e["kind"] == "zone_watch"][-1]
    assert ended["action"] == "revoked" and ended["alerts_destroyed"] == 1 and ended["tokens_destroyed"] == 3

    second = approved_zone(p, who, clock)
    t1 = clock.now()
    for h in (1, 2, 3):
        read = make_read("EF9012", t1 + timedelta(hours=h), INSIDE, n=10 + h)
        p.reads.ingest([read])
        p.zones.observe(read)
    assert [a.plate for a in p.zones.alerts(who["operator"], "respond to zone alerts")] == ["EF9012"]
    clock.advance(timedelta(days=p.policy.retention.ordinary_days + 2))
    p.retention.run()  # what `retention run` and the scheduler do: destroy the days, then end expired zones
    assert p.zones.alerts(who["operator"], "respond to zone alerts") == []  # the day's alerts are gone already
    assert p.zones.expire() == [second.id]
    with p.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(zone_sightings)).scalar_one() == 0
    assert p.retention.verify().ok
    assert p.zones.get(second.id).status is ZoneStatus.EXPIRED  # 32 days on: the zone itself ended too


def test_a_zone_past_its_expiry_ends_where_time_passes(platform: Platform, clock: ManualClock) -> None:
    """The tester's finding: a zone past its expiry stayed active with its key and tokens until `serve`
    restarted. Counting a read is where time passes for a zone: it ends there, and `zone expire` ends it too."""
    p, who = platform, people(platform)
    zone = approved_zone(p, who, clock)
    p.zones.observe(make_read("AB1234", clock.now() + timedelta(hours=1), INSIDE, n=1))
    clock.advance(timedelta(days=30, hours=2))
    assert p.zones.observe(make_read("AB1234", clock.now(), INSIDE, n=2)) == []
    assert p.zones.get(zone.id).status is ZoneStatus.EXPIRED
    with p.engine.connect() as conn:
        assert conn.execute(select(zones.c.wrapped_key).where(zones.c.id == zone.id)).scalar_one() is None
        assert conn.execute(select(func.count()).select_from(zone_sightings)).scalar_one() == 0
