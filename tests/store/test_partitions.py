"""PostgreSQL at scale: reads partitioned by day, retention dropping a day's partition (held reads moved out of it
first), the blind-index search pruned to the days asked for and served by the index, connection pooling, and the
migration that turns an existing plain table into partitions."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from alembic import command
from pydantic import ValidationError
from sqlalchemy import create_engine, insert, select, text

from platewarden.config import Settings
from platewarden.domain.clock import ManualClock
from platewarden.ledger.verify import verify_export
from platewarden.runtime import Platform
from platewarden.store.database import alembic_config, make_engine, upgrade
from platewarden.store.partitions import HELD_PURGE_DAY, DayPartitions, partition_name
from platewarden.store.schema import reads
from tests.factories import make_read, people


@pytest.fixture
def pg(pg_url: str, tmp_path: Path, clock: ManualClock) -> Platform:
    p = Platform.open(Settings(data_dir=tmp_path / "data", database_url=pg_url, db_pool_size=3), clock=clock,
                      notify=False)
    yield p  # type: ignore[misc]
    p.close()


def where_rows_live(p: Platform) -> dict[str, int]:
    with p.engine.connect() as conn:
        return {str(t): int(n) for t, n in conn.execute(text(
            "SELECT tableoid::regclass, count(*) FROM reads GROUP BY 1"))}


def test_reads_go_to_their_day_partition_and_insert_stays_idempotent(pg: Platform, clock: ManualClock) -> None:
    start = clock.now()
    batch = [make_read(f"PA{i:02d}XY", start + timedelta(days=i % 3, minutes=i), n=i) for i in range(9)]
    assert pg.reads.ingest(batch) == 9
    assert pg.reads.ingest(batch) == 0  # the same batch again (a redelivery): nothing new
    assert pg.reads.ingest([*batch[:2], make_read("PA99XY", start, n=99)]) == 1
    days = [(start + timedelta(days=d)).date() for d in range(3)]
    assert where_rows_live(pg) == {partition_name(days[0]): 4, partition_name(days[1]): 3,
                                   partition_name(days[2]): 3}
    # each day's partition exists, and the next day's is created ahead of midnight
    assert set(pg.reads.partitions.existing()) == {*days, days[2] + timedelta(days=1)}
    assert pg.reads.count() == 10


def test_partition_dropped_elsewhere_is_recreated(pg: Platform, clock: ManualClock) -> None:
    pg.reads.ingest([make_read("PB01XY", clock.now(), n=1)])
    other = DayPartitions(pg.engine)  # another process: retention dropped the (here still cached) partition
    with pg.engine.begin() as conn:
        assert other.drop(conn, clock.now().date())
    assert pg.reads.ingest([make_read("PB02XY", clock.now(), n=2)]) == 1
    assert pg.reads.count() == 1


def test_search_is_pruned_to_the_day_and_uses_the_blind_index(pg: Platform, clock: ManualClock) -> None:
    start = clock.now()
    pg.reads.ingest([make_read(f"PC{i:03d}Z", start + timedelta(days=i % 4, seconds=i), n=i) for i in range(200)])
    day = (start + timedelta(days=2)).date()
    with pg.engine.begin() as conn:
        conn.execute(text("ANALYZE reads"))
        conn.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: ask what the big one would do
        plan = "\n".join(r[0] for r in conn.execute(text(
            "EXPLAIN SELECT * FROM reads WHERE purge_day IN (:d) AND plate_index IN (:x, :y)"),  # find_by_plate
            {"d": day, "x": b"\x00" * 16, "y": b"\x01" * 16}))
    assert partition_name(day) in plan and "plate_index" in plan and "Index" in plan, plan
    others = [partition_name((start + timedelta(days=i)).date()) for i in (0, 1, 3)]
    assert not any(o in plan for o in others), plan
    found = pg.reads.find_by_plate("PC006Z", [day])
    assert [r.text for r in found] == ["PC006Z"]


def test_a_batch_and_the_days_past_the_limit_are_found_by_index(pg: Platform, clock: ManualClock) -> None:
    """Evidence export and retention rebuild a read's Merkle path from its ledger batch, and retention verify counts
    ordinary reads by day: on the partitioned table both are index lookups in every partition, not scans of
    every row (issue 25; migration 0015)."""
    start = clock.now()
    pg.reads.ingest([make_read(f"BX{i:03d}Z", start + timedelta(days=i % 4, seconds=i), n=i) for i in range(200)])
    with pg.engine.begin() as conn:
        conn.execute(text("ANALYZE reads"))
        conn.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: ask what the big one would do
        batch = "\n".join(r[0] for r in conn.execute(text(
            "EXPLAIN SELECT row_digest FROM reads WHERE batch_seq = :s ORDER BY batch_pos"), {"s": 3}))
        days = "\n".join(r[0] for r in conn.execute(text(
            "EXPLAIN SELECT day, count(*) FROM reads WHERE day < :d AND key_scope LIKE 'day:%' GROUP BY day"),
            {"d": start.date()}))
    assert "ix_reads_batch" in batch or "batch_seq_batch_pos_idx" in batch, batch
    assert "Seq Scan" not in batch, batch
    assert "Seq Scan" not in days and "Index" in days, days


def test_retention_drops_the_partition_and_keeps_held_reads(pg: Platform, clock: ManualClock,
                                                             tmp_path: Path) -> None:
    who = people(pg)
    start = clock.now()
    old = [make_read(f"PD{i:02d}XY", start + timedelta(minutes=i), n=i) for i in range(5)]
    pg.reads.ingest(old)
    pg.reads.ingest([make_read("PD99XY", start + timedelta(days=3), n=99)])
    pg.retention.hold(who["officer"], who["head"], "2026-CR-77", [old[1].id], "evidence")
    clock.set(start + timedelta(days=31, hours=1))
    [receipt] = pg.retention.run()
    assert receipt.destroyed == 4 and receipt.kept_for_cases == 1
    with pg.engine.connect() as conn:
        assert conn.execute(text("SELECT to_regclass(:n)"), {"n": partition_name(start.date())}).scalar() is None
        held = conn.execute(select(reads.c.id, reads.c.purge_day, reads.c.key_scope)).all()
    assert sorted(held) == sorted([(old[1].id, HELD_PURGE_DAY, "case:2026-CR-77"),
                                   (make_read("PD99XY", start + timedelta(days=3), n=99).id,
                                    (start + timedelta(days=3)).date(), f"day:{(start + timedelta(days=3)).date()}")])
    assert where_rows_live(pg)["reads_held"] == 1
    assert [r.id for r in pg.reads.held_for_case("2026-CR-77")] == [old[1].id]
    rep = pg.retention.verify()
    assert rep.ok, rep.problems
    pg.ledger.export(tmp_path / "exp")
    assert verify_export(tmp_path / "exp").ok
    # a late copy of a destroyed read (a replay) cannot bring the held one back twice
    assert pg.reads.ingest([old[1]]) == 0


def test_pool_settings(pg: Platform) -> None:
    assert pg.engine.pool.size() == 3  # type: ignore[attr-defined]
    with pytest.raises(ValidationError):
        Settings(db_pool_size=0)
    assert Settings.from_env({"PLATEWARDEN_DB_POOL_SIZE": "12"}).db_pool_size == 12


def test_migration_moves_existing_rows_into_partitions(pg_url: str, clock: ManualClock) -> None:
    engine = make_engine(pg_url)
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")
    day = date(2026, 10, 1)
    base = {"first_seen": clock.now(), "plate_index": b"i" * 16, "payload": b"p", "plate_crop": b"c",
            "row_digest": b"d" * 32, "day": day}
    with create_engine(engine.url).begin() as conn:
        conn.execute(text("INSERT INTO reads (id, day, first_seen, plate_index, payload, plate_crop, key_scope, "
                          "row_digest) VALUES (:id, :day, :first_seen, :plate_index, :payload, :plate_crop, :scope, "
                          ":row_digest)"),
                     [base | {"id": "a", "scope": f"day:{day}"}, base | {"id": "b", "scope": "case:X-1"}])
    upgrade(engine)
    with engine.connect() as conn:
        rows = {r.id: (str(r.part), r.purge_day) for r in conn.execute(text(
            "SELECT id, purge_day, tableoid::regclass AS part FROM reads"))}
        assert conn.execute(text("SELECT relkind FROM pg_class WHERE relname = 'reads'")).scalar() == "p"
    assert rows == {"a": (partition_name(day), day), "b": ("reads_held", HELD_PURGE_DAY)}
    # the primary key still refuses a second copy of a read
    with engine.begin() as conn, pytest.raises(Exception, match="duplicate key"):
        conn.execute(insert(reads).values(base | {"id": "a", "key_scope": f"day:{day}", "purge_day": day}))
    engine.dispose()


def test_a_batch_is_found_by_index_on_sqlite_too(tmp_path: Path, clock: ManualClock) -> None:
    """The embedded default answers the same lookup from ``ix_reads_batch``, not by reading every row."""
    p = Platform.open(Settings(data_dir=tmp_path / "data"), clock=clock, notify=False)
    try:
        with p.engine.connect() as conn:
            plan = " ".join(str(r[-1]) for r in conn.execute(text(
                "EXPLAIN QUERY PLAN SELECT row_digest FROM reads WHERE batch_seq = 3 ORDER BY batch_pos")))
    finally:
        p.close()
    assert "USING INDEX ix_reads_batch" in plan and "TEMP B-TREE" not in plan, plan


def test_a_purge_never_makes_ingest_or_searches_wait(pg: Platform, clock: ManualClock) -> None:
    """A long reader (an investigator's query) is using the table when retention destroys an old day. The purge
    waits for that reader; new inserts and searches must not wait behind the purge. (Dropping the partition outright
    needs ACCESS EXCLUSIVE on all of ``reads``, and every insert and search queues behind that request.)"""
    import threading

    start = clock.now()
    pg.reads.ingest([make_read(f"OLD{i:03d}", start + timedelta(seconds=i), n=i) for i in range(20)])
    clock.advance(timedelta(days=pg.policy.retention.ordinary_days + 2))
    today = clock.now()
    pg.reads.ingest([make_read("NEW000", today, n=100)])  # today's partition exists before the reader starts
    reader = pg.engine.connect()
    reader.begin()
    assert reader.execute(text("SELECT count(*) FROM reads")).scalar_one() == 21  # holds the table, stays open
    receipts: list[object] = []
    purge = threading.Thread(target=lambda: receipts.extend(pg.retention.run()), daemon=True)
    purge.start()
    purge.join(timeout=1.5)
    assert purge.is_alive()  # the purge waits for the reader ...
    found: list[str] = []

    def work() -> None:  # ... while a camera's reads and an authorised search go on
        pg.reads.ingest([make_read(f"NEW{i:03d}", today + timedelta(seconds=i), n=100 + i) for i in range(1, 6)])
        found.extend(r.text for r in pg.reads.find_by_plate("NEW003", [today.date()]))

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(timeout=10)
    try:
        assert not worker.is_alive(), "ingest and search waited behind the purge"
        assert found == ["NEW003"]
    finally:
        reader.rollback()
        reader.close()
    purge.join(timeout=30)
    assert not purge.is_alive() and len(receipts) == 1
    assert partition_name(start.date()) not in where_rows_live(pg)
    assert pg.retention.verify().problems == []


def test_a_purge_interrupted_after_the_detach_is_finished_by_the_next_run(pg: Platform, clock: ManualClock) -> None:
    """The detach commits on its own (PostgreSQL runs it outside a transaction): a run that stops right after it
    leaves a detached table and the day's keys. Verify names the day; the next run destroys it with a full receipt."""
    start = clock.now()
    pg.reads.ingest([make_read(f"CUT{i:03d}", start + timedelta(seconds=i), n=i) for i in range(12)])
    clock.advance(timedelta(days=pg.policy.retention.ordinary_days + 2))
    DayPartitions(pg.engine).detach(start.date())  # the run stopped here
    assert partition_name(start.date()) not in where_rows_live(pg)  # out of reads: no search sees it any more
    assert any("key still exists" in problem for problem in pg.retention.verify().problems)
    [receipt] = pg.retention.run()
    assert receipt.destroyed == 12
    with pg.engine.connect() as conn:
        assert conn.execute(text("SELECT to_regclass(:n)"), {"n": partition_name(start.date())}).scalar() is None
    assert pg.retention.verify().problems == []
