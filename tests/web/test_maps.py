"""Maps with streets in Debian's Chromium: tiles from a local fixture (the tests stay offline), served through the
Content-Security-Policy that names the deployment's tile host; cameras and a vehicle's track drawn by the vendored
Leaflet with the impossible leg in red; and, with the tile host unreachable, the same drawing on a plain background
with a note saying so."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from struct import pack

import pytest
from playwright.sync_api import expect
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from platewarden.config import Settings
from platewarden.domain.clock import ManualClock
from platewarden.governance.scope import Scope
from platewarden.runtime import Platform
from tests.factories import approve_camera, make_read, people
from tests.live_server import live_server, serve_app
from tests.web.conftest import CAMS, CHROMIUM, shot, sign_in

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")


def png_tile() -> bytes:
    """A 256x256 light-green PNG, as a tile server would send."""
    raw = b"".join(b"\x00" + b"\xd8\xee\xd0" * 256 for _ in range(256))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return pack(">I", len(data)) + kind + data + pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture
def tile_server() -> Iterator[tuple[str, list[str]]]:
    asked: list[str] = []
    tile = png_tile()

    def serve(request):  # type: ignore[no-untyped-def]
        asked.append(request.url.path)
        return Response(tile, media_type="image/png")

    with serve_app(Starlette(routes=[Route("/{z}/{x}/{y}.png", serve)])) as url:
        yield url, asked


def open_platform(tmp_path: Path, clock: ManualClock, tiles: str) -> Platform:
    return Platform.open(Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path}/pw.db",
                                  map_tiles=tiles), clock=clock, notify=False)


def test_cameras_on_streets_from_the_deployments_tiles(tmp_path: Path, clock: ManualClock, browser,
                                                       tile_server) -> None:  # type: ignore[no-untyped-def]
    url, asked = tile_server
    p = open_platform(tmp_path, clock, f"{url}/{{z}}/{{x}}/{{y}}.png")
    try:
        who = people(p)
        for c in CAMS:
            approve_camera(p, c, who)
        with live_server(p) as base:
            page = browser.new_context().new_page()
            response = page.goto(f"{base}/public")
            assert url in response.headers["content-security-policy"]  # img-src names the tile host, nothing more
            expect(page.locator(".leaflet-tile-loaded").first).to_be_visible(timeout=15_000)
            assert page.locator(".map-camera").count() == len(CAMS)
            assert page.locator(".map-fallback").is_hidden()
            assert asked and all(path.endswith(".png") for path in asked)
            shot(page, "20-map-tiles")
    finally:
        p.close()


def test_a_track_with_an_impossible_leg_and_no_tiles(tmp_path: Path, clock: ManualClock,
                                                     browser) -> None:  # type: ignore[no-untyped-def]
    p = open_platform(tmp_path, clock, "http://127.0.0.1:9/{z}/{x}/{y}.png")  # nothing listens there
    try:
        who = people(p)
        for c in CAMS:
            approve_camera(p, c, who)
        t0 = clock.now() - timedelta(hours=2)
        p.reads.ingest([make_read("KX7204", t0, CAMS[0], n=1), make_read("KX7204", t0 + timedelta(seconds=10),
                                                                        CAMS[1], n=2)])  # 2.3 km in 10 s
        scope = Scope(("KX7204",), None, None, t0 - timedelta(hours=1), t0 + timedelta(hours=1),
                      tuple(c.id for c in CAMS), None, "trace the getaway car", "witness statement")
        req = p.searches.apply(who["officer"], "2026-CR-31", "robbery", scope)
        p.searches.approve(req.id, who["head"])
        p.searches.approve(req.id, who["prosecutor"])
        with live_server(p) as base:
            page = sign_in(browser, base, "officer", clock)
            page.goto(f"{base}/searches/{req.id}")
            page.click("text=Run inside this authorization")
            expect(page.locator(".map-note")).to_contain_text("could not be loaded", timeout=15_000)
            assert page.locator(".map-sighting").count() == 2
            assert page.locator(".map-leg-impossible").count() == 1  # drawn in red, as the table says
            assert "IMPOSSIBLE TRAVEL" in page.inner_text("table")
            shot(page, "21-map-impossible-leg-no-tiles")
    finally:
        p.close()
