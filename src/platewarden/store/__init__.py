"""Persistence: SQLAlchemy 2 on SQLite (default) or PostgreSQL, Alembic migrations, envelope encryption.

Only the governance layer and the ingest pipeline talk to this package; nothing here decides who may see what.
"""
