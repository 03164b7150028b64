"""Canonical JSON and the no-plaintext rule of ledger entries."""

from __future__ import annotations

import string
from datetime import UTC, datetime

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from platewarden.ledger.entries import (
    Event,
    EventKind,
    PlaintextInLedger,
    canonical_json,
    decode_entry,
    encode_entry,
)

KEYS = st.text(alphabet=string.ascii_letters + "_", min_size=1, max_size=8)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**15), 10**15) | st.text(max_size=20)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(KEYS, c, max_size=4), max_leaves=20)


@settings(max_examples=1000)
@given(VALUES)
def test_canonical_json_is_rfc8785(value: object) -> None:
    assert canonical_json(value) == bytes(rfc8785.dumps(value))


def test_entries_round_trip_and_reject_non_canonical() -> None:
    e = Event(EventKind.HOLD, datetime(2026, 1, 2, tzinfo=UTC), "dh.smith", {"case": "2026-17", "days": 90})
    data = encode_entry(4, bytes(32), e)
    obj = decode_entry(data)
    assert obj["seq"] == 4 and obj["body"] == {"case": "2026-17", "days": 90}
    with pytest.raises(ValueError, match="canonical"):
        decode_entry(data.replace(b'{"actor"', b'{ "actor"'))
    assert decode_entry(data.replace(b'{"actor"', b'{ "actor"'), strict=False)["seq"] == 4
    with pytest.raises(ValueError, match="fields"):
        decode_entry(b'{"a":1}')


@pytest.mark.parametrize("body", [{"note": "stopped 5SOW350 at gunpoint"}, {"plates": ["ABC1234"]},
                                  {"q": {"text": "partial 7353 LOS7353"}}])
def test_plate_like_values_refused(body: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(PlaintextInLedger):
        Event(EventKind.SEARCH, datetime(2026, 1, 2, tzinfo=UTC), "x", body)


def test_event_needs_actor_and_zone() -> None:
    with pytest.raises(ValueError):
        Event(EventKind.SEARCH, datetime(2026, 1, 2), "x", {})
    with pytest.raises(ValueError):
        Event(EventKind.SEARCH, datetime(2026, 1, 2, tzinfo=UTC), " ", {})
