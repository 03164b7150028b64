"""seals on governed rows (search requests, approval steps, accounts, API tokens, sessions); alerts of destroyed
days keep no hotlist entry; accounts record who created them and who approved their roles

Revision ID: 0012
Revises: 0011

Each governed row carries an HMAC-SHA-256 of what it means under a key derived from the master key (store/seals.py),
so rows written by anyone without that key (a database writer) are treated as absent and named by
``platewarden audit reconcile``. Rows written before this revision have no seal and are refused in the same way:
a database upgraded from an earlier version re-applies for its searches and re-creates its sessions and tokens.
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

TABLES = ('search_requests', 'approval_steps', 'users', 'api_tokens', 'sessions')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('seal', sa.LargeBinary(length=32), nullable=True))
    with op.batch_alter_table('alerts', schema=None) as batch_op:  # retention blanks it with the day
        batch_op.alter_column('entry_id', existing_type=sa.String(length=36), nullable=True)
    with op.batch_alter_table('users', schema=None) as batch_op:  # role grants need a second person
        batch_op.add_column(sa.Column('created_by', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('grant_approved_by', sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('grant_approved_by')
        batch_op.drop_column('created_by')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.alter_column('entry_id', existing_type=sa.String(length=36), nullable=False)
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('seal')
