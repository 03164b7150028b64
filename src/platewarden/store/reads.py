"""The read store: sealed, blind-indexed, idempotent ingestion; lookups for the governance layer only.

On PostgreSQL ``reads`` is partitioned by ``purge_day`` (store/partitions.py): every lookup names the partition key
so that the planner prunes to the days it needs, and the day's partition is created before the first insert.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import IntegrityError

from platewarden.domain.clock import Clock
from platewarden.domain.reads import Read
from platewarden.store.case_keys import CaseKeys
from platewarden.store.cipher import blind_index
from platewarden.store.codec import read_to_row, row_to_read
from platewarden.store.dialect import conflict_insert
from platewarden.store.keyring import KeyRing
from platewarden.store.partitions import HELD_PURGE_DAY, DayPartitions, is_missing_partition
from platewarden.store.schema import read_counts, read_rates, reads

_READ_COLUMNS = tuple(c.name for c in reads.columns)


def _insert_with_driver(conn: Connection, rows: Sequence[dict[str, Any]], conflict: Sequence[str]) -> None:
    """The hot path: rows as tuples through the driver's executemany (psycopg pipelines it), each value through
    its column type's own bind processor, in the caller's transaction (the batch's ledger entry commits with them).
    SQLAlchemy's per-row parameter compilation cost as much as the database's insert itself (bench/ingest.py); the
    statement is the same INSERT ... ON CONFLICT DO NOTHING."""
    dialect = conn.dialect
    processors = [reads.c[name].type.bind_processor(dialect) for name in _READ_COLUMNS]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO reads ({', '.join(_READ_COLUMNS)}) VALUES ({', '.join([mark] * len(_READ_COLUMNS))}) "
           f"ON CONFLICT ({', '.join(conflict)}) DO NOTHING")
    conn.exec_driver_sql(sql, [tuple(r.get(name) if proc is None else proc(r.get(name))
                                     for name, proc in zip(_READ_COLUMNS, processors, strict=True)) for r in rows])


class ReadStore:
    def __init__(self, engine: Engine, keyring: KeyRing, clock: Clock, case_keys: CaseKeys | None = None) -> None:
        self._engine = engine
        self._keys = keyring
        self._clock = clock
        self._case_keys = case_keys
        self.partitions = DayPartitions(engine)
        # PostgreSQL's primary key includes the partition key; a read's purge_day is a function of its id
        # (its first-seen day), so (id, purge_day) is as unique as the id itself.
        self._conflict = ["id", "purge_day"] if self.partitions.enabled else ["id"]

    def seal_rows(self, batch: Sequence[Read]) -> list[dict[str, Any]]:
        """Encrypt reads into rows (done before any database IO, so that a buffered row holds no plaintext)."""
        now = self._clock.now()
        return [read_to_row(r, self._keys.for_day(r.day, now), f"day:{r.day.isoformat()}") for r in batch]

    def insert_rows(self, rows: Sequence[dict[str, Any]], cameras: Sequence[str],
                    on_insert: Callable[[Connection, list[dict[str, Any]], list[str]], int | None] | None = None
                    ) -> int:
        """Insert sealed rows; rows whose id already exists are skipped. Returns how many were new.

        ``on_insert`` runs in the same transaction, once per day among the new rows (the ledger uses it, so that
        reads and their batch entry commit together, and a batch never spans two retention days); the sequence
        number it returns is stored with each row, with the row's position in the batch.
        """
        if not rows:
            return 0
        for r in rows:  # rows spooled before purge_day existed
            r.setdefault("purge_day", r["day"])
        days = {r["purge_day"] for r in rows}
        self.partitions.ensure(days)
        try:
            return self._insert(rows, cameras, days, on_insert)
        except IntegrityError as exc:
            if not is_missing_partition(exc):
                raise
            self.partitions.forget(days)  # dropped by another process since we cached it
            self.partitions.ensure(days)
            return self._insert(rows, cameras, days, on_insert)

    def _insert(self, rows: Sequence[dict[str, Any]], cameras: Sequence[str], days: set[date],
                on_insert: Callable[[Connection, list[dict[str, Any]], list[str]], int | None] | None) -> int:
        by_id = {r["id"]: cam for r, cam in zip(rows, cameras, strict=True)}
        with self._engine.begin() as conn:
            # Ids already stored are left out (a retry, also of a read a case holds since); ON CONFLICT covers a
            # concurrent writer in between. Naming the partitions lets PostgreSQL probe only those.
            existing = set(conn.scalars(select(reads.c.id).where(
                reads.c.id.in_(list(by_id)), reads.c.purge_day.in_([*days, HELD_PURGE_DAY]))))
            fresh = []
            for r in rows:
                if r["id"] not in existing:
                    existing.add(r["id"])
                    fresh.append(r)
            for day in sorted({r["day"] for r in fresh}):
                group = [dict(r) for r in fresh if r["day"] == day]
                seq = on_insert(conn, group, [by_id[r["id"]] for r in group]) if on_insert is not None else None
                for pos, r in enumerate(group):
                    r.update(batch_seq=seq, batch_pos=pos if seq is not None else None)
                _insert_with_driver(conn, group, self._conflict)
            counts = Counter((r["day"], by_id[r["id"]]) for r in fresh)
            for (day, cam), n in sorted(counts.items()):  # one lock order for every writer: no deadlock
                up = conflict_insert(self._engine, read_counts).values(day=day, camera_id=cam, reads=n)
                conn.execute(up.on_conflict_do_update(index_elements=["day", "camera_id"],
                                                      set_={"reads": read_counts.c.reads + n}))
            per_minute = Counter((r["first_seen"].replace(second=0, microsecond=0), by_id[r["id"]]) for r in fresh)
            for (minute, cam), n in sorted(per_minute.items()):
                up = conflict_insert(self._engine, read_rates).values(minute=minute, camera_id=cam, reads=n)
                conn.execute(up.on_conflict_do_update(index_elements=["minute", "camera_id"],
                                                      set_={"reads": read_rates.c.reads + n}))
        return len(fresh)

    def ingest(self, batch: Sequence[Read],
               on_insert: Callable[[Connection, list[dict[str, Any]], list[str]], int | None] | None = None) -> int:
        return self.insert_rows(self.seal_rows(batch), [r.camera_id for r in batch], on_insert)

    # --- lookups: called by the governance layer, which authorises and logs them ---

    def find_by_plate(self, plate: str, days: Iterable[date]) -> list[Read]:
        """The plate's ordinary reads on ``days``: one query for the whole window (each day has its own blind
        index of the plate), pruned to the days' partitions and served by the (plate_index, first_seen) index."""
        now = self._clock.now()
        keyed = set(self._keys.existing_days())
        by_day = {d: self._keys.for_day(d, now, create=False) for d in set(days) if d in keyed}
        if not by_day:
            return []
        wanted = {(d, blind_index(k.index_key, plate)) for d, k in by_day.items()}
        with self._engine.connect() as conn:
            # purge_day prunes PostgreSQL's partitions; day lets SQLite use its (day, plate_index) index
            rows = list(conn.execute(select(reads).where(
                reads.c.purge_day.in_(list(by_day)), reads.c.day.in_(list(by_day)),
                reads.c.plate_index.in_([x for _, x in wanted]))))
        return [row_to_read(r, by_day[r.day].data_key) for r in sorted(rows, key=lambda r: r.first_seen)
                if (r.day, bytes(r.plate_index)) in wanted and r.key_scope.startswith("day:")]

    def scan_day(self, day: date) -> list[Read]:
        """Every ordinary read of a day, decrypted (for a partial-plate search inside an authorization)."""
        if day not in set(self._keys.existing_days()):
            return []
        keys = self._keys.for_day(day, self._clock.now(), create=False)
        with self._engine.connect() as conn:
            rows = conn.execute(select(reads).where(reads.c.purge_day == day, reads.c.day == day,
                                                    reads.c.key_scope == f"day:{day}"))
            return [row_to_read(r, keys.data_key) for r in rows]

    def held_for_case(self, case: str) -> list[Read]:
        """Reads re-encrypted under a case's key by retention (readable only within that case)."""
        if self._case_keys is None:
            return []
        key = self._case_keys.get(case)
        if key is None:
            return []
        with self._engine.connect() as conn:
            rows = list(conn.execute(select(reads).where(reads.c.purge_day == HELD_PURGE_DAY,
                                                         reads.c.key_scope == f"case:{case}")))
        return [row_to_read(r, key) for r in rows]

    def get(self, read_id: str) -> Read | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(reads).where(reads.c.id == read_id)).first()
        if row is None or not row.key_scope.startswith("day:"):
            return None
        keys = self._keys.for_day(row.day, self._clock.now(), create=False)
        return row_to_read(row, keys.data_key)

    def count(self, day: date | None = None) -> int:
        from sqlalchemy import func

        q = select(func.count()).select_from(reads)
        if day is not None:
            q = q.where(reads.c.day == day)
        with self._engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    def counts_by_camera(self) -> dict[tuple[date, str], int]:
        with self._engine.connect() as conn:
            return {(r.day, r.camera_id): r.reads for r in conn.execute(select(read_counts))}
