"""edge identity: camera signing keys, the key a proposal registers, and the quarantine of refused messages

Revision ID: 0010
Revises: 0009

An edge camera signs every read with its own Ed25519 key. The public half is proposed with the camera (or given
with an import, or a rotation) and registered when it is approved; rotation retires the previous key (reads it
signed before stay acceptable), revocation refuses everything it signed. Refused messages are quarantined by
digest, camera and reason only: never their content.
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('camera_proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edge_key', sa.String(length=100), nullable=True))
    op.create_table(
        'camera_keys',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('camera_id', sa.String(length=64), nullable=False),
        sa.Column('public_key', sa.String(length=100), nullable=False),
        sa.Column('fingerprint', sa.String(length=16), nullable=False),
        sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('registered_via', sa.String(length=200), nullable=False),
        sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_camera_keys')),
        sa.UniqueConstraint('public_key', name=op.f('uq_camera_keys_public_key')),
    )
    op.create_index(op.f('ix_camera_keys_camera_id'), 'camera_keys', ['camera_id'], unique=False)
    op.create_table(
        'quarantined_messages',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('camera_id', sa.String(length=64), nullable=False),
        sa.Column('reason', sa.String(length=32), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quarantined_messages')),
    )


def downgrade() -> None:
    op.drop_table('quarantined_messages')
    op.drop_index(op.f('ix_camera_keys_camera_id'), table_name='camera_keys')
    op.drop_table('camera_keys')
    with op.batch_alter_table('camera_proposals', schema=None) as batch_op:
        batch_op.drop_column('edge_key')
