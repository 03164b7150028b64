"""The embedded SQLite file: the page size a new database gets, and the checkpoint threshold either way."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from platewarden.store.database import SQLITE_PAGE_SIZE, WAL_CHECKPOINT_BYTES, open_database


def _pragma(engine_url: str, name: str) -> int:
    engine = open_database(engine_url)
    try:
        with engine.connect() as conn:
            return int(conn.exec_driver_sql(f"PRAGMA {name}").scalar_one())
    finally:
        engine.dispose()


def test_a_new_database_gets_large_pages_and_a_64_mib_checkpoint(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert _pragma(url, "page_size") == SQLITE_PAGE_SIZE
    assert _pragma(url, "wal_autocheckpoint") * SQLITE_PAGE_SIZE == WAL_CHECKPOINT_BYTES


def test_an_existing_database_keeps_its_pages_and_its_data(tmp_path: Path) -> None:
    """A database made before (4 KiB pages, WAL) is opened as it is: its rows stay, its page size too, and the
    checkpoint threshold is still 64 MiB in its own pages."""
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.execute("PRAGMA page_size=4096")
    old.execute("PRAGMA journal_mode=WAL")
    old.execute("CREATE TABLE kept (v TEXT)")
    old.execute("INSERT INTO kept VALUES ('before')")
    old.commit()
    old.close()
    os.chmod(path, 0o600)
    url = f"sqlite:///{path}"
    assert _pragma(url, "page_size") == 4096
    assert _pragma(url, "wal_autocheckpoint") * 4096 == WAL_CHECKPOINT_BYTES
    check = sqlite3.connect(path)
    assert check.execute("SELECT v FROM kept").fetchall() == [("before",)]
    assert check.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    check.close()
