"""Alerts and their dispositions. The raw text and crop are sealed under the read's day key: an alert's personal
data is destroyed with its day unless a case holds it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from platewarden.domain.alerts import Alert, AlreadyDisposed, Disposition, DispositionRecord, UnknownAlert
from platewarden.store.cipher import seal, unseal
from platewarden.store.dialect import conflict_insert
from platewarden.store.keyring import KeyDestroyed, KeyRing
from platewarden.store.schema import alerts, dispositions


@dataclass(frozen=True)
class AlertDetail:
    """What an operator sees: the alert, what was read, and the crop (JPEG) to compare with the hotlist record."""

    alert: Alert
    camera_id: str
    confidence: float
    plate_crop_jpeg: bytes
    disposition: DispositionRecord | None


class AlertStore:
    def __init__(self, engine: Engine, keyring: KeyRing) -> None:
        self._engine = engine
        self._keys = keyring

    def add(self, alert: Alert, camera_id: str, confidence: float, crop_jpeg: bytes, now: datetime) -> bool:
        """Store an alert; False if the read already had one (idempotent re-ingestion)."""
        day = alert.created_at.date()
        k = self._keys.for_day(day, now).data_key
        payload = json.dumps({"raw_text": alert.raw_text, "hotlist_plate": alert.hotlist_plate,
                              "camera_id": camera_id, "confidence": confidence}).encode()
        row: dict[str, Any] = {
            "id": alert.id, "read_id": alert.read_id, "entry_id": alert.entry_id, "day": day,
            "payload": seal(k, payload, f"alert|{alert.id}|payload".encode()),
            "plate_crop": seal(k, crop_jpeg, f"alert|{alert.id}|crop".encode()),
            "distance": alert.distance, "region_verified": alert.region_verified, "created_at": alert.created_at}
        stmt = conflict_insert(self._engine, alerts).values(**row) \
            .on_conflict_do_nothing(index_elements=["read_id"]).returning(alerts.c.id)
        with self._engine.begin() as conn:
            return conn.execute(stmt).first() is not None

    def _detail(self, row: Any, disp: Any) -> AlertDetail:
        try:
            k = self._keys.for_day(row.day, datetime.now(UTC), create=False).data_key
            p = json.loads(unseal(k, row.payload, f"alert|{row.id}|payload".encode()))
            crop = unseal(k, row.plate_crop, f"alert|{row.id}|crop".encode())
        except KeyDestroyed:  # its day was destroyed by retention: the statistics stay, the personal data is gone
            p = {"raw_text": "[destroyed]", "hotlist_plate": "[destroyed]", "camera_id": "", "confidence": 0.0}
            crop = b""
        alert = Alert(row.id, row.read_id, row.entry_id, p["raw_text"], p["hotlist_plate"], row.distance,
                      row.region_verified, row.created_at)
        record = None if disp is None else DispositionRecord(row.id, Disposition(disp.disposition), disp.by,
                                                             disp.at, disp.note)
        return AlertDetail(alert, p["camera_id"], p["confidence"], crop, record)

    def get(self, alert_id: str) -> AlertDetail:
        with self._engine.connect() as conn:
            row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).first()
            if row is None:
                raise UnknownAlert(f"no alert {alert_id!r}")
            disp = conn.execute(select(dispositions).where(dispositions.c.alert_id == alert_id)).first()
        return self._detail(row, disp)

    def list(self, pending_only: bool = False) -> list[AlertDetail]:
        with self._engine.connect() as conn:
            rows = list(conn.execute(select(alerts).order_by(alerts.c.created_at)))
            disps = {d.alert_id: d for d in conn.execute(select(dispositions))}
        return [self._detail(r, disps.get(r.id)) for r in rows if not (pending_only and r.id in disps)]

    def cameras_between(self, start: datetime, end: datetime) -> dict[str, str | None]:
        """Alert id -> the camera that raised it, for alerts created in [start, end): what the bias report counts
        per area. None where the alert's day has been destroyed (its camera went with it). Returns no plate."""
        with self._engine.connect() as conn:
            rows = list(conn.execute(select(alerts.c.id, alerts.c.day, alerts.c.payload).where(
                alerts.c.created_at >= start, alerts.c.created_at < end)))
        out: dict[str, str | None] = {}
        for row in rows:
            try:
                k = self._keys.for_day(row.day, datetime.now(UTC), create=False).data_key
                out[row.id] = json.loads(unseal(k, row.payload, f"alert|{row.id}|payload".encode()))["camera_id"]
            except KeyDestroyed:
                out[row.id] = None
        return out

    def count_pending(self) -> int:
        from sqlalchemy import func

        with self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(alerts).where(
                ~alerts.c.id.in_(select(dispositions.c.alert_id)))).scalar_one())

    def queue_state(self) -> tuple[int, str | None]:
        """(pending alerts, id of the newest pending one): what a live queue needs to know that something arrived;
        counts and an opaque id, nothing to decrypt."""
        from sqlalchemy import func

        pending = ~alerts.c.id.in_(select(dispositions.c.alert_id))
        with self._engine.connect() as conn:
            count = int(conn.execute(select(func.count()).select_from(alerts).where(pending)).scalar_one())
            newest = conn.execute(select(alerts.c.id).where(pending)
                                  .order_by(alerts.c.created_at.desc(), alerts.c.id.desc()).limit(1)).scalar()
        return count, None if newest is None else str(newest)

    def dispose(self, record: DispositionRecord) -> None:
        with self._engine.begin() as conn:
            if conn.execute(select(alerts.c.id).where(alerts.c.id == record.alert_id)).first() is None:
                raise UnknownAlert(f"no alert {record.alert_id!r}")
            if conn.execute(select(dispositions.c.alert_id)
                            .where(dispositions.c.alert_id == record.alert_id)).first() is not None:
                raise AlreadyDisposed(f"alert {record.alert_id} already has a disposition")
            conn.execute(insert(dispositions).values(alert_id=record.alert_id, disposition=record.disposition.value,
                                                     by=record.by, at=record.at, note=record.note))

    def disposition_counts(self) -> dict[str, int]:
        from sqlalchemy import func

        with self._engine.connect() as conn:
            return {r[0]: r[1] for r in conn.execute(select(dispositions.c.disposition, func.count())
                                                     .group_by(dispositions.c.disposition))}
