"""Hotlist entries, with the plate sealed under a key derived from the master key, and each row sealed (store/seals.py):
an entry activated, extended or added by a database writer is no entry, so it raises no alert."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from platewarden.domain.approvals import Step
from platewarden.domain.hotlist import EntryStatus, HotlistEntry
from platewarden.domain.plates import Region
from platewarden.store.approval_steps import load_steps, record_step
from platewarden.store.cipher import seal, unseal
from platewarden.store.keyring import KeyRing
from platewarden.store.resealing import reseal
from platewarden.store.schema import hotlist_entries
from platewarden.store.seals import row_holds

log = logging.getLogger(__name__)


class _Lost(Exception):
    pass


class HotlistStore:
    def __init__(self, engine: Engine, keyring: KeyRing) -> None:
        self._engine = engine
        self._key = keyring.derived("hotlist")
        self._seal = keyring.record_seal()

    def _row(self, e: HotlistEntry) -> dict[str, Any]:
        return {"id": e.id, "plate": seal(self._key, e.plate.encode(), f"hotlist|{e.id}".encode()),
                "region": e.region.value, "country": e.country, "reason": e.reason, "source": e.source,
                "make": e.make, "colour": e.colour, "added_by": e.added_by, "added_at": e.added_at,
                "expires_at": e.expires_at, "status": e.status.value, "approved_by": e.approved_by}

    def add_many(self, entries: list[HotlistEntry], ledger_event: Callable[[Connection], object]) -> None:
        """All or nothing: the entries and their ledger entry in one transaction."""
        if entries:
            with self._engine.begin() as conn:
                conn.execute(insert(hotlist_entries), [self._row(e) for e in entries])
                reseal(conn, self._seal, hotlist_entries, hotlist_entries.c.id.in_([e.id for e in entries]))
                ledger_event(conn)

    def all(self) -> list[HotlistEntry]:
        """Every genuine entry (rows failing their seal are left out and logged: ``audit reconcile`` names them)."""
        with self._engine.connect() as conn:
            rows = list(conn.execute(select(hotlist_entries)))
        forged = [r.id for r in rows if not row_holds(self._seal, "hotlist_entries", r)]
        if forged:
            log.error("%d hotlist rows fail their seal and are ignored (platewarden audit reconcile)", len(forged))
            rows = [r for r in rows if r.id not in set(forged)]
        return [HotlistEntry(
            id=r.id, plate=unseal(self._key, r.plate, f"hotlist|{r.id}".encode()).decode(), region=Region(r.region),
            country=r.country, reason=r.reason, source=r.source, make=r.make, colour=r.colour, added_by=r.added_by,
            added_at=r.added_at, expires_at=r.expires_at, status=EntryStatus(r.status),
            approved_by=r.approved_by) for r in rows]

    def get(self, entry_id: str) -> HotlistEntry | None:
        return next((e for e in self.all() if e.id == entry_id), None)

    def steps(self, entry_id: str) -> list[Step]:
        with self._engine.connect() as conn:
            return load_steps(conn, [entry_id], self._seal)[entry_id]

    def approve_step(self, entry_id: str, step: Step, final: bool, approver_label: str,
                     ledger_event: Callable[[Connection], object]) -> bool:
        """One transaction: the step, the activation if it is the last one (only from pending: one winner among
        concurrent approvals), and the ledger entry. Returns False, changing nothing, if another decision came
        first."""
        try:
            with self._engine.begin() as conn:
                record_step(conn, entry_id, step, self._seal)
                if final:
                    done = conn.execute(update(hotlist_entries).where(
                        hotlist_entries.c.id == entry_id, hotlist_entries.c.status == EntryStatus.PENDING.value)
                        .values(status=EntryStatus.ACTIVE.value, approved_by=approver_label)).rowcount
                    if done != 1:
                        raise _Lost
                    reseal(conn, self._seal, hotlist_entries, hotlist_entries.c.id == entry_id)
                ledger_event(conn)
        except (IntegrityError, _Lost):
            return False
        return True

    def add_step(self, entry_id: str, step: Step) -> None:
        with self._engine.begin() as conn:
            record_step(conn, entry_id, step, self._seal)

    def set_status(self, entry_id: str, status: EntryStatus, approved_by: str | None = None,
                   conn: Connection | None = None) -> None:
        """Within ``conn`` where given (so the change commits with its ledger entry), else on its own."""
        values: dict[str, Any] = {"status": status.value}
        if approved_by is not None:
            values["approved_by"] = approved_by
        if conn is None:
            with self._engine.begin() as own:
                self.set_status(entry_id, status, approved_by, own)
            return
        conn.execute(update(hotlist_entries).where(hotlist_entries.c.id == entry_id).values(**values))
        reseal(conn, self._seal, hotlist_entries, hotlist_entries.c.id == entry_id)
