"""The encrypted read store, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import select, update

from platewarden.domain.clock import ManualClock
from platewarden.runtime import Platform
from platewarden.store.master_key import MasterKeyError, load_or_create_master_key
from platewarden.store.schema import reads as reads_table
from tests.factories import CAMERA, make_read


def test_ingest_round_trip_and_idempotent(platform: Platform, clock: ManualClock) -> None:
    batch = [make_read(f"ABC{i:03d}", clock.now() + timedelta(seconds=i), n=i) for i in range(50)]
    assert platform.reads.ingest(batch) == 50
    assert platform.reads.ingest(batch) == 0  # a retry never duplicates
    assert platform.reads.count() == 50
    assert platform.reads.counts_by_camera() == {(clock.now().date(), CAMERA.id): 50}
    got = platform.reads.get(batch[7].id)
    assert got is not None
    assert got.text == "ABC007"
    assert got.plate_crop_jpeg == batch[7].plate_crop_jpeg
    assert got.vehicle_crop_jpeg == batch[7].vehicle_crop_jpeg
    assert (got.latitude, got.longitude, got.camera_id) == (CAMERA.latitude, CAMERA.longitude, CAMERA.id)


def test_blind_index_lookup_by_day(platform: Platform, clock: ManualClock) -> None:
    day1 = clock.now()
    day2 = day1 + timedelta(days=1)
    platform.reads.ingest([make_read("XYZ123", day1, n=1), make_read("XYZ123", day2, n=2),
                           make_read("XYZ124", day1, n=3)])
    assert len(platform.reads.find_by_plate("XYZ123", [day1.date(), day2.date()])) == 2
    assert len(platform.reads.find_by_plate("XYZ123", [day1.date()])) == 1
    assert platform.reads.find_by_plate("NOPE", [day1.date()]) == []


def test_blind_index_differs_per_day(platform: Platform, clock: ManualClock) -> None:
    """The same plate on two days has unrelated index values: days cannot be linked without the keys."""
    a, b = make_read("SAME01", clock.now(), n=1), make_read("SAME01", clock.now() + timedelta(days=1), n=2)
    platform.reads.ingest([a, b])
    with platform.engine.connect() as conn:
        idx = [r.plate_index for r in conn.execute(select(reads_table.c.plate_index))]
    assert idx[0] != idx[1]


def test_no_plaintext_plate_in_the_database(platform: Platform, clock: ManualClock, tmp_path: Path) -> None:
    plate = "QZ7PLAIN"
    platform.reads.ingest([make_read(plate, clock.now(), n=i) for i in range(5)])
    with platform.engine.connect() as conn:
        rows = list(conn.execute(select(reads_table)))
    for row in rows:
        for value in row:
            assert plate.encode() not in (value if isinstance(value, bytes) else str(value).encode())
    if platform.engine.dialect.name == "sqlite":
        platform.engine.dispose()
        for f in (tmp_path).rglob("platewarden.db*"):
            assert plate.encode() not in f.read_bytes()


def test_tampered_ciphertext_is_refused(platform: Platform, clock: ManualClock) -> None:
    r1, r2 = make_read("AAA111", clock.now(), n=1), make_read("BBB222", clock.now(), n=2)
    platform.reads.ingest([r1, r2])
    with platform.engine.begin() as conn:
        other = conn.execute(select(reads_table.c.payload).where(reads_table.c.id == r2.id)).scalar_one()
        conn.execute(update(reads_table).where(reads_table.c.id == r1.id).values(payload=other))
    with pytest.raises(InvalidTag):  # a ciphertext moved to another row does not decrypt
        platform.reads.get(r1.id)


def test_master_key_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "k" / "master.key"
    key = load_or_create_master_key(path, environ={})
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_master_key(path, environ={}) == key
    os.chmod(path, 0o644)
    with pytest.raises(MasterKeyError, match="readable by others"):
        load_or_create_master_key(path, environ={})


def test_master_key_from_environment(tmp_path: Path) -> None:
    key = os.urandom(32)
    env = {"PLATEWARDEN_MASTER_KEY": base64.b64encode(key).decode()}
    assert load_or_create_master_key(tmp_path / "unused", environ=env) == key
    assert not (tmp_path / "unused").exists()
    with pytest.raises(MasterKeyError, match="32 bytes"):
        load_or_create_master_key(tmp_path / "unused", environ={"PLATEWARDEN_MASTER_KEY": "c2hvcnQ="})
    with pytest.raises(MasterKeyError, match="base64"):
        load_or_create_master_key(tmp_path / "unused", environ={"PLATEWARDEN_MASTER_KEY": "***"})


def test_wrong_master_key_cannot_read(platform: Platform, clock: ManualClock, tmp_path: Path) -> None:
    from platewarden.store.keyring import KeyRing

    platform.reads.ingest([make_read("KEY123", clock.now())])
    other = KeyRing(platform.engine, os.urandom(32))
    with pytest.raises(InvalidTag):
        other.for_day(clock.now().date(), clock.now())


def test_database_unreachable_is_a_clear_error(tmp_path: Path, clock: ManualClock) -> None:
    from platewarden.config import Settings
    from platewarden.store.database import DatabaseError

    settings = Settings(data_dir=tmp_path, database_url="postgresql://postgres@127.0.0.1:1/nowhere")
    with pytest.raises(DatabaseError, match="cannot prepare the database"):
        Platform.open(settings, clock=clock, notify=False)
