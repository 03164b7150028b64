"""Population per area, from a CSV the auditor supplies (``area,population``), so that cameras and reads can be
compared per 1,000 residents. Census figures are not the agency's to hold, hence a file and not a table."""

from __future__ import annotations

import csv
import io


class PopulationError(ValueError):
    pass


def parse_population(text: str) -> dict[str, int]:
    """``area,population`` rows (a header line ``area,population`` is allowed); every row must be good."""
    out: dict[str, int] = {}
    for n, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip():
            continue
        if n == 1 and [c.strip().lower() for c in row] == ["area", "population"]:
            continue
        if len(row) != 2:
            raise PopulationError(f"line {n}: expected 'area,population', got {len(row)} fields")
        area, value = row[0].strip(), row[1].strip()
        try:
            people = int(value)
        except ValueError:
            raise PopulationError(f"line {n}: population {value!r} is not a whole number") from None
        if not area or people <= 0:
            raise PopulationError(f"line {n}: an area name and a positive population are needed")
        if area in out:
            raise PopulationError(f"line {n}: area {area!r} appears twice")
        out[area] = people
    if not out:
        raise PopulationError("the population file has no rows")
    return out
