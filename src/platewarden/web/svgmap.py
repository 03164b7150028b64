"""A map of cameras (and a vehicle's sightings) drawn as SVG from their coordinates: no external tile server."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from platewarden.domain.cameras import Camera


@dataclass(frozen=True)
class Sighting:
    camera_id: str
    latitude: float
    longitude: float
    label: str


def camera_map(cameras: list[Camera], sightings: list[Sighting] | None = None, width: int = 640,
               height: int = 360) -> str:
    points = [(c.latitude, c.longitude) for c in cameras] + [(s.latitude, s.longitude) for s in sightings or []]
    if not points:
        return f'<svg width="{width}" height="{height}" role="img" aria-label="no cameras"></svg>'
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    pad = 0.1
    lat0, lat1 = min(lats), max(lats)
    lon0, lon1 = min(lons), max(lons)
    dlat, dlon = max(lat1 - lat0, 1e-3), max(lon1 - lon0, 1e-3)

    def xy(lat: float, lon: float) -> tuple[float, float]:
        x = width * (pad + (1 - 2 * pad) * (lon - lon0) / dlon)
        y = height * (1 - pad - (1 - 2 * pad) * (lat - lat0) / dlat)
        return round(x, 1), round(y, 1)

    parts = [f'<svg class="map" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="map of cameras"><rect width="100%" height="100%" fill="#eef2f0"/>']
    for c in cameras:
        x, y = xy(c.latitude, c.longitude)
        parts.append(f'<circle cx="{x}" cy="{y}" r="6" fill="#2b6cb0"><title>{escape(c.name)}</title></circle>'
                     f'<text x="{x + 8}" y="{y - 8}" font-size="11">{escape(c.id)}</text>')
    if sightings:
        path = " ".join(f"{x},{y}" for x, y in (xy(s.latitude, s.longitude) for s in sightings))
        parts.append(f'<polyline points="{path}" fill="none" stroke="#c53030" stroke-width="2" '
                     f'stroke-dasharray="4 3"/>')
        for i, s in enumerate(sightings, 1):
            x, y = xy(s.latitude, s.longitude)
            parts.append(f'<circle cx="{x}" cy="{y}" r="9" fill="#c53030" opacity="0.85"><title>'
                         f'{escape(s.label)}</title></circle><text x="{x - 4}" y="{y + 4}" font-size="11" '
                         f'fill="white">{i}</text>')
    parts.append("</svg>")
    return "".join(parts)
