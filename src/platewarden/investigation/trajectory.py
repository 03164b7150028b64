"""A trajectory: an authorized plate's sightings in time order with the speed needed between each pair.

A speed beyond what a road vehicle can do (default 250 km/h) means the two sightings cannot be the same vehicle:
a cloned plate or a misread. It is flagged for the investigator, never resolved automatically. Pure logic.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass

from platewarden.domain.reads import Read

EARTH_KM = 6371.0
IMPOSSIBLE_KMH = 250.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2, dp, dl = map(math.radians, (lat1, lat2, lat2 - lat1, lon2 - lon1))
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(min(1.0, h)))


@dataclass(frozen=True)
class Leg:
    """From one sighting to the next."""

    km: float
    seconds: float
    kmh: float | None  # None when both sightings are at the same moment and place
    impossible: bool


@dataclass(frozen=True)
class Trajectory:
    reads: tuple[Read, ...]
    legs: tuple[Leg, ...]  # len(reads) - 1

    @property
    def impossible_legs(self) -> list[int]:
        return [i for i, leg in enumerate(self.legs) if leg.impossible]


def trajectory(reads: list[Read], max_kmh: float = IMPOSSIBLE_KMH) -> Trajectory:
    ordered = sorted(reads, key=lambda r: r.first_seen)
    legs = []
    for a, b in itertools.pairwise(ordered):
        km = distance_km(a.latitude, a.longitude, b.latitude, b.longitude)
        seconds = max(0.0, (b.first_seen - a.last_seen).total_seconds())
        kmh = (None if km < 0.05 else math.inf) if seconds == 0 else km / (seconds / 3600)
        legs.append(Leg(km, seconds, kmh, kmh is not None and kmh > max_kmh))
    return Trajectory(tuple(ordered), tuple(legs))


def tracks(reads: list[Read], max_kmh: float = IMPOSSIBLE_KMH) -> list[Trajectory]:
    """One trajectory per plate text, earliest first. A partial pattern can match several vehicles (5SOW350 and
    5SOW750): a speed between sightings of two different plates would mean nothing, so none is computed."""
    by_plate: dict[str, list[Read]] = defaultdict(list)
    for r in reads:
        by_plate[r.text].append(r)
    return sorted((trajectory(rs, max_kmh) for rs in by_plate.values()),
                  key=lambda t: (t.reads[0].first_seen, t.reads[0].text))


def steps(reads: list[Read], max_kmh: float = IMPOSSIBLE_KMH) -> list[tuple[Read, Leg | None]]:
    """Every sighting, plate by plate, with the leg from the same plate's previous sighting (None for its first)."""
    out: list[tuple[Read, Leg | None]] = []
    for t in tracks(reads, max_kmh):
        out.extend((r, t.legs[i - 1] if i else None) for i, r in enumerate(t.reads))
    return out
