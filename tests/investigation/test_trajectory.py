"""Trajectories with a planted impossible jump."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from platewarden.domain.cameras import Camera
from platewarden.investigation.trajectory import distance_km, steps, tracks, trajectory
from tests.factories import make_read

T0 = datetime(2026, 11, 2, 8, tzinfo=UTC)
A = Camera("a", "A", 52.3700, 4.8900, 0.0, "s")
B = Camera("b", "B", 52.3790, 4.8900, 0.0, "s")  # 1 km north of A
FAR = Camera("far", "Far", 51.9225, 4.4792, 0.0, "s")  # Rotterdam, ~57 km away


def test_distance() -> None:
    assert distance_km(A.latitude, A.longitude, B.latitude, B.longitude) == pytest.approx(1.0, abs=0.01)


def test_planted_impossible_jump_is_flagged() -> None:
    reads = [make_read("KX7204", T0 + timedelta(minutes=10), FAR, n=3),  # out of order on purpose
             make_read("KX7204", T0, A, n=1),
             make_read("KX7204", T0 + timedelta(minutes=2), B, n=2)]
    t = trajectory(reads)
    assert [r.camera_id for r in t.reads] == ["a", "b", "far"]
    assert not t.legs[0].impossible and t.legs[0].kmh == pytest.approx(1.0 / (119 / 3600), rel=0.02)
    assert t.legs[1].impossible and t.impossible_legs == [1]  # 57 km in 8 minutes


def test_plausible_trip_and_single_sighting() -> None:
    assert trajectory([make_read("X1", T0, A)]).legs == ()
    t = trajectory([make_read("X1", T0, A, n=1), make_read("X1", T0 + timedelta(hours=1), FAR, n=2)])
    assert t.impossible_legs == []


def test_a_partial_pattern_keeps_two_vehicles_apart() -> None:
    """5SOW350 at A and 5SOW750 at Rotterdam a minute later matched one pattern: that is two cars, not one car at an
    impossible speed, and not one track '0 km/h' apart."""
    reads = [make_read("5SOW350", T0, A, n=1), make_read("5SOW750", T0 + timedelta(minutes=1), FAR, n=2),
             make_read("5SOW350", T0 + timedelta(minutes=2), B, n=3)]
    [first, second] = tracks(reads)
    assert [r.text for r in first.reads] == ["5SOW350", "5SOW350"] and len(first.legs) == 1
    assert not first.legs[0].impossible
    assert [r.text for r in second.reads] == ["5SOW750"] and second.legs == ()
    flat = steps(reads)
    assert [(r.text, leg is None) for r, leg in flat] == [("5SOW350", True), ("5SOW350", False), ("5SOW750", True)]
    assert not any(leg.impossible for _, leg in flat if leg)
