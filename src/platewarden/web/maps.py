"""Maps with streets for the console: Leaflet (vendored, ``static/vendor``) over the deployment's tiles, cameras as
dots, zones as polygons, a vehicle's sightings as a track with an arrow, time and speed on each leg,
impossible legs in red.

The page carries the data as a JSON block (not executed, so the strict Content-Security-Policy holds) and the SVG
drawing of ``svgmap`` as the fallback: without JavaScript, or when Leaflet cannot start, the SVG stays; when the tiles
cannot load, Leaflet still draws cameras and tracks on a plain background and says the tiles are missing.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from html import escape
from itertools import groupby

from markupsafe import Markup
from starlette.requests import Request

from platewarden.domain.cameras import Camera
from platewarden.domain.reads import Read
from platewarden.domain.zones import Zone
from platewarden.investigation.trajectory import Leg
from platewarden.web.svgmap import Sighting, camera_map

LEAFLET = "/static/vendor/leaflet-1.9.4"


@dataclass(frozen=True)
class MapTiles:
    url: str  # "" for none
    attribution: str


def tiles_of(request: Request) -> MapTiles:
    """The deployment's tiles, as ``server.create_app`` set them from the settings."""
    tiles: MapTiles = getattr(request.app.state, "map_tiles", MapTiles("", ""))
    return tiles


def _leg(leg: Leg | None) -> dict[str, object] | None:
    if leg is None:
        return None
    kmh = leg.kmh if leg.kmh is not None and math.isfinite(leg.kmh) else None
    return {"km": round(leg.km, 2), "minutes": round(leg.seconds / 60, 1), "kmh": None if kmh is None else round(kmh),
            "impossible": leg.impossible}


def map_block(tiles: MapTiles, cameras: list[Camera], steps: list[tuple[Read, Leg | None]] | None = None,
              label: str = "map of cameras", zones: list[Zone] | None = None) -> Markup:
    """The map's HTML: Leaflet's container, its data, and the SVG fallback."""
    tracks = []
    for plate, group in groupby(steps or [], key=lambda step: step[0].text):  # steps come plate by plate
        points = list(group)
        tracks.append({"plate": plate, "points": [
            {"lat": r.latitude, "lon": r.longitude, "camera": r.camera_id, "time": f"{r.first_seen:%Y-%m-%d %H:%M:%S}",
             "leg": _leg(leg)} for r, leg in points]})
    data = {"tiles": tiles.url, "attribution": tiles.attribution,
            "cameras": [{"id": c.id, "name": c.name, "lat": c.latitude, "lon": c.longitude} for c in cameras],
            "tracks": tracks,
            "zones": [{"name": z.name, "status": z.status.value, "polygon": [list(v) for v in z.polygon]}
                      for z in zones or []]}
    text = json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    svg = camera_map(cameras, [Sighting(r.camera_id, r.latitude, r.longitude, f"{r.first_seen:%H:%M:%S} {r.camera_id}")
                               for r, _ in steps or []])
    return Markup(
        f'<div class="map-block"><div class="map-live" role="region" aria-label="{escape(label)}" hidden></div>'
        f'<p class="muted map-note" hidden></p>'
        f'<script type="application/json" class="map-data">{text}</script>'
        f'<div class="map-fallback">{svg}</div></div>')
