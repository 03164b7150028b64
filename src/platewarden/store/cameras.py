"""The camera registry (public: where cameras are is not personal data)."""

from __future__ import annotations

from sqlalchemy import Engine, select

from platewarden.domain.cameras import Camera
from platewarden.domain.clock import Clock
from platewarden.ledger import events
from platewarden.ledger.log import Ledger
from platewarden.store.dialect import conflict_insert
from platewarden.store.schema import cameras


class UnknownCamera(LookupError):
    pass


class CameraRegistry:
    def __init__(self, engine: Engine, clock: Clock, ledger: Ledger) -> None:
        self._engine = engine
        self._clock = clock
        self._ledger = ledger

    def register(self, cam: Camera, actor: str) -> None:
        """Add or update a camera (ledgered: where cameras are is a public, accountable decision)."""
        values = {"id": cam.id, "name": cam.name, "latitude": cam.latitude, "longitude": cam.longitude,
                  "heading_deg": cam.heading_deg, "road_segment": cam.road_segment}
        stmt = conflict_insert(self._engine, cameras).values(**values, created_at=self._clock.now())
        with self._engine.begin() as conn:
            conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))
            self._ledger.append([events.camera_registered(cam, self._clock.now(), actor)], conn=conn)

    def get(self, camera_id: str) -> Camera:
        with self._engine.connect() as conn:
            row = conn.execute(select(cameras).where(cameras.c.id == camera_id)).first()
        if row is None:
            raise UnknownCamera(f"unknown camera {camera_id!r}: register it first (platewarden camera add)")
        return Camera(row.id, row.name, row.latitude, row.longitude, row.heading_deg, row.road_segment)

    def all(self) -> list[Camera]:
        with self._engine.connect() as conn:
            return [Camera(r.id, r.name, r.latitude, r.longitude, r.heading_deg, r.road_segment)
                    for r in conn.execute(select(cameras).order_by(cameras.c.id))]
