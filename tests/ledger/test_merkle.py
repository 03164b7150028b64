"""RFC 6962 hashing and proofs against the published vectors, their corruption probes, and generated trees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from platewarden.ledger.merkle import (
    EMPTY_ROOT,
    CompactTree,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)

V = json.loads((Path(__file__).parents[1] / "data" / "rfc6962_vectors.json").read_text())
LEAVES = [bytes.fromhex(x) for x in V["leaves"]]
ROOTS = [bytes.fromhex(x) for x in V["roots"]]
HASHES = [leaf_hash(x) for x in LEAVES]
SOME = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


def test_leaf_hashes_and_roots() -> None:
    assert [h.hex() for h in HASHES] == V["leaf_hashes"]
    for size, root in enumerate(ROOTS):
        assert root_of(HASHES[:size]) == root
        t = CompactTree()
        for h in HASHES[:size]:
            t.append(h)
        assert t.root() == root
    assert ROOTS[8].hex().startswith("5dc9da79") and ROOTS[0] == EMPTY_ROOT


@pytest.mark.parametrize("vec", V["inclusion"])
def test_inclusion_vectors_and_probes(vec: dict) -> None:  # type: ignore[type-arg]
    idx, size = vec["leaf"] - 1, vec["size"]
    proof = [bytes.fromhex(p) for p in vec["proof"]]
    assert inclusion_proof(idx, HASHES[:size]) == proof
    root, leaf = ROOTS[size], HASHES[idx]
    verify_inclusion(idx, size, leaf, proof, root)
    probes = [
        (idx - 1, size, leaf, proof, root), (idx + 1, size, leaf, proof, root), (idx ^ 2, size, leaf, proof, root),
        (idx, size * 2, leaf, proof, root), (idx, size // 2, leaf, proof, root),
        (idx, size, b"WrongLeaf", proof, root), (idx, size, leaf, proof, EMPTY_ROOT), (idx, size, leaf, proof, SOME),
        (idx, size, leaf, [*proof, b""], root), (idx, size, leaf, [*proof, root], root),
        (idx, size, leaf, [b"", *proof], root), (idx, size, leaf, [root, *proof], root),
    ]
    for i in range(len(proof)):
        bad = list(proof)
        bad[i] = bytes([bad[i][0] ^ 8]) + bad[i][1:]
        probes.append((idx, size, leaf, bad, root))
    if proof:
        probes.append((idx, size, leaf, proof[:-1], root))
    if len(proof) > 1:
        probes.append((idx, size, leaf, [proof[0], SOME, *proof[1:]], root))
    for p in probes:
        if p[0] < 0:
            continue
        with pytest.raises(ProofError):
            verify_inclusion(*p)


@pytest.mark.parametrize("vec", V["consistency"])
def test_consistency_vectors_and_probes(vec: dict) -> None:  # type: ignore[type-arg]
    s1, s2 = vec["size1"], vec["size2"]
    proof = [bytes.fromhex(p) for p in vec["proof"]]
    assert consistency_proof(s1, HASHES[:s2]) == proof
    r1, r2 = ROOTS[s1], ROOTS[s2]
    verify_consistency(s1, s2, r1, r2, proof)
    if not proof:
        return
    probes = [
        (s1 - 1, s2, r1, r2, proof), (s1 + 1, s2, r1, r2, proof), (s1 ^ 2, s2, r1, r2, proof),
        (s1, s2 * 2, r1, r2, proof), (s1, s2 // 2, r1, r2, proof), (s1, s2, b"WrongRoot", r2, proof),
        (s1, s2, r1, b"WrongRoot", proof), (s1, s2, r2, r1, proof), (s1, s2, r1, r2, []),
        (s1, s2, r1, r2, [*proof, b""]), (s1, s2, r1, r2, [*proof, r1]), (s1, s2, r1, r2, [*proof, r2]),
        (s1, s2, r1, r2, [b"", *proof]), (s1, s2, r1, r2, [r1, *proof]), (s1, s2, r1, r2, [r2, *proof]),
        (s1, s2, r1, r2, [proof[0], *proof]), (s1, s2, r1, r2, proof[:-1]),
    ]
    for i in range(len(proof)):
        bad = list(proof)
        bad[i] = bytes([bad[i][0] ^ 16]) + bad[i][1:]
        probes.append((s1, s2, r1, r2, bad))
    for p in probes:
        with pytest.raises(ProofError):
            verify_consistency(*p)


def test_edge_cases() -> None:
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    verify_consistency(0, 5, EMPTY_ROOT, ROOTS[5], [])
    for args in [(1, 0, ROOTS[1], ROOTS[0], []), (1, 2, ROOTS[1], ROOTS[2], []),
                 (1, 1, ROOTS[1], ROOTS[2], []), (1, 1, ROOTS[1], ROOTS[1], [EMPTY_ROOT])]:
        with pytest.raises(ProofError):
            verify_consistency(*args)
    with pytest.raises(ProofError):
        inclusion_proof(3, HASHES[:3])


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 70), st.data())
def test_generated_trees(n: int, data: st.DataObject) -> None:
    hashes = [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]
    root = root_of(hashes)
    i = data.draw(st.integers(0, n - 1))
    verify_inclusion(i, n, hashes[i], inclusion_proof(i, hashes), root)
    m = data.draw(st.integers(0, n))
    verify_consistency(m, n, root_of(hashes[:m]), root, consistency_proof(m, hashes))
