"""Ledger figures: appends per second (SQLite, PostgreSQL), offline verification time for N entries, proof sizes.

    python bench/ledger.py [--appends 100000] [--verify 1000000]
"""
from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from machine import print_header  # type: ignore[import-not-found]
from pgtemp import temporary_database  # type: ignore[import-not-found]

from platewarden.config import Settings
from platewarden.domain.clock import ManualClock
from platewarden.ledger.entries import Event, EventKind, digest, encode_entry
from platewarden.ledger.log import GENESIS_PREV
from platewarden.ledger.merkle import CompactTree, consistency_proof, inclusion_proof, leaf_hash
from platewarden.ledger.notes import Checkpoint, Signer, sign_checkpoint
from platewarden.ledger.verify import verify_log
from platewarden.runtime import Platform

T0 = datetime(2026, 11, 2, tzinfo=UTC)


def events(n: int) -> list[Event]:
    return [Event(EventKind.ALERT_VIEWED, T0 + timedelta(milliseconds=i), "operator.ann",
                  {"alert_id": str(uuid.UUID(int=i)), "purpose_digest": digest(str(i))}) for i in range(n)]


def appends(url: str, n: int, batch: int = 1000) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        p = Platform.open(Settings(data_dir=Path(tmp), database_url=url or f"sqlite:///{tmp}/l.db"),
                          clock=ManualClock(T0), notify=False)
        evs = events(n)
        t = time.perf_counter()
        for i in range(0, n, batch):
            p.ledger.append(evs[i: i + batch])
        rate = n / (time.perf_counter() - t)
        p.close()
        return rate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--appends", type=int, default=100_000)
    ap.add_argument("--verify", type=int, default=1_000_000)
    ap.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    a = ap.parse_args()
    print_header()
    print(f"appends/s, SQLite      {appends('', a.appends):10,.0f}  (batches of 1000)")
    try:
        with temporary_database(a.postgres) as pg_url:
            print(f"appends/s, PostgreSQL  {appends(pg_url, a.appends):10,.0f}")
    except Exception as exc:
        print(f"appends/s, PostgreSQL  skipped: {exc}")

    signer = Signer.generate("bench.platewarden/ledger")
    entries, prev, tree, hashes = [], GENESIS_PREV, CompactTree(), []
    t = time.perf_counter()
    for i, e in enumerate(events(a.verify)):
        data = encode_entry(i, prev, e)
        entries.append(data)
        prev = leaf_hash(data)
        hashes.append(prev)
        tree.append(prev)
    build = time.perf_counter() - t
    note = sign_checkpoint(Checkpoint(signer.name, tree.size, tree.root()), signer).render()
    t = time.perf_counter()
    res = verify_log(entries, [note], signer.verifier, [])
    took = time.perf_counter() - t
    print(f"verify {a.verify:,} entries offline: {took:.1f} s ({'intact' if res.ok else res.problem}); "
          f"building them took {build:.1f} s")
    for size in (1_000, 1_000_000):
        if size <= len(hashes):
            inc = inclusion_proof(size // 3, hashes[:size])
            con = consistency_proof(size // 2, hashes[:size])
            print(f"proof sizes at {size:,} entries: inclusion {len(inc)} hashes ({32 * len(inc)} bytes), "
                  f"consistency {len(con)} hashes ({32 * len(con)} bytes)")


if __name__ == "__main__":
    main()
