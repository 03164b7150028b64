"""received_shares: what partners shared with us, kept sealed until its delete-by date

Revision ID: 0009
Revises: 0008

A received package is stored (reads sealed under a key derived from the master key) with the delete-by date the
agreement allows; retention deletes it on that date and ledgers the deletion. One receipt per package and per
sender ledger entry: the same package received twice is refused.
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'received_shares',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('agreement_id', sa.String(length=36), nullable=False),
        sa.Column('sender_entry', sa.Integer(), nullable=False),
        sa.Column('package_digest', sa.String(length=64), nullable=False),
        sa.Column('case_number', sa.String(length=200), nullable=False),
        sa.Column('received_by', sa.String(length=36), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('delete_by', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reads_count', sa.Integer(), nullable=False),
        sa.Column('payload', sa.LargeBinary(), nullable=True),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['agreement_id'], ['sharing_agreements.id'],
                                name=op.f('fk_received_shares_agreement_id_sharing_agreements')),
        sa.ForeignKeyConstraint(['received_by'], ['users.id'], name=op.f('fk_received_shares_received_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_received_shares')),
        sa.UniqueConstraint('package_digest', name=op.f('uq_received_shares_package_digest')),
        sa.UniqueConstraint('agreement_id', 'sender_entry', name='uq_received_shares_sender_entry'),
    )


def downgrade() -> None:
    op.drop_table('received_shares')
