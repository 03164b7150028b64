"""Database unreachable: reads are sealed, spooled, retried, and never lost or duplicated."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

from platewarden.config import Settings
from platewarden.domain.clock import ManualClock
from platewarden.pipeline.writer import BufferedReadWriter
from platewarden.runtime import Platform
from tests.conftest import PG_ADMIN_URL
from tests.factories import make_read


def _set_connections(db: str, allowed: bool) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{db}" ALLOW_CONNECTIONS {"true" if allowed else "false"}')
        if not allowed:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (db,))


def test_outage_spools_then_recovers(pg_url: str, tmp_path: Path, clock: ManualClock) -> None:
    db = pg_url.rsplit("/", 1)[1]
    p = Platform.open(Settings(data_dir=tmp_path, database_url=pg_url), clock=clock, notify=False)
    t = [0.0]
    writer = BufferedReadWriter(p.reads, tmp_path / "spool.jsonl", retry_seconds=1.0, monotonic=lambda: t[0])
    first = [make_read(f"UP{i:04d}", clock.now() + timedelta(seconds=i), n=i) for i in range(3)]
    assert writer.write(first) == first
    _set_connections(db, False)
    try:
        during = [make_read(f"DN{i:04d}", clock.now() + timedelta(seconds=10 + i), n=10 + i) for i in range(5)]
        assert writer.write(during[:2]) == []
        assert writer.write(during[2:]) == []  # still backing off: straight to the spool
        assert writer.pending == 5 and writer.last_error
        spool = (tmp_path / "spool.jsonl").read_bytes()
        assert b"DN0001" not in spool  # sealed before it touched the disk
        t[0] += 100
        assert writer.retry() == []  # still down
    finally:
        _set_connections(db, True)
    t[0] += 1000
    stored = writer.retry()
    assert [r.text for r in stored] == [r.text for r in during]
    assert writer.pending == 0
    assert p.reads.count() == 8
    assert writer.retry(force=True) == []
    p.close()


def test_retry_is_idempotent(platform: Platform, clock: ManualClock, tmp_path: Path) -> None:
    """A spool replayed twice (e.g. after a crash between insert and unlink) adds nothing the second time."""
    writer = BufferedReadWriter(platform.reads, tmp_path / "spool.jsonl")
    reads = [make_read(f"ID{i}", clock.now(), n=i) for i in range(4)]
    rows = platform.reads.seal_rows(reads)
    assert platform.reads.insert_rows(rows, [r.camera_id for r in reads]) == 4
    writer._append(rows, [r.camera_id for r in reads])  # the same rows again, as if replayed
    writer.retry(force=True)
    assert platform.reads.count() == 4


@pytest.mark.parametrize("bad", ["", "not json\n"])
def test_corrupt_spool_line_is_an_error_not_silent_loss(tmp_path: Path, platform: Platform, bad: str) -> None:
    writer = BufferedReadWriter(platform.reads, tmp_path / "spool.jsonl")
    (tmp_path / "spool.jsonl").write_text(bad)
    if bad.strip():
        with pytest.raises(ValueError):
            writer.retry(force=True)
        assert (tmp_path / "spool.jsonl").exists()  # kept for a person to look at
    else:
        assert writer.retry(force=True) == []
