"""Dialect-specific INSERT (for ON CONFLICT clauses), chosen by the engine."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Table
from sqlalchemy.dialects import postgresql, sqlite


def conflict_insert(engine: Engine, table: Table) -> Any:
    """An INSERT that supports ``on_conflict_do_nothing`` / ``on_conflict_do_update`` on SQLite and PostgreSQL."""
    return (postgresql if engine.dialect.name == "postgresql" else sqlite).insert(table)
