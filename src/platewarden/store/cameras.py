"""The camera registry (public: where cameras are is not personal data). Cameras enter it only through the
deployment review (governance/deployment.py)."""

from __future__ import annotations

from sqlalchemy import Engine, select

from platewarden.domain.cameras import Camera, jurisdictions_from_text
from platewarden.domain.errors import NotFound
from platewarden.store.schema import cameras


class UnknownCamera(NotFound):
    pass


class CameraRegistry:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, camera_id: str) -> Camera:
        with self._engine.connect() as conn:
            row = conn.execute(select(cameras).where(cameras.c.id == camera_id)).first()
        if row is None:
            raise UnknownCamera(f"unknown camera {camera_id!r}: it enters the registry through a deployment review "
                                "(platewarden camera propose)")
        return Camera(row.id, row.name, row.latitude, row.longitude, row.heading_deg, row.road_segment,
                      jurisdictions_from_text(row.jurisdictions))

    def all(self) -> list[Camera]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(cameras).where(cameras.c.status == "approved").order_by(cameras.c.id))
            return [Camera(r.id, r.name, r.latitude, r.longitude, r.heading_deg, r.road_segment,
                           jurisdictions_from_text(r.jurisdictions)) for r in rows]
