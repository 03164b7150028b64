"""ledger_nodes: the hash of every perfect subtree of the ledger's Merkle tree, so that inclusion and consistency
proofs and tlog-tiles read O(log n) hashes instead of every leaf

Revision ID: 0017
Revises: 0016

Filled for the existing ledger from its leaf hashes, in order (one pass); append-only like the other ledger tables.
A wrong node cannot make a false proof pass: every proof is checked against a signed root, and ``ledger verify``
recomputes the tree from the entries.
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    nodes = op.create_table(
        'ledger_nodes',
        sa.Column('level', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('idx', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('hash', sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint('level', 'idx', name=op.f('pk_ledger_nodes')))
    bind = op.get_bind()
    from platewarden.ledger.merkle import CompactTree

    tree, batch = CompactTree(), []
    for (leaf,) in bind.execute(sa.text("SELECT leaf_hash FROM ledger_entries ORDER BY seq")):
        batch += [{"level": lv, "idx": ix, "hash": h} for lv, ix, h in tree.append(bytes(leaf))]
        if len(batch) >= 10_000:
            op.bulk_insert(nodes, batch)
            batch = []
    if batch:
        op.bulk_insert(nodes, batch)
    if bind.dialect.name == 'postgresql':
        op.execute("CREATE TRIGGER ledger_nodes_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ledger_nodes "
                   "FOR EACH STATEMENT EXECUTE FUNCTION platewarden_append_only()")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER ledger_nodes_no_{action.lower()} BEFORE {action} ON ledger_nodes "
                       f"BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: {action} on ledger_nodes refused'); END")


def downgrade() -> None:
    op.drop_table('ledger_nodes')
