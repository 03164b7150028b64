"""RFC 6962 / RFC 9162 Merkle tree hashing, inclusion and consistency proofs, and their verification.

Leaf hash = SHA-256(0x00 || leaf), node hash = SHA-256(0x01 || left || right), empty tree = SHA-256(""). Proof
verification follows RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    pass


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(hashes: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes."""
    n = len(hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return hashes[0]
    k = _split(n)
    return node_hash(root_of(hashes[:k]), root_of(hashes[k:]))


def inclusion_proof(index: int, hashes: Sequence[bytes]) -> list[bytes]:
    """PATH(index, D[n]) for leaf ``index`` in the tree of ``hashes``."""
    n = len(hashes)
    if not 0 <= index < n:
        raise ProofError(f"leaf {index} is not in a tree of size {n}")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_proof(index, hashes[:k]), root_of(hashes[k:])]
    return [*inclusion_proof(index - k, hashes[k:]), root_of(hashes[:k])]


def consistency_proof(old_size: int, hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]): that the tree of the first ``old_size`` leaves is a prefix of the tree of ``hashes``."""
    n = len(hashes)
    if not 0 <= old_size <= n:
        raise ProofError(f"old size {old_size} is not within 0..{n}")
    if old_size in (0, n):
        return []
    return _subproof(old_size, hashes, True)


def _subproof(m: int, hashes: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if complete else [root_of(hashes)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, hashes[:k], complete), root_of(hashes[k:])]
    return [*_subproof(m - k, hashes[k:], False), root_of(hashes[:k])]


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    if index >= size or index < 0:
        raise ProofError(f"index {index} is beyond tree size {size}")
    if len(leaf) != HASH_SIZE or any(len(p) != HASH_SIZE for p in proof):
        raise ProofError("wrong hash size")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("proof is too short")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Raises ProofError unless ``leaf`` is at ``index`` in the tree of ``size`` with ``root``."""
    if root_from_inclusion(index, size, leaf, proof) != root:
        raise ProofError("inclusion proof does not lead to the root")


def verify_consistency(size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]) -> None:
    """Raises ProofError unless the tree (size1, root1) is a prefix of the tree (size2, root2)."""
    if size1 < 0 or size2 < 0 or size1 > size2:
        raise ProofError(f"size {size1} cannot precede size {size2}")
    if size1 == size2:
        if proof:
            raise ProofError("equal sizes need an empty proof")
        if root1 != root2:
            raise ProofError("equal sizes but different roots")
        return
    if size1 == 0:
        if proof:
            raise ProofError("an empty tree needs an empty proof")
        return
    if not proof:
        raise ProofError("empty consistency proof")
    if any(len(p) != HASH_SIZE for p in proof):
        raise ProofError("wrong hash size")
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # size1 is a power of two: its root is a node of the new tree
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != root1 or sr != root2:
        raise ProofError("consistency proof does not match the roots")


# --- proofs from stored nodes -------------------------------------------------------------------------------------
# A Node (level, index) is the perfect subtree of 2**level leaves that starts at leaf index * 2**level; level 0 is a
# leaf hash. Every hash an RFC 6962 proof holds is such a node or the root of a range [lo, hi) whose start is a
# multiple of the largest power of two below its length, which is a fold of O(log n) nodes. So with the nodes stored
# as the tree grows, a proof is O(log n) reads instead of reading every leaf.

Node = tuple[int, int]
NodeSource = Callable[[int, int], bytes]


def range_root(lo: int, hi: int, node: NodeSource) -> bytes:
    """MTH(D[lo:hi]) from nodes (``lo`` aligned as in RFC 6962's recursion)."""
    n = hi - lo
    if n <= 0:
        raise ProofError(f"empty range {lo}..{hi}")
    if n & (n - 1) == 0 and lo % n == 0:
        return node(n.bit_length() - 1, lo // n)
    k = _split(n)
    return node_hash(range_root(lo, lo + k, node), range_root(lo + k, hi, node))


def inclusion_path(index: int, size: int, node: NodeSource) -> list[bytes]:
    """PATH(index, D[size]) from nodes; the same proof as ``inclusion_proof``."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of size {size}")

    def path(lo: int, hi: int) -> list[bytes]:
        if hi - lo == 1:
            return []
        k = _split(hi - lo)
        if index < lo + k:
            return [*path(lo, lo + k), range_root(lo + k, hi, node)]
        return [*path(lo + k, hi), range_root(lo, lo + k, node)]

    return path(0, size)


def consistency_path(old_size: int, size: int, node: NodeSource) -> list[bytes]:
    """PROOF(old_size, D[size]) from nodes; the same proof as ``consistency_proof``."""
    if not 0 <= old_size <= size:
        raise ProofError(f"old size {old_size} is not within 0..{size}")
    if old_size in (0, size):
        return []

    def sub(m: int, lo: int, hi: int, complete: bool) -> list[bytes]:
        if m == hi - lo:
            return [] if complete else [range_root(lo, hi, node)]
        k = _split(hi - lo)
        if m <= k:
            return [*sub(m, lo, lo + k, complete), range_root(lo + k, hi, node)]
        return [*sub(m - k, lo + k, hi, False), range_root(lo, lo + k, node)]

    return sub(old_size, 0, size, True)


def nodes_needed(compute: Callable[[NodeSource], object]) -> set[Node]:
    """The nodes ``compute`` reads (run once with placeholders), so that a store can fetch them in one query."""
    wanted: set[Node] = set()

    def record(level: int, index: int) -> bytes:
        wanted.add((level, index))
        return bytes(HASH_SIZE)

    compute(record)
    return wanted


class CompactTree:
    """The right edge of a growing tree (one hash per perfect subtree): O(log n) appends and roots."""

    def __init__(self, size: int = 0, frontier: list[bytes] | None = None) -> None:
        self.size = size
        self.frontier = list(frontier or [])
        if len(self.frontier) != bin(size).count("1"):
            raise ValueError("frontier does not match the size")

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf hash; returns the perfect subtrees it completed, as (level >= 1, index, hash) with the
        meaning of ``Node`` (what the ledger stores so that proofs need O(log n) reads)."""
        self.frontier.append(leaf)
        self.size += 1
        n, level, completed = self.size, 0, []
        while n & 1 == 0:  # merge equal-height subtrees
            right = self.frontier.pop()
            left = self.frontier.pop()
            self.frontier.append(node_hash(left, right))
            n >>= 1
            level += 1
            completed.append((level, n - 1, self.frontier[-1]))
        return completed

    def root(self) -> bytes:
        if not self.frontier:
            return EMPTY_ROOT
        r = self.frontier[-1]
        for h in reversed(self.frontier[:-1]):
            r = node_hash(h, r)
        return r
