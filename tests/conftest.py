"""Shared fixtures: real databases (SQLite file and PostgreSQL on 127.0.0.1), an injected clock, a platform."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from platewarden.config import Settings
from platewarden.domain.clock import ManualClock
from platewarden.runtime import Platform

PG_HOST = os.environ.get("PLATEWARDEN_TEST_PG_HOST", "127.0.0.1")
PG_ADMIN_URL = f"postgresql://postgres@{PG_HOST}:5432/postgres"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 2, 8, 0, tzinfo=UTC))


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    if not reachable(PG_HOST, 5432):
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    import psycopg

    name = f"pw_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL.replace("postgresql://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@{PG_HOST}:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every test that takes this runs on both stores."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'platewarden.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def platform(db_url: str, tmp_path: Path, clock: ManualClock) -> Iterator[Platform]:
    # no map tiles: the tests stay offline (tests/web/test_maps.py serves its own)
    settings = Settings(data_dir=tmp_path / "data", database_url=db_url, map_tiles="")
    p = Platform.open(settings, clock=clock, notify=False)
    try:
        yield p
    finally:
        p.close()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA
