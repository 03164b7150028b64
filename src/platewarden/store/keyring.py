"""Per-day data keys and blind-index keys, wrapped by the master key (envelope encryption).

Destroying a day's keys (crypto-shredding) makes every ciphertext of that day unreadable, including copies in
backups of the database; the destruction receipt in the ledger records the keys' fingerprints.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from platewarden.store.cipher import fingerprint, new_key, seal, unseal
from platewarden.store.schema import day_keys
from platewarden.store.seals import RecordSeal


@dataclass(frozen=True)
class DayKeys:
    day: date
    data_key: bytes
    index_key: bytes

    @property
    def fingerprints(self) -> tuple[str, str]:
        return fingerprint(self.data_key), fingerprint(self.index_key)


class KeyDestroyed(LookupError):
    """The day's keys were destroyed (or never existed): its data is gone for good."""


class KeyRing:
    def __init__(self, engine: Engine, master_key: bytes) -> None:
        self._engine = engine
        self._master = master_key
        self._cache: dict[date, DayKeys] = {}
        self._lock = threading.Lock()

    def _aad(self, day: date, purpose: str) -> bytes:
        return f"platewarden-day-key|{day.isoformat()}|{purpose}".encode()

    def for_day(self, day: date, now: datetime, create: bool = True) -> DayKeys:
        with self._lock:
            if day in self._cache:
                return self._cache[day]
            keys = self._load(day)
            if keys is None:
                if not create:
                    raise KeyDestroyed(f"no key for {day}: destroyed or never created")
                keys = self._create(day, now)
            self._cache[day] = keys
            return keys

    def _load(self, day: date) -> DayKeys | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(day_keys).where(day_keys.c.day == day)).first()
        if row is None:
            return None
        return DayKeys(day, unseal(self._master, row.wrapped_data_key, self._aad(day, "data")),
                       unseal(self._master, row.wrapped_index_key, self._aad(day, "index")))

    def _create(self, day: date, now: datetime) -> DayKeys:
        keys = DayKeys(day, new_key(), new_key())
        fp_data, fp_index = keys.fingerprints
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(day_keys).values(
                    day=day, wrapped_data_key=seal(self._master, keys.data_key, self._aad(day, "data")),
                    wrapped_index_key=seal(self._master, keys.index_key, self._aad(day, "index")),
                    data_key_fingerprint=fp_data, index_key_fingerprint=fp_index, created_at=now))
        except IntegrityError:  # another process created it first: use theirs
            loaded = self._load(day)
            if loaded is None:
                raise
            return loaded
        return keys

    def existing_days(self) -> list[date]:
        with self._engine.connect() as conn:
            return [r.day for r in conn.execute(select(day_keys.c.day).order_by(day_keys.c.day))]

    def destroy(self, day: date, conn: Connection) -> tuple[str, str]:
        """Delete the day's wrapped keys (in the caller's transaction) and forget them; returns their fingerprints
        for the destruction receipt."""
        with conn.begin_nested():
            row = conn.execute(select(day_keys).where(day_keys.c.day == day)).first()
            if row is None:
                raise KeyDestroyed(f"no key for {day}: destroyed or never created")
            conn.execute(delete(day_keys).where(day_keys.c.day == day))
        with self._lock:
            self._cache.pop(day, None)
        return row.data_key_fingerprint, row.index_key_fingerprint

    def record_seal(self) -> RecordSeal:
        """The seal on governed rows (store/seals.py), from the master key."""
        return RecordSeal(self.derived("record-seal"))

    def derived(self, purpose: str) -> bytes:
        """A long-lived key for one purpose (e.g. hotlist plates), derived from the master key with HKDF."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                    info=f"platewarden|{purpose}".encode()).derive(self._master)
