"""Durable ingestion: reads are sealed at once, then written; if the database is unreachable the sealed rows go to
a spool file and are retried with backoff, so no read is lost and no plaintext ever touches the disk."""

from __future__ import annotations

import base64
import json
import logging
import os
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

from platewarden.domain.reads import Read
from platewarden.store.reads import ReadStore

log = logging.getLogger(__name__)


def _encode(row: dict[str, Any], camera: str) -> str:
    def conv(v: Any) -> Any:
        if isinstance(v, bytes):
            return {"b64": base64.b64encode(v).decode()}
        if isinstance(v, datetime):
            return {"dt": v.isoformat()}
        if isinstance(v, date):
            return {"d": v.isoformat()}
        return v

    return json.dumps({"camera": camera, "row": {k: conv(v) for k, v in row.items()}})


def _decode(line: str) -> tuple[dict[str, Any], str]:
    def conv(v: Any) -> Any:
        if isinstance(v, dict):
            if "b64" in v:
                return base64.b64decode(v["b64"])
            if "dt" in v:
                return datetime.fromisoformat(v["dt"])
            if "d" in v:
                return date.fromisoformat(v["d"])
        return v

    obj = json.loads(line)
    return {k: conv(v) for k, v in obj["row"].items()}, obj["camera"]


class BufferedReadWriter:
    def __init__(self, store: ReadStore, spool: Path, retry_seconds: float = 1.0,
                 monotonic: Callable[[], float] = time.monotonic,
                 on_insert: Callable[[Connection, list[dict[str, Any]], list[str]], int | None] | None = None,
                 admit: Callable[[list[str]], list[bool]] | None = None) -> None:
        self._store = store
        self._admit = admit
        self.refused = 0
        self._on_insert = on_insert
        self._spool = spool
        self._retry = retry_seconds
        self._backoff = retry_seconds
        self._next_try = 0.0
        self._now = monotonic
        self.written = 0
        self.spooled = 0
        self.last_error = ""
        # Reads whose sealed rows wait in the spool, kept in memory so their alerts can be checked once stored.
        # After a crash the spool is still written on restart, but those reads are not alert-checked again.
        self._held: list[Read] = []

    @property
    def pending(self) -> int:
        if not self._spool.exists():
            return 0
        with open(self._spool) as f:
            return sum(1 for line in f if line.strip())

    def write(self, batch: list[Read]) -> list[Read]:
        """Seal and store ``batch``; returns the reads now durably in the database (spooled ones come later).
        Reads from cameras the gate refuses are dropped here, before sealing: they were never lawfully collected."""
        if self._admit is not None and batch:
            allowed = self._admit([r.camera_id for r in batch])
            self.refused += allowed.count(False)
            batch = [r for r, ok in zip(batch, allowed, strict=True) if ok]
            if not batch:
                return self.retry()
        rows = self._store.seal_rows(batch)
        cams = [r.camera_id for r in batch]
        if self._spool.exists() or self._now() < self._next_try:
            self._append(rows, cams)
            self._held.extend(batch)
            return self.retry()
        try:
            self.written += self._store.insert_rows(rows, cams, self._on_insert)
            self._backoff = self._retry
            return batch
        except OperationalError as exc:
            self._failed(exc)
            self._append(rows, cams)
            self._held.extend(batch)
            return []

    def _failed(self, exc: Exception) -> None:
        self.last_error = str(exc).splitlines()[0]
        log.warning("database unreachable, spooling reads (retry in %.1fs): %s", self._backoff, self.last_error)
        self._next_try = self._now() + self._backoff
        self._backoff = min(60.0, self._backoff * 2)

    def _append(self, rows: list[dict[str, Any]], cams: list[str]) -> None:
        self._spool.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._spool, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a") as f:
            for row, cam in zip(rows, cams, strict=True):
                f.write(_encode(row, cam) + "\n")
            f.flush()
            os.fsync(f.fileno())
        self.spooled += len(rows)

    def retry(self, force: bool = False) -> list[Read]:
        """Move spooled rows into the database; returns the held reads now stored. Safe to repeat (ids dedupe)."""
        if not self._spool.exists() or (not force and self._now() < self._next_try):
            return []
        with open(self._spool) as f:
            items = [_decode(line) for line in f if line.strip()]
        try:
            n = self._store.insert_rows([r for r, _ in items], [c for _, c in items], self._on_insert)
        except OperationalError as exc:
            self._failed(exc)
            return []
        self._spool.unlink()
        self._backoff = self._retry
        self.written += n
        stored, self._held = self._held, []
        return stored
