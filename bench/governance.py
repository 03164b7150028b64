"""Governance figures: purge (crypto-shred) of one day holding N reads, and search latency inside a scope.

    python bench/governance.py [--reads 1000000] [--postgres URL]

Reads are inserted as sealed rows with small payloads (the purge never reads ciphertexts: it deletes rows and
destroys keys, and takes the receipt's Merkle root from the stored row digests).
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from machine import print_header  # type: ignore[import-not-found]
from pgtemp import temporary_database  # type: ignore[import-not-found]
from sqlalchemy import insert

from platewarden.config import Settings
from platewarden.domain.clock import ManualClock
from platewarden.governance.scope import Query, Scope
from platewarden.policy.model import Role
from platewarden.runtime import Platform
from platewarden.store.cipher import blind_index
from platewarden.store.schema import read_counts, reads

T0 = datetime(2026, 11, 2, 6, tzinfo=UTC)


def fill_day(p: Platform, n: int) -> None:
    keys = p.keyring.for_day(T0.date(), T0)
    blob = os.urandom(200)
    batch = 20_000
    p.reads.partitions.ensure([T0.date()])  # PostgreSQL: the day's partition
    with p.engine.begin() as conn:
        for start in range(0, n, batch):
            conn.execute(insert(reads), [{
                "id": str(uuid.UUID(int=i)), "day": T0.date(), "first_seen": T0 + timedelta(milliseconds=i),
                "plate_index": blind_index(keys.index_key, f"P{i % 50_000:06d}"), "payload": blob,
                "plate_crop": blob, "vehicle_crop": None, "key_scope": f"day:{T0.date()}", "purge_day": T0.date(),
                "row_digest": i.to_bytes(32, "big")} for i in range(start, min(n, start + batch))])
        conn.execute(insert(read_counts).values(day=T0.date(), camera_id="bench", reads=n))


def run(url: str, data_dir: Path, n: int) -> None:
    clock = ManualClock(T0)
    p = Platform.open(Settings(data_dir=data_dir, database_url=url), clock=clock, notify=False)
    t = time.perf_counter()
    fill_day(p, n)
    print(f"  filled one day with {n:,} sealed reads in {time.perf_counter() - t:.1f} s")
    # search latency within scope: real sealed reads on another day
    admin = p.accounts.create(None, "admin", "A", "X", {Role.ADMINISTRATOR}, "x" * 12)
    off = p.accounts.create(admin, "off", "O", "X", {Role.OFFICER}, "x" * 12)
    head = p.accounts.create(admin, "head", "H", "X", {Role.DEPARTMENT_HEAD}, "x" * 12)
    pro = p.accounts.create(admin, "pro", "P", "X", {Role.PROSECUTOR}, "x" * 12)
    for waiting in p.accounts.awaiting_grant(head):  # a second person approves the roles
        p.accounts.approve_grant(head, waiting.user.id)
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from ingest import make_reads

    day2 = T0 + timedelta(days=1)
    sample = make_reads(20_000, day2)
    p.reads.ingest(sample)
    target = sample[123].text
    scope = Scope((target,), None, None, day2, day2 + timedelta(days=1), ("bench-cam",), None, "bench", "bench")
    req = p.searches.apply(off, "BENCH-1", "robbery", scope)
    p.searches.approve(req.id, head)
    p.searches.approve(req.id, pro)
    times = []
    for _ in range(20):
        t = time.perf_counter()
        res = p.searches.search(off, req.id, Query(target, None, day2, day2 + timedelta(days=1), ("bench-cam",)))
        times.append((time.perf_counter() - t) * 1000)
    print(f"  search within scope (20,000 reads that day, {len(res.reads)} hits): median "
          f"{statistics.median(times):.1f} ms, max {max(times):.1f} ms")
    clock.set(T0 + timedelta(days=31))
    t = time.perf_counter()
    [receipt] = [r for r in p.retention.run() if r.day == T0.date()]
    print(f"  purge of the day with {receipt.destroyed:,} reads: {time.perf_counter() - t:.1f} s "
          f"(receipt root {receipt.root.hex()[:16]}…, ledger entry {receipt.ledger_seq})")
    p.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reads", type=int, default=1_000_000)
    ap.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    a = ap.parse_args()
    print_header()
    with tempfile.TemporaryDirectory() as tmp:
        print("SQLite")
        run(f"sqlite:///{tmp}/g.db", Path(tmp), a.reads)
    try:
        with temporary_database(a.postgres) as pg_url, tempfile.TemporaryDirectory() as tmp:
            print("PostgreSQL")
            run(pg_url, Path(tmp), a.reads)
    except Exception as exc:
        print(f"PostgreSQL skipped: {exc}")


if __name__ == "__main__":
    main()
