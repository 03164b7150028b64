"""Day partitions of ``reads`` on PostgreSQL (declarative RANGE partitioning on ``purge_day``).

Why: at city scale a retention day holds around a million reads. Deleting them row by row is slow and leaves dead
tuples (and their ciphertext) in the heap until a vacuum; dropping the day's partition removes its files at once.
Reads that a case keeps are moved (an UPDATE of the partition key) into ``reads_held``, which is never dropped.

Partitions are created on demand before an insert (and the next day's ahead of midnight), serialised across
processes by an advisory lock, and remembered per process. SQLite keeps one plain table: every method is a no-op
there, and retention deletes rows as before.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import Connection, Engine, text

HELD_PURGE_DAY = date(9999, 12, 31)  # purge_day of reads held for a case: never reached by day retention
HELD_PARTITION = "reads_held"
_CREATE_LOCK = 724512  # advisory lock id (the ledger uses 724511)


def partition_name(day: date) -> str:
    return f"reads_d{day:%Y%m%d}"


def is_missing_partition(exc: BaseException) -> bool:
    """True for PostgreSQL's 'no partition of relation "reads" found for row' (another process dropped it)."""
    return "no partition of relation" in str(exc)


class DayPartitions:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.enabled = engine.dialect.name == "postgresql"
        self._known: set[date] = set()
        self._lock = threading.Lock()

    def ensure(self, days: Iterable[date]) -> None:
        """Make sure each day (and the day after it) has its partition. Cheap when they are known."""
        if not self.enabled:
            return
        wanted = {d for day in days for d in (day, day + timedelta(days=1))} - {HELD_PURGE_DAY}
        with self._lock:
            missing = sorted(wanted - self._known)
        if not missing:
            return
        with self._engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CREATE_LOCK})
            for day in missing:
                name = partition_name(day)
                if conn.execute(text("SELECT to_regclass(:n)"), {"n": name}).scalar() is None:
                    # Dates from ``date.isoformat`` only: nothing user-supplied reaches this DDL.
                    conn.execute(text(f'CREATE TABLE "{name}" PARTITION OF reads FOR VALUES FROM '
                                      f"('{day.isoformat()}') TO ('{(day + timedelta(days=1)).isoformat()}')"))
        with self._lock:
            self._known.update(missing)

    def forget(self, days: Iterable[date] | None = None) -> None:
        with self._lock:
            if days is None:
                self._known.clear()
            else:
                self._known.difference_update(days)

    def detach(self, day: date) -> None:
        """Take the day's partition out of ``reads`` without stopping ingest or searches: PostgreSQL's ``DETACH
        PARTITION ... CONCURRENTLY`` waits for the transactions already using the table, but takes no lock that
        makes new ones wait (a plain ``DROP`` of a partition needs ``ACCESS EXCLUSIVE`` on the whole table, and every
        insert and search queues behind it). Runs outside any transaction, as PostgreSQL requires; a detach an
        interrupted run left pending is finished. The detached table keeps its name until ``drop``."""
        if not self.enabled:
            return
        name = partition_name(day)
        with self._engine.connect() as conn:
            auto = conn.execution_options(isolation_level="AUTOCOMMIT")
            pending = auto.execute(text(
                "SELECT i.inhdetachpending FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE c.relname = :n AND i.inhparent = 'reads'::regclass"), {"n": name}).scalar()
            if pending is not None:  # still a partition; dates from ``date`` only reach this DDL
                mode = "FINALIZE" if pending else "CONCURRENTLY"
                auto.execute(text(f'ALTER TABLE reads DETACH PARTITION "{name}" {mode}'))
        self.forget([day])

    def detached_digests(self, conn: Connection, day: date, key_scope: str) -> list[bytes]:
        """The row digests of a detached day's ordinary reads, in id order (for the destruction receipt's root)."""
        name = partition_name(day)
        if conn.execute(text("SELECT to_regclass(:n)"), {"n": name}).scalar() is None:
            return []
        return [bytes(d) for d in conn.scalars(text(
            f'SELECT row_digest FROM "{name}" WHERE day = :d AND key_scope = :s ORDER BY id'),
            {"d": day, "s": key_scope})]

    def drop(self, conn: Connection, day: date) -> bool:
        """Drop the day's partition, or the table ``detach`` left of it, in the caller's transaction (retention);
        True if there was one."""
        if not self.enabled:
            return False
        name = partition_name(day)
        existed = conn.execute(text("SELECT to_regclass(:n)"), {"n": name}).scalar() is not None
        if existed:
            conn.execute(text(f'DROP TABLE "{name}"'))
        self.forget([day])
        return existed

    def existing(self) -> list[date]:
        """The days that have a partition (for tests and operators)."""
        if not self.enabled:
            return []
        with self._engine.connect() as conn:
            names = conn.scalars(text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'reads'"))
            return sorted(date(int(n[7:11]), int(n[11:13]), int(n[13:15])) for n in names
                          if n.startswith("reads_d"))
