"""single sign-on: accounts linked to an OpenID Connect provider's subject

Revision ID: 0013
Revises: 0012

An account that signs in through the agency's identity provider is found by (issuer, subject), never by a username
the provider asserts (a provider's username can be reassigned; its subject cannot). Links are sealed like accounts:
a link written into the database by hand links nothing.
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sso_links',
        sa.Column('issuer', sa.String(length=300), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('seal', sa.LargeBinary(length=32), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sso_links_user_id_users')),
        sa.PrimaryKeyConstraint('issuer', 'subject', name=op.f('pk_sso_links')),
        sa.UniqueConstraint('user_id', name=op.f('uq_sso_links_user_id')),
    )


def downgrade() -> None:
    op.drop_table('sso_links')
