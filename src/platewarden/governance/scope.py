"""What a search may touch: plates (exact, or a partial pattern with a stated reason), a time window, and
cameras or an area. Pure logic: a query is inside a scope or it is not, with the reason."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from platewarden.domain.errors import Invalid
from platewarden.domain.plates import normalize_plate

Area = tuple[float, float, float, float]  # min_lat, min_lon, max_lat, max_lon


class ScopeError(Invalid):
    pass


def _valid_pattern(p: str) -> bool:
    return bool(re.fullmatch(r"[A-Z0-9*?]+", p)) and sum(c.isalnum() for c in p) >= 3


@dataclass(frozen=True)
class Scope:
    plates: tuple[str, ...]
    pattern: str | None
    pattern_reason: str | None
    time_from: datetime
    time_to: datetime
    camera_ids: tuple[str, ...]
    area: Area | None
    purpose: str
    justification: str

    def validate(self, max_window: timedelta) -> None:
        if not self.plates and not self.pattern:
            raise ScopeError("a search names plates, or a partial pattern")
        if any(p != normalize_plate(p) or not p for p in self.plates):
            raise ScopeError("plates must be normalised (A-Z, 0-9)")
        if self.pattern is not None:
            if not _valid_pattern(self.pattern):
                raise ScopeError("a pattern uses A-Z, 0-9, '*' and '?', with at least 3 known characters")
            if not (self.pattern_reason or "").strip():
                raise ScopeError("a partial-plate search must say why the full plate is not known")
        if self.time_from.tzinfo is None or self.time_to.tzinfo is None:
            raise ScopeError("times must carry a time zone")
        if self.time_to <= self.time_from:
            raise ScopeError("the time window ends before it starts")
        if self.time_to - self.time_from > max_window:
            raise ScopeError(f"the time window is longer than the policy's {max_window.days} days")
        if not self.camera_ids and self.area is None:
            raise ScopeError("a search names cameras or an area")
        if self.area is not None and not (self.area[0] < self.area[2] and self.area[1] < self.area[3]):
            raise ScopeError("the area's minimum corner must be below and left of its maximum corner")
        if not self.purpose.strip() or not self.justification.strip():
            raise ScopeError("a search states its purpose and justification")

    def describe(self) -> str:
        """In words, for a page or a document: what, when and where the authorization covers."""
        what = ", ".join(self.plates) or f"pattern {self.pattern}"
        where = "cameras " + ", ".join(self.camera_ids) if self.camera_ids else f"area {self.area}"
        return f"{what} · {self.time_from:%Y-%m-%d %H:%M} – {self.time_to:%Y-%m-%d %H:%M} UTC · {where}"

    def to_json(self) -> dict[str, Any]:
        return {"plates": list(self.plates), "pattern": self.pattern, "pattern_reason": self.pattern_reason,
                "time_from": self.time_from.isoformat(), "time_to": self.time_to.isoformat(),
                "camera_ids": list(self.camera_ids), "area": list(self.area) if self.area else None,
                "purpose": self.purpose, "justification": self.justification}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Scope:
        return cls(tuple(d["plates"]), d["pattern"], d["pattern_reason"], datetime.fromisoformat(d["time_from"]),
                   datetime.fromisoformat(d["time_to"]), tuple(d["camera_ids"]),
                   tuple(d["area"]) if d["area"] else None, d["purpose"], d["justification"])  # type: ignore[arg-type]


@dataclass(frozen=True)
class Query:
    """One search run inside an authorization."""

    plate: str | None
    pattern: str | None
    time_from: datetime
    time_to: datetime
    camera_ids: tuple[str, ...] = ()
    area: Area | None = None


def refusal(scope: Scope, q: Query) -> str | None:
    """Why ``q`` is outside ``scope``, or None when it is inside."""
    if (q.plate is None) == (q.pattern is None):
        return "a query names exactly one plate or one pattern"
    if q.plate is not None:
        plate = normalize_plate(q.plate)
        in_list = plate in scope.plates
        in_pattern = scope.pattern is not None and fnmatch.fnmatchcase(plate, scope.pattern)
        if not (in_list or in_pattern):
            return "plate outside the authorized plates"
    elif q.pattern != scope.pattern:
        return "pattern differs from the authorized pattern"
    if q.time_from < scope.time_from or q.time_to > scope.time_to or q.time_to <= q.time_from:
        return "time window outside the authorized window"
    if scope.camera_ids:
        if not q.camera_ids:
            return "the authorization covers named cameras only: name them"
        if not set(q.camera_ids) <= set(scope.camera_ids):
            return "camera outside the authorized cameras"
    if scope.area is not None:
        a, b = scope.area, q.area
        if b is None:
            if not scope.camera_ids:
                return "the authorization covers an area only: give it"
        elif not (a[0] <= b[0] and a[1] <= b[1] and b[2] <= a[2] and b[3] <= a[3]):
            return "area outside the authorized area"
    return None


def matches(q: Query, text: str, camera_id: str, lat: float, lon: float, seen: datetime) -> bool:
    """Whether a decrypted read answers the query (plate, time, place)."""
    if q.plate is not None and normalize_plate(q.plate) != text:
        return False
    if q.pattern is not None and not fnmatch.fnmatchcase(text, q.pattern):
        return False
    if not q.time_from <= seen <= q.time_to:
        return False
    if q.camera_ids and camera_id not in q.camera_ids:
        return False
    return q.area is None or (q.area[0] <= lat <= q.area[2] and q.area[1] <= lon <= q.area[3])
