"""Reads ingested per second with encryption and ledger (seal + blind index + insert + one ledger entry per batch in
the same transaction, as every real writer does), on SQLite and on PostgreSQL (day-partitioned).

    python bench/ingest.py [--reads 50000] [--batch 1000] [--no-ledger] [--wire] [--serial]
                           [--postgres postgresql://postgres@127.0.0.1/postgres]

Each read carries a ~3 KB plate crop and a ~6 KB vehicle crop, like real ones. Prints reads/s per store.
``--wire`` measures what central ingest does with edge messages instead: each read arrives sealed to the central
and signed by its camera (real JPEG crops of those sizes), and is parsed, verified, opened and checked before it is
stored, ledgered and checked against the hotlist (``edge.ingest.ReadIngest.handle``), in one process.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from machine import print_header  # type: ignore[import-not-found]
from pgtemp import temporary_database  # type: ignore[import-not-found]

from platewarden.config import Settings
from platewarden.domain.clock import ManualClock
from platewarden.domain.observations import CharConfidence
from platewarden.domain.plates import Region
from platewarden.domain.reads import Read
from platewarden.ledger.recorder import ReadBatchRecorder
from platewarden.pipeline.overlap import OneAhead
from platewarden.runtime import Platform


def make_reads(n: int, start: datetime) -> list[Read]:
    crop, vehicle = os.urandom(3000), os.urandom(6000)
    out = []
    for i in range(n):
        text = f"B{i % 100:02d}{chr(65 + i % 26)}{chr(65 + (i // 26) % 26)}{chr(65 + (i // 676) % 26)}"
        at = start + timedelta(milliseconds=37 * i)
        out.append(Read(str(uuid.uuid4()), "bench-cam", text, Region.EU, "RO", 0.93,
                        tuple(CharConfidence(c, 0.99) for c in text), (), at, at + timedelta(seconds=1), 5, 5,
                        45.0, 25.0, crop, vehicle))
    return out


def run(url: str, data_dir: Path, n: int, batch: int, ledger: bool = True, serial: bool = False) -> float:
    """Reads/s through seal + insert + ledger. On PostgreSQL batch k+1 is sealed while batch k is inserted
    (``OneAhead``, as the MQTT ingest worker does) unless ``serial``."""
    start = datetime(2026, 11, 2, tzinfo=UTC)
    p = Platform.open(Settings(data_dir=data_dir, database_url=url), clock=ManualClock(start), notify=False)
    recorder = ReadBatchRecorder(p.ledger, p.clock) if ledger else None
    reads = make_reads(n, start)
    p.reads.ingest(reads[:10], recorder)  # warm up: day key and partition created, connections open
    t0 = time.perf_counter()
    if serial or url.startswith("sqlite"):  # as the worker does: SQLite writes in-process, overlap only costs
        for i in range(10, n, batch):
            p.reads.ingest(reads[i: i + batch], recorder)
    else:
        with OneAhead(lambda item: p.reads.insert_rows(item[0], item[1], recorder)) as writer:
            for i in range(10, n, batch):
                chunk = reads[i: i + batch]
                writer.submit((p.reads.seal_rows(chunk), [r.camera_id for r in chunk]))
    dt = time.perf_counter() - t0
    p.close()
    return (n - 10) / dt


def insert_ceiling(url: str, data_dir: Path, n: int, batch: int, day: int = 3) -> float:
    """The same store's insert alone, in the same run: rows already sealed (sealing timed out), no ledger entry.
    The figure the full pipeline is compared with, since these machines are shared and their speed varies."""
    start = datetime(2026, 11, day, tzinfo=UTC)  # not the pipeline's day: a partition of its own
    p = Platform.open(Settings(data_dir=data_dir, database_url=url), clock=ManualClock(start), notify=False)
    reads = make_reads(n, start)
    rows = p.reads.seal_rows(reads)
    cams = [r.camera_id for r in reads]
    p.reads.insert_rows(rows[:10], cams[:10])
    t0 = time.perf_counter()
    for i in range(10, n, batch):
        p.reads.insert_rows(rows[i: i + batch], cams[i: i + batch])
    dt = time.perf_counter() - t0
    p.close()
    return (n - 10) / dt


def wire_messages(p: Platform, n: int, now: datetime) -> list[tuple[str, bytes]]:
    """Edge messages for ``n`` reads of an enrolled camera (its key registered with its approval)."""
    import sys

    import cv2
    import numpy as np

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from platewarden.edge.message import topic_for
    from tests.factories import CAMERA, enrolled_edge, people  # type: ignore[import-not-found]

    sealer = enrolled_edge(p, CAMERA, people(p))
    rng = np.random.default_rng(1)

    def jpeg(h: int, w: int, noise: int) -> bytes:
        img = np.clip(np.linspace(0, 255, w)[None, :, None] + rng.normal(0, noise, (h, w, 3)), 0, 255)
        return bytes(cv2.imencode(".jpg", img.astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes())

    plate, vehicle = jpeg(40, 130, 30), jpeg(120, 160, 12)
    reads = make_reads(n, now - timedelta(minutes=50))
    print(f"  wire: plate crop {len(plate):,} B, vehicle crop {len(vehicle):,} B")
    return [(topic_for(CAMERA.id), sealer.message(Read(**{**r.__dict__, "camera_id": CAMERA.id,
                                                           "first_seen": now - timedelta(seconds=60),
                                                           "last_seen": now - timedelta(seconds=59),
                                                           "plate_crop_jpeg": plate, "vehicle_crop_jpeg": vehicle}),
                                                  now)) for r in reads]


def run_wire(url: str, data_dir: Path, n: int, batch: int) -> float:
    from platewarden.edge.ingest import ReadIngest

    start = datetime(2026, 11, 2, tzinfo=UTC)
    p = Platform.open(Settings(data_dir=data_dir, database_url=url), clock=ManualClock(start), notify=False)
    messages = wire_messages(p, n, start)
    ingest = ReadIngest(p)
    ingest.handle(messages[:10])
    t0 = time.perf_counter()
    with OneAhead(ingest.commit) as writer:  # as edge/consumer.py runs it: check batch k+1 while k is stored
        for i in range(10, n, batch):
            writer.submit(ingest.prepare(messages[i: i + batch]))
    dt = time.perf_counter() - t0
    assert ingest.stats.stored == n and not ingest.stats.refused, ingest.stats.line()
    p.close()
    return (n - 10) / dt


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reads", type=int, default=50_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--no-ledger", action="store_true", help="leave out the ledger entry per batch")
    ap.add_argument("--wire", action="store_true", help="edge messages (sealed, signed) through central ingest")
    ap.add_argument("--serial", action="store_true", help="seal and insert one after the other (no overlap)")
    a = ap.parse_args()
    print_header()
    print("edge messages: parse + verify + open + checks + " if a.wire else "", end="")
    print(f"encryption + blind index{'' if a.no_ledger else ' + ledger'}{' + hotlist check' if a.wire else ''}")

    def once(url: str, folder: Path) -> float:
        return run_wire(url, folder, a.reads, a.batch) if a.wire else \
            run(url, folder, a.reads, a.batch, not a.no_ledger, a.serial)

    def report(name: str, url: str, folder: Path) -> None:
        before = insert_ceiling(url, folder, a.reads, a.batch, day=3)
        rate = once(url, folder)
        after = insert_ceiling(url, folder, a.reads, a.batch, day=4)
        ceiling = (before + after) / 2  # before and after: the database's background work falls on both sides
        print(f"{name:<11} {rate:10,.0f} reads/s  ({a.reads:,} reads, batches of {a.batch}); insert alone "
              f"{before:,.0f} / {after:,.0f} rows/s before / after: {rate / ceiling:.2f} of their mean")

    with tempfile.TemporaryDirectory() as tmp:
        report("SQLite", f"sqlite:///{tmp}/bench.db", Path(tmp))
    try:
        with temporary_database(a.postgres) as pg_url, tempfile.TemporaryDirectory() as tmp:
            report("PostgreSQL", pg_url, Path(tmp))
    except Exception as exc:  # PostgreSQL absent: say so
        print(f"PostgreSQL  skipped: {exc}")

if __name__ == "__main__":
    main()
