"""indexes for the paths that looked reads up by something other than plate and day: a ledger batch's rows (evidence
export and retention rebuild a read's Merkle path from its batch) and, on PostgreSQL, the read's day (retention
verify counts ordinary reads past the limit by day, which is not the partition key)

Revision ID: 0015
Revises: 0014

Without them each evidence export and each ``retention verify`` read every partition (issue 25). On PostgreSQL the
indexes are created on the partitioned table and so on every partition, present and future; creating them locks the
table against writes while they build, so upgrade a large deployment in a maintenance window.
"""
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_reads_batch', 'reads', ['batch_seq', 'batch_pos'])
    if op.get_bind().dialect.name == 'postgresql':  # SQLite has ix_reads_day_index (day, plate_index) already
        op.create_index('ix_reads_day', 'reads', ['day'])


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_reads_day', table_name='reads')
    op.drop_index('ix_reads_batch', table_name='reads')
