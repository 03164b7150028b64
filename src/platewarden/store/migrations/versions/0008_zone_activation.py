"""zones: when a zone became active

Revision ID: 0008
Revises: 0007

A zone counts sightings only from the moment its last approval made it active (``activated_at``), never reads
from before it was approved. Zones already active keep NULL and are treated as active since their request.
"""
import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('zones', schema=None) as batch_op:
        batch_op.add_column(sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('zones', schema=None) as batch_op:
        batch_op.drop_column('activated_at')
