"""Matching a read against hotlist plates, tolerant of look-alike characters but bounded.

Weighted edit distance: inserting, deleting or substituting a character costs 1, swapping look-alikes (O/0/D/Q,
I/1, B/8, S/5, Z/2) costs ``lookalike_cost``. A match needs distance ≤ ``max_distance`` and no more than
``max_lookalikes`` look-alike swaps: each allowance widens the net, and too many flood operators with false hits
(Genetec's own warning). Region is part of the match: a plate read as Brazilian never matches a Texas entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from platewarden.domain.hotlist import HotlistEntry
from platewarden.domain.plates import Region

LOOKALIKE_GROUPS = ("O0DQ", "I1", "B8", "S5", "Z2")
_GROUP_OF = {c: i for i, g in enumerate(LOOKALIKE_GROUPS) for c in g}


def is_lookalike(a: str, b: str) -> bool:
    return a != b and a in _GROUP_OF and _GROUP_OF.get(a) == _GROUP_OF.get(b)


def weighted_distance(a: str, b: str, lookalike_cost: float) -> tuple[float, int]:
    """(distance, look-alike swaps used on the best path) between two normalised plates."""
    n, m = len(a), len(b)
    # each cell: (cost, lookalikes)
    prev = [(float(j), 0) for j in range(m + 1)]
    for i in range(1, n + 1):
        cur = [(float(i), 0)] + [(0.0, 0)] * m
        for j in range(1, m + 1):
            if a[i - 1] == b[j - 1]:
                sub = prev[j - 1]
            elif is_lookalike(a[i - 1], b[j - 1]):
                sub = (prev[j - 1][0] + lookalike_cost, prev[j - 1][1] + 1)
            else:
                sub = (prev[j - 1][0] + 1, prev[j - 1][1])
            dele = (prev[j][0] + 1, prev[j][1])
            ins = (cur[j - 1][0] + 1, cur[j - 1][1])
            cur[j] = min(sub, dele, ins)
        prev = cur
    return prev[m]


@dataclass(frozen=True)
class Match:
    entry: HotlistEntry
    distance: float
    lookalikes: int
    region_verified: bool


def region_compatible(read_region: Region, read_country: str | None, entry: HotlistEntry) -> tuple[bool, bool]:
    """(may match, region verified). Unknown regions may match but are shown to the operator as unverified."""
    if read_region is Region.UNKNOWN or entry.region is Region.UNKNOWN:
        return True, False
    if read_region is not entry.region:
        return False, False
    if entry.country and read_country and entry.country != read_country:
        return False, False
    return True, bool(entry.country is None or read_country == entry.country)


def best_match(text: str, region: Region, country: str | None, entries: list[HotlistEntry], max_distance: float,
               lookalike_cost: float, max_lookalikes: int) -> Match | None:
    best: Match | None = None
    for e in entries:
        if abs(len(e.plate) - len(text)) > max_distance:
            continue
        ok, verified = region_compatible(region, country, e)
        if not ok:
            continue
        dist, swaps = weighted_distance(text, e.plate, lookalike_cost)
        if dist <= max_distance + 1e-9 and swaps <= max_lookalikes and (best is None or dist < best.distance):
            best = Match(e, dist, swaps, verified)
    return best
