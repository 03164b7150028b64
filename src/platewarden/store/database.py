"""Open the database and bring its schema up to date with Alembic.

SQLite by default (WAL, foreign keys on), PostgreSQL when the URL says so (``PLATEWARDEN_DATABASE_URL``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event

MIGRATIONS = Path(__file__).parent / "migrations"


class DatabaseError(RuntimeError):
    pass


SQLITE_PAGE_SIZE = 32768  # bytes, for a new database file (an existing one keeps its own)
WAL_CHECKPOINT_BYTES = 64 * 1024 * 1024


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # Before anything is written: a read is ~10 KB (two sealed crops), which on SQLite's default 4 KiB pages spills
    # into a chain of overflow pages; on 32 KiB pages three reads share a page and the insert runs ~1.3x as fast
    # (bench/ingest.py). Only a file that holds no table yet takes it; WAL mode fixes the size after that.
    cur.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten, not left in free pages
    cur.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache
    cur.execute("PRAGMA temp_store=MEMORY")
    # 64 MiB, counted in pages of this file's size: a batch of reads is ~10 MB; checkpointing every 4 MB (the
    # default) copied each batch into the database at its commit (bench/ingest.py: 7.5k -> 8.3k reads/s)
    page_size = cur.execute("PRAGMA page_size").fetchone()[0]
    cur.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_BYTES // int(page_size)}")
    cur.close()


def make_engine(url: str, pool_size: int = 5, max_overflow: int = 10) -> Engine:
    """An engine with a connection pool: on PostgreSQL ``pool_size`` connections stay open (plus ``max_overflow``
    under bursts), are checked before use (a restarted server is survived) and recycled after 30 minutes (a
    firewall or pooler that drops idle connections is survived); a caller waits at most 30 s for a free one."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("postgresql"):
        engine = create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow,
                               pool_recycle=1800, pool_timeout=30, pool_use_lifo=True)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade(engine: Engine) -> None:
    """Apply every migration not yet applied (idempotent)."""
    cfg = alembic_config(engine)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except Exception as exc:  # connection refused, permissions, ...
        raise DatabaseError(f"cannot prepare the database at {engine.url.render_as_string()}: {exc}") from exc


def open_database(url: str, pool_size: int = 5, max_overflow: int = 10) -> Engine:
    engine = make_engine(url, pool_size, max_overflow)
    upgrade(engine)
    return engine
