"""read_rates: reads stored per camera per minute, for the last day only, so that a dispatcher's home shows each
camera's rate and when it last read (a camera that went quiet) without decrypting a read

Revision ID: 0018
Revises: 0017

Counts only, like ``read_counts``; but a minute's count can single out one passing car, so the retention run
deletes rows older than a day.
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'read_rates',
        sa.Column('minute', sa.DateTime(timezone=True), nullable=False),
        sa.Column('camera_id', sa.String(length=64), nullable=False),
        sa.Column('reads', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('minute', 'camera_id', name=op.f('pk_read_rates')))


def downgrade() -> None:
    op.drop_table('read_rates')
