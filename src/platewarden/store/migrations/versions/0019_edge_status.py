"""edge_status: each edge camera's last signed report of its outbox (reads waiting to be sent, sent and awaiting
the central's receipt), so that the central's home shows the backlog of cameras it cannot see into

Revision ID: 0019
Revises: 0018

Counts only; one row per camera, replaced by a newer report (an older one, replayed, changes nothing).
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'edge_status',
        sa.Column('camera_id', sa.String(length=64), nullable=False),
        sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('unsent', sa.Integer(), nullable=False),
        sa.Column('awaiting_receipt', sa.Integer(), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('camera_id', name=op.f('pk_edge_status')))


def downgrade() -> None:
    op.drop_table('edge_status')
