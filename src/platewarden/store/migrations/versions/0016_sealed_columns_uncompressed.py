"""sealed read columns stored without compression on PostgreSQL

Revision ID: 0016
Revises: 0015

Ciphertext does not compress: PostgreSQL's TOAST tried anyway for every payload and crop over 2 KB, which cost about
a fifth of ingest (bench/ingest.py, issue 25). EXTERNAL keeps them out of line, uncompressed. On the partitioned
table the setting reaches every partition, present and future (a partition created with PARTITION OF takes it).
Existing rows are left as they are (the setting applies to new values).
"""
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

SEALED = ('payload', 'plate_crop', 'vehicle_crop')


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for column in SEALED:
            op.execute(f'ALTER TABLE reads ALTER COLUMN {column} SET STORAGE EXTERNAL')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for column in SEALED:
            op.execute(f'ALTER TABLE reads ALTER COLUMN {column} SET STORAGE EXTENDED')
