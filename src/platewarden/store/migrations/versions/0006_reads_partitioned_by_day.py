"""reads: purge_day; on PostgreSQL partitioned by day, with a blind-index search index

Revision ID: 0006
Revises: 0005

Every read gets ``purge_day``: its own day, or 9999-12-31 once a case holds it. On PostgreSQL ``reads`` becomes a
table partitioned by RANGE (purge_day): one partition per day, created on demand (store/partitions.py), and
``reads_held`` for the reads cases keep, so that retention drops a day's partition instead of deleting its rows.
The search index is (plate_index, first_seen) in every partition: a blind-index lookup inside a time window.
SQLite keeps its plain table and only gains the column.
"""
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

HELD = "9999-12-31"
COLUMNS = ("id, day, first_seen, plate_index, payload, plate_crop, vehicle_crop, key_scope, row_digest, batch_seq, "
           "batch_pos, batch_proof")
PURGE_DAY = f"CASE WHEN key_scope LIKE 'day:%' THEN day ELSE DATE '{HELD}' END"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        with op.batch_alter_table('reads', schema=None) as batch_op:
            batch_op.add_column(sa.Column('purge_day', sa.Date(), nullable=True))
        op.execute(f"UPDATE reads SET purge_day = CASE WHEN key_scope LIKE 'day:%' THEN day ELSE '{HELD}' END")
        with op.batch_alter_table('reads', schema=None) as batch_op:
            batch_op.alter_column('purge_day', existing_type=sa.Date(), nullable=False)
        return
    op.execute("ALTER TABLE reads RENAME TO reads_unpartitioned")
    op.execute("ALTER TABLE reads_unpartitioned RENAME CONSTRAINT pk_reads TO pk_reads_unpartitioned")
    op.execute("ALTER INDEX ix_reads_day_index RENAME TO ix_reads_unpartitioned_day_index")
    op.execute("""
        CREATE TABLE reads (
            id VARCHAR(36) NOT NULL,
            day DATE NOT NULL,
            first_seen TIMESTAMP WITH TIME ZONE NOT NULL,
            plate_index BYTEA NOT NULL,
            payload BYTEA NOT NULL,
            plate_crop BYTEA NOT NULL,
            vehicle_crop BYTEA,
            key_scope VARCHAR(80) NOT NULL,
            row_digest BYTEA NOT NULL,
            batch_seq INTEGER,
            batch_pos INTEGER,
            batch_proof BYTEA,
            purge_day DATE NOT NULL,
            CONSTRAINT pk_reads PRIMARY KEY (id, purge_day)
        ) PARTITION BY RANGE (purge_day)""")
    op.execute("CREATE INDEX ix_reads_plate_time ON reads (plate_index, first_seen)")
    op.execute(f"CREATE TABLE reads_held PARTITION OF reads FOR VALUES FROM ('{HELD}') TO (MAXVALUE)")
    op.execute("CREATE INDEX ix_reads_held_key_scope ON reads_held (key_scope)")
    days = op.get_bind().execute(sa.text(
        "SELECT DISTINCT day FROM reads_unpartitioned WHERE key_scope LIKE 'day:%'")).scalars().all()
    for day in sorted(days):
        assert isinstance(day, date)
        op.execute(f"CREATE TABLE reads_d{day:%Y%m%d} PARTITION OF reads FOR VALUES FROM ('{day.isoformat()}') "
                   f"TO ('{(day + timedelta(days=1)).isoformat()}')")
    op.execute(f"INSERT INTO reads ({COLUMNS}, purge_day) SELECT {COLUMNS}, {PURGE_DAY} FROM reads_unpartitioned")
    op.execute("DROP TABLE reads_unpartitioned")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        with op.batch_alter_table('reads', schema=None) as batch_op:
            batch_op.drop_column('purge_day')
        return
    op.execute("ALTER TABLE reads RENAME TO reads_partitioned")
    op.execute("ALTER TABLE reads_partitioned RENAME CONSTRAINT pk_reads TO pk_reads_partitioned")
    op.execute(f"CREATE TABLE reads AS SELECT {COLUMNS} FROM reads_partitioned")
    for col in ("id", "day", "first_seen", "plate_index", "payload", "plate_crop", "key_scope", "row_digest"):
        op.execute(f"ALTER TABLE reads ALTER COLUMN {col} SET NOT NULL")
    op.execute("ALTER TABLE reads ADD CONSTRAINT pk_reads PRIMARY KEY (id)")
    op.execute("CREATE INDEX ix_reads_day_index ON reads (day, plate_index)")
    op.execute("DROP TABLE reads_partitioned")
