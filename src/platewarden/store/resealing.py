"""Writing seals: after a governed row is inserted or changed, inside the same transaction, its seal is computed from
the row as the database now holds it (so the writer and every later reader canonicalise the same values)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, select, update

from platewarden.store.seals import RecordSeal, row_seal


def reseal(conn: Connection, seal: RecordSeal, table: Table, *where: Any) -> int:
    """Seal every row of ``table`` matching ``where`` (its primary key, usually). Returns how many."""
    pk = list(table.primary_key.columns)
    rows = list(conn.execute(select(table).where(*where)))
    for r in rows:
        conn.execute(update(table).where(*(c == r._mapping[c.name] for c in pk))
                     .values(seal=row_seal(seal, table.name, r)))
    return len(rows)
