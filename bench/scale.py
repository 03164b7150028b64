"""PostgreSQL at city scale: authorized search p50/p95 over N reads (default 10 M, spread over 30 day partitions),
a case's evidence package, ``retention verify``, and the purge of one day holding M reads (default 1 M) by
dropping its partition.

    python bench/scale.py [--reads 10000000] [--days 30] [--purge-reads 1000000] [--queries 200]
                          [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

Filler reads are written with COPY as sealed-format rows with small random payloads and real per-day blind
indexes (HMAC of a distinct plate under the day's index key), so the search index has its real size and shape;
they are never decrypted because no query matches them. The reads searched for (50 plates, one read per plate and
day) are real: sealed, ledgered and stored through ReadStore. Each search is the whole governed path: scope check
inside an approved authorization, blind-index lookups per day of the window, decryption, the access-log row and
the ledger entry.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta

from machine import print_header  # type: ignore[import-not-found]
from pgtemp import temporary_database  # type: ignore[import-not-found]

from platewarden.config import Settings
from platewarden.domain.clock import ManualClock
from platewarden.governance.scope import Query, Scope
from platewarden.ledger.recorder import ReadBatchRecorder
from platewarden.policy.model import Role
from platewarden.runtime import Platform
from platewarden.store.cipher import blind_index

T0 = datetime(2026, 10, 1, tzinfo=UTC)
COLUMNS = "id, day, first_seen, plate_index, payload, plate_crop, vehicle_crop, key_scope, row_digest, purge_day"
TARGETS = 50


def copy_day(p: Platform, day: date, n: int, offset: int) -> None:
    """``n`` filler rows into ``day``'s partition with one COPY."""
    keys = p.keyring.for_day(day, T0)
    p.reads.partitions.ensure([day])
    blob, scope = os.urandom(64), f"day:{day.isoformat()}"
    base = datetime(day.year, day.month, day.day, tzinfo=UTC)
    step = 86_400_000_000 // max(1, n)  # microseconds
    raw = p.engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cur, cur.copy(f"COPY reads ({COLUMNS}) FROM STDIN") as cp:
            for i in range(offset, offset + n):
                cp.write_row((str(uuid.UUID(int=i)), day, base + timedelta(microseconds=step * (i - offset)),
                              blind_index(keys.index_key, f"F{i:08d}"), blob, blob, None, scope,
                              i.to_bytes(32, "big"), day))
        raw.commit()
    finally:
        raw.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reads", type=int, default=10_000_000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--purge-reads", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    a = ap.parse_args()
    print_header()
    import tempfile
    from pathlib import Path

    from ingest import make_reads  # type: ignore[import-not-found]

    with temporary_database(a.postgres) as url, tempfile.TemporaryDirectory() as tmp:
        clock = ManualClock(T0 + timedelta(days=a.days, hours=12))
        p = Platform.open(Settings(data_dir=Path(tmp), database_url=url), clock=clock, notify=False)
        per_day = a.reads // a.days
        t = time.perf_counter()
        for d in range(a.days):
            copy_day(p, (T0 + timedelta(days=d)).date(), per_day, d * per_day)
        purge_day = (T0 - timedelta(days=5)).date()
        copy_day(p, purge_day, a.purge_reads, a.days * per_day + 1)
        with p.engine.begin() as conn:
            from sqlalchemy import text

            conn.execute(text("ANALYZE reads"))
        print(f"filled {a.days} days x {per_day:,} + one day x {a.purge_reads:,} = "
              f"{a.days * per_day + a.purge_reads:,} reads by COPY in {time.perf_counter() - t:.0f} s")
        with p.engine.connect() as conn:
            size = conn.execute(text("SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits "
                                     "WHERE inhparent = 'reads'::regclass")).scalar()
        print(f"reads table (all partitions, with indexes): {size}")
        # the reads searched for: real, sealed and ledgered, one per target plate and day
        targets = []
        recorder = ReadBatchRecorder(p.ledger, p.clock)
        for d in range(a.days):
            batch = make_reads(TARGETS, T0 + timedelta(days=d, hours=7))
            p.reads.ingest(batch, recorder)
            targets = [r.text for r in batch]
        admin = p.accounts.create(None, "admin", "A", "X", {Role.ADMINISTRATOR}, "x" * 12)
        off = p.accounts.create(admin, "off", "O", "X", {Role.OFFICER}, "x" * 12)
        head = p.accounts.create(admin, "head", "H", "X", {Role.DEPARTMENT_HEAD}, "x" * 12)
        pro = p.accounts.create(admin, "pro", "P", "X", {Role.PROSECUTOR}, "x" * 12)
        for waiting in p.accounts.awaiting_grant(head):  # a second person approves the roles
            p.accounts.approve_grant(head, waiting.user.id)
        start, end = T0, T0 + timedelta(days=a.days)
        scope = Scope(tuple(targets), None, None, start, end, ("bench-cam",), None, "bench", "bench")
        req = p.searches.apply(off, "BENCH-1", "robbery", scope)
        p.searches.approve(req.id, head)
        p.searches.approve(req.id, pro)
        for window_days in (1, 7, a.days):
            times, hits = [], 0
            for q in range(a.queries):
                w0 = start + timedelta(days=(q * 7) % max(1, a.days - window_days + 1))
                query = Query(targets[q % TARGETS], None, w0, w0 + timedelta(days=window_days) - timedelta(seconds=1),
                              ("bench-cam",))
                t = time.perf_counter()
                hits += len(p.searches.search(off, req.id, query).reads)
                times.append((time.perf_counter() - t) * 1000)
            qs = statistics.quantiles(times, n=20)
            print(f"authorized search, {window_days:2d}-day window: p50 {statistics.median(times):6.1f} ms, "
                  f"p95 {qs[18]:6.1f} ms, max {max(times):6.1f} ms ({a.queries} queries, {hits / a.queries:.1f} "
                  "hits each)")
        # a case keeps the reads one search found; its evidence package rebuilds each read's Merkle path from its
        # ledger batch (ix_reads_batch), and retention verify counts each day's reads (by index, not by scan)
        found = p.searches.search(off, req.id, Query(targets[0], None, start, end, ("bench-cam",))).reads
        p.retention.hold(off, head, "BENCH-1", [r.id for r in found], "bench: evidence for the case")
        t = time.perf_counter()
        package, exported = p.evidence.package(off, "BENCH-1")
        print(f"evidence package of case BENCH-1 ({exported} reads, {len(package):,} bytes, Merkle paths from "
              f"their batches): {(time.perf_counter() - t) * 1000:.0f} ms")
        t = time.perf_counter()
        report = p.retention.verify()
        print(f"retention verify over every partition: {time.perf_counter() - t:.1f} s "
              f"({'compliant' if report.ok else 'NOT compliant: ' + '; '.join(report.problems[:3])})")
        t = time.perf_counter()
        receipt = p.retention.destroy_day(purge_day)
        print(f"purge of one day holding {receipt.destroyed:,} reads (partition dropped, keys destroyed, receipt "
              f"ledgered): {time.perf_counter() - t:.1f} s")
        p.close()


if __name__ == "__main__":
    main()
