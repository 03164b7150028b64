"""cameras and camera proposals: the reader's jurisdiction hint per camera

Revision ID: 0007
Revises: 0006

A camera may say where its plates come from (``us-ca``, ``us-ca:0.7,us-nv:0.3``), overriding the policy's
``recognition.jurisdictions`` for the reader; NULL keeps the policy's. Proposed with the camera, carried into the
registry on approval, ledgered with the proposal or import.
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('cameras', 'camera_proposals'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('jurisdictions', sa.String(length=300), nullable=True))


def downgrade() -> None:
    for table in ('cameras', 'camera_proposals'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('jurisdictions')
