"""Alembic environment: run against the connection handed over by ``platewarden.store.database``."""

from __future__ import annotations

from alembic import context

from platewarden.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # alembic CLI: use the URL from the config
    from sqlalchemy import create_engine

    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
