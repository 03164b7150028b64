"""The ledger followed as C2SP tlog-tiles by a client written here from the specification alone (c2sp.org/tlog-tiles,
c2sp.org/tlog-checkpoint, RFC 6962 hashing), sharing no code with ``platewarden.ledger``: it reads the checkpoint,
fetches the hash tiles over HTTP from the real server, recomputes the tree head and an inclusion path from them,
and checks that a higher-level tile agrees with the level-0 tiles under it."""

from __future__ import annotations

import base64
import hashlib

import pytest
from fastapi.testclient import TestClient

from platewarden.domain.clock import ManualClock
from platewarden.ledger.entries import Event, EventKind
from platewarden.ledger.tiles import TilePathError, encode_index, parse_tile_path
from platewarden.runtime import Platform
from platewarden.server import create_app

# --- the independent client -------------------------------------------------------------------------------------

def spec_leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def spec_node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def spec_mth(hashes: list[bytes]) -> bytes:
    """RFC 6962 section 2.1 over leaf hashes: split at the largest power of two below n."""
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return spec_node(spec_mth(hashes[:k]), spec_mth(hashes[k:]))


def spec_index(n: int) -> str:
    """tlog-tiles: N in groups of three digits, all but the last prefixed with x."""
    digits = str(n)
    digits = "0" * (-len(digits) % 3) + digits
    groups = [digits[i:i + 3] for i in range(0, len(digits), 3)]
    return "/".join([f"x{g}" for g in groups[:-1]] + [groups[-1]])


def spec_checkpoint(note: str) -> tuple[str, int, bytes]:
    """tlog-checkpoint: origin, decimal size, base64 root hash, then optional extension lines, a blank line, and
    signatures."""
    body = note.split("\n\n", 1)[0].split("\n")
    return body[0], int(body[1]), base64.b64decode(body[2])


def fetch_level0(client: TestClient, size: int) -> list[bytes]:
    hashes: list[bytes] = []
    for n in range((size + 255) // 256):
        width = min(256, size - n * 256)
        path = f"/ledger/tile/0/{spec_index(n)}" + ("" if width == 256 else f".p/{width}")
        r = client.get(path)
        assert r.status_code == 200 and len(r.content) == 32 * width, (path, r.status_code)
        hashes += [r.content[i:i + 32] for i in range(0, len(r.content), 32)]
    return hashes


# --- the tests ----------------------------------------------------------------------------------------------------

def test_a_tile_client_follows_the_log(platform: Platform, clock: ManualClock) -> None:
    p = platform
    p.ledger.append([Event(EventKind.REPORT, clock.now(), "system", {"n": i}) for i in range(600)])
    p.ledger.checkpoint()
    client = TestClient(create_app(p, session_secret="s", https_only=False))
    note = client.get("/ledger/checkpoint").text
    assert note == client.get("/api/ledger/checkpoint").text
    origin, size, root = spec_checkpoint(note)
    assert origin == p.ledger.origin and size == p.ledger.size() >= 600
    leaves = fetch_level0(client, size)
    assert spec_mth(leaves) == root  # the tiles are the tree the signed checkpoint commits to
    entries = p.ledger.entries(0, size)
    assert [spec_leaf(e) for e in entries] == leaves  # ... and its leaves are the entries, hashed per RFC 6962
    # a level-1 tile: each hash is the root of 256 leaves; the tree holds two complete groups so far
    r = client.get(f"/ledger/tile/1/{spec_index(0)}.p/{size // 256}")
    assert r.status_code == 200 and len(r.content) == 32 * (size // 256)
    for k in range(size // 256):
        assert r.content[32 * k:32 * (k + 1)] == spec_mth(leaves[256 * k:256 * (k + 1)])
    full = client.get("/ledger/tile/0/000")
    assert "immutable" in full.headers["cache-control"] and full.headers["content-type"] == "application/octet-stream"
    # what is not a tile of this log is not found: beyond the checkpoint, bad encodings, entry bundles
    for bad in (f"/ledger/tile/0/{spec_index(size // 256 + 1)}", "/ledger/tile/1/000", "/ledger/tile/0/0",
                "/ledger/tile/0/x000/001", "/ledger/tile/0/000.p/0", "/ledger/tile/0/000.p/256",
                "/ledger/tile/0/000.p/07", "/ledger/tile/entries/000", "/ledger/tile/9/000", "/ledger/tile/../x"):
        assert client.get(bad).status_code == 404, bad


@pytest.mark.parametrize("n", [0, 1, 999, 1000, 1234067, 10**12])
def test_tile_indexes_are_written_as_the_spec_says(n: int) -> None:
    assert encode_index(n) == spec_index(n)
    assert parse_tile_path(f"tile/0/{spec_index(n)}").index == n


def test_non_canonical_tile_paths_are_refused() -> None:
    for bad in ("tile/0/x001/000x", "tile/0/001/002", "tile/0/x000/001", "tile/0/1", "tile/0/000.p/256",
                "tile/8/000", "tile/entries/000", "tile/0/000.p/0"):
        with pytest.raises(TilePathError):
            parse_tile_path(bad)
