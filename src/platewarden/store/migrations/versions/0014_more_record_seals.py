"""seals on hotlist entries, the camera registry, camera keys, holds and the reads they keep, zones, sharing
agreements and alert webhooks; webhooks become governed outlets

Revision ID: 0014
Revises: 0013

What makes an alert (an active hotlist entry), what lets reads in (an approved camera, a camera's signing key) and
what keeps reads past the retention limit (a hold, and each read it names) now carry the same seal as search
requests and accounts (store/seals.py): a row a database writer adds or changes is treated as absent and named by
``platewarden audit reconcile``. Rows from before this revision carry no seal and are treated the same way: an
upgraded database re-imports its cameras (``camera import``), re-registers their keys, and re-enters its hotlist
and holds through the usual approvals. Alert webhooks become outlets proposed and approved along
``approvals.notification_outlet`` (who, for what, who approved): existing webhooks are marked ``legacy`` and receive
nothing until proposed again. A hold is requested by one person and approved by another (``approved_by`` is empty
until then, and a hold keeps nothing meanwhile).
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

TABLES = ('hotlist_entries', 'cameras', 'camera_keys', 'holds', 'held_reads', 'zones', 'sharing_agreements',
          'webhooks')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('seal', sa.LargeBinary(length=32), nullable=True))
    with op.batch_alter_table('webhooks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('proposed_by', sa.String(length=36), server_default='', nullable=False))
        batch_op.add_column(sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('approved_by', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='legacy', nullable=False))
    with op.batch_alter_table('holds', schema=None) as batch_op:  # a hold is requested, then approved by another
        batch_op.alter_column('approved_by', existing_type=sa.String(length=36), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('webhooks', schema=None) as batch_op:
        for column in ('status', 'approved_by', 'proposed_at', 'proposed_by', 'purpose'):
            batch_op.drop_column(column)
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('seal')
