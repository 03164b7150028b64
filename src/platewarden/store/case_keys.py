"""Keys per case: reads a case holds are re-encrypted under its key, so they outlive their day's key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from platewarden.store.cipher import new_key, seal, unseal


class CaseKeys:
    def __init__(self, engine: Engine, master_key: bytes) -> None:
        self._engine = engine
        self._master = master_key

    def _aad(self, case: str) -> bytes:
        return f"platewarden-case-key|{case}".encode()

    def get(self, case: str, conn: Connection | None = None) -> bytes | None:
        from platewarden.store.schema import case_keys

        q = select(case_keys.c.wrapped_key).where(case_keys.c.case_number == case)
        if conn is not None:
            row = conn.execute(q).first()
        else:
            with self._engine.connect() as c:
                row = c.execute(q).first()
        return None if row is None else unseal(self._master, row[0], self._aad(case))

    def get_or_create(self, case: str, now: datetime, conn: Connection) -> bytes:
        from platewarden.store.schema import case_keys

        key = self.get(case, conn)
        if key is not None:
            return key
        key = new_key()
        try:
            conn.execute(insert(case_keys).values(case_number=case, wrapped_key=seal(self._master, key,
                                                                                      self._aad(case)),
                                                  created_at=now))
        except IntegrityError:
            existing = self.get(case)
            if existing is None:
                raise
            return existing
        return key

    def destroy(self, case: str, conn: Connection) -> bool:
        """Crypto-shred a case's key (within the caller's transaction): whatever was sealed under it is unreadable
        from now on, in every copy and backup. Returns whether there was one."""
        from platewarden.store.schema import case_keys

        return bool(conn.execute(delete(case_keys).where(case_keys.c.case_number == case)).rowcount)
