from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from platewarden.alerts.matching import best_match, weighted_distance
from platewarden.domain.plates import Region
from tests.factories import make_entry

NOW = datetime(2026, 11, 2, tzinfo=UTC)
PLATES = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=2, max_size=8)


def match(text: str, entries: list, region: Region = Region.US, **kw: float):  # type: ignore[no-untyped-def]
    params = {"max_distance": 0.5, "lookalike_cost": 0.25, "max_lookalikes": 2} | kw
    return best_match(text, region, None, entries, **params)  # type: ignore[arg-type]


def test_lookalikes_are_cheap_but_bounded() -> None:
    e = make_entry("5S0W350", NOW)
    assert match("5SOW350", [e]) is not None  # O/0
    assert match("SSOW3S0", [e]) is None  # three look-alike swaps: too many
    m = match("5SOW35O", [e])
    assert m is not None and m.lookalikes == 2


def test_a_real_character_difference_does_not_alert_by_default() -> None:
    """Denise Green, San Francisco 2009: 5SOW350 was read as 5SOW750 — 3 and 7 are not look-alikes."""
    assert match("5SOW750", [make_entry("5SOW350", NOW)]) is None
    assert match("5SOW750", [make_entry("5SOW350", NOW)], max_distance=1.0) is not None


def test_region_is_part_of_the_match() -> None:
    tx = make_entry("ABC1234", NOW, region=Region.US)
    assert match("ABC1234", [tx], region=Region.BR) is None
    m = match("ABC1234", [tx], region=Region.UNKNOWN)
    assert m is not None and not m.region_verified
    assert match("ABC1234", [tx], region=Region.US).region_verified  # type: ignore[union-attr]


def test_country_within_europe() -> None:
    de = make_entry("BMX1234", NOW, region=Region.EU, country="DE")
    assert best_match("BMX1234", Region.EU, "FR", [de], 0.5, 0.25, 2) is None
    assert best_match("BMX1234", Region.EU, "DE", [de], 0.5, 0.25, 2) is not None


@given(PLATES, PLATES)
def test_distance_is_symmetric_and_bounded(a: str, b: str) -> None:
    d1, _ = weighted_distance(a, b, 0.25)
    d2, _ = weighted_distance(b, a, 0.25)
    assert abs(d1 - d2) < 1e-9
    assert d1 <= max(len(a), len(b))
    assert (d1 == 0) == (a == b)


@given(PLATES)
def test_identical_plate_always_matches(p: str) -> None:
    assert match(p, [make_entry(p, NOW)]) is not None
