"""Proofs from stored nodes (issue 25): the ledger keeps the hash of every perfect subtree as it grows, so an
inclusion or consistency proof and a tile of any level read O(log n) hashes, not every leaf; the proofs are the very
ones RFC 6962 defines (compared with the leaf-list reference for every size up to 300), a ledger written before the
table existed gets its nodes from the migration, and a node changed in the database makes proofs fail, never pass."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from platewarden.config import Settings
from platewarden.domain.clock import ManualClock
from platewarden.ledger.entries import Event, EventKind, digest
from platewarden.ledger.merkle import (
    CompactTree,
    ProofError,
    consistency_path,
    consistency_proof,
    inclusion_path,
    inclusion_proof,
    leaf_hash,
    nodes_needed,
    root_of,
    verify_consistency,
    verify_inclusion,
)
from platewarden.runtime import Platform
from platewarden.store.database import alembic_config, make_engine
from platewarden.store.schema import ledger_nodes

LEAVES = [leaf_hash(bytes([i % 256, i // 256])) for i in range(300)]


def stored_nodes(n: int) -> dict[tuple[int, int], bytes]:
    tree, nodes = CompactTree(), {(0, i): h for i, h in enumerate(LEAVES[:n])}
    for h in LEAVES[:n]:
        nodes |= {(lv, ix): nh for lv, ix, nh in tree.append(h)}
    return nodes


def test_every_proof_from_nodes_is_the_rfc_6962_proof() -> None:
    for n in range(1, 301):
        nodes = stored_nodes(n)
        assert len(nodes) - n == n - bin(n).count("1")  # one node per completed perfect subtree
        source = lambda lv, ix, nodes=nodes: nodes[(lv, ix)]  # noqa: E731
        for i in {0, n // 3, n // 2, n - 1}:
            assert inclusion_path(i, n, source) == inclusion_proof(i, LEAVES[:n])
        for m in {0, 1, n // 2, n - 1, n}:
            assert consistency_path(m, n, source) == consistency_proof(m, LEAVES[:n])


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1), st.integers(0, n))))
def test_proofs_read_logarithmically_many_nodes(case: tuple[int, int, int]) -> None:
    n, i, m = case
    bound = 2 * math.ceil(math.log2(n)) + 2 if n > 1 else 1
    assert len(nodes_needed(lambda node: inclusion_path(i, n, node))) <= bound
    assert len(nodes_needed(lambda node: consistency_path(m, n, node))) <= bound


def ev(clock: ManualClock, i: int) -> Event:
    return Event(EventKind.SEARCH, clock.now() + timedelta(seconds=i), "sgt.jones",
                 {"case": "2026-0042", "results_digest": digest(str(i)), "count": i})


def test_the_ledger_proves_from_its_nodes_and_a_changed_node_fails(platform: Platform, clock: ManualClock) -> None:
    lg = platform.ledger
    for start in range(0, 700, 100):
        lg.append([ev(clock, start + i) for i in range(100)])
    cp = lg.checkpoint()
    size = int(cp.text.split("\n")[1])
    with platform.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ledger_nodes)).scalar_one() == size - bin(size).count("1")
    root = root_of([leaf_hash(e) for e in lg.entries()])
    for seq in (0, 255, 256, 511, size - 1):
        proof = lg.prove(seq)
        verify_inclusion(seq, proof.size, proof.leaf_hash, proof.proof, root)
    old = 300
    verify_consistency(old, size, root_of([leaf_hash(e) for e in lg.entries(0, old)]), root,
                       lg.consistency(old, size))
    level1 = lg.tile("tile/1/000.p/2")  # two blocks of 256 leaves: stored nodes of level 8
    assert level1 == b"".join(root_of([leaf_hash(e) for e in lg.entries(k * 256, (k + 1) * 256)]) for k in range(2))
    if platform.engine.dialect.name == "sqlite":  # a writer who drops the trigger and changes one node
        with platform.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER ledger_nodes_no_update"))
            conn.execute(text("UPDATE ledger_nodes SET hash = :h WHERE level = 9 AND idx = 0"), {"h": bytes(32)})
        proof = lg.prove(600)
        with pytest.raises(ProofError):
            verify_inclusion(600, proof.size, proof.leaf_hash, proof.proof, root)


def test_the_migration_fills_the_nodes_of_an_existing_ledger(tmp_path: Path, clock: ManualClock) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    engine = make_engine(url)
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0016")
    tree, leaves = CompactTree(), []
    with engine.begin() as conn:  # a ledger as a version without ledger_nodes wrote it
        prev = bytes(32)
        for seq in range(37):
            data = f'{{"seq":{seq},"prev":"{prev.hex()}"}}'.encode()
            h = leaf_hash(data)
            tree.append(h)
            leaves.append(h)
            conn.execute(text("INSERT INTO ledger_entries (seq, kind, at, leaf_hash, entry) VALUES "
                              "(:s, 'search', :at, :h, :e)"), {"s": seq, "at": clock.now(), "h": h, "e": data})
            prev = h
    engine.dispose()
    (tmp_path / "old.db").chmod(0o600)
    p = Platform.open(Settings(data_dir=tmp_path / "data", database_url=url), clock=clock, notify=False)
    try:
        with p.engine.connect() as conn:
            got = {(r.level, r.idx): bytes(r.hash) for r in conn.execute(select(ledger_nodes))}
        expected = {k: v for k, v in stored_nodes_of(leaves).items() if k[0] > 0}
        assert got == expected and len(got) == 37 - bin(37).count("1")
    finally:
        p.close()


def stored_nodes_of(leaves: list[bytes]) -> dict[tuple[int, int], bytes]:
    tree, nodes = CompactTree(), {}
    for h in leaves:
        nodes |= {(lv, ix): nh for lv, ix, nh in tree.append(h)}
    return nodes
