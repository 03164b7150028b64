"""Counting events per key and time window in the database, so that every process (several API workers, the CLI)
sees the same counts: failed sign-ins per address, complaints per address and in all. No third-party service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from platewarden.store.schema import rate_counts


def current(conn: Connection, scope: str, key: str, window_start: datetime) -> int:
    n = conn.execute(select(rate_counts.c.count).where(rate_counts.c.scope == scope, rate_counts.c.key_ref == key,
                                                       rate_counts.c.window_start == window_start)).scalar()
    return int(n or 0)


def add(conn: Connection, scope: str, key: str, window_start: datetime) -> None:
    where = (rate_counts.c.scope == scope, rate_counts.c.key_ref == key, rate_counts.c.window_start == window_start)
    if conn.execute(update(rate_counts).where(*where).values(count=rate_counts.c.count + 1)).rowcount:
        return
    try:
        with conn.begin_nested():
            conn.execute(insert(rate_counts).values(scope=scope, key_ref=key, window_start=window_start, count=1))
    except IntegrityError:  # another request for the same key won the insert
        conn.execute(update(rate_counts).where(*where).values(count=rate_counts.c.count + 1))
