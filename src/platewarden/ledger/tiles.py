"""The ledger as C2SP ``tlog-tiles``: the Merkle tree's hashes cut into tiles of 256, at paths any tile client can
fetch, so a monitor or a witness follows the log with standard tools instead of our export.

A tile at level L, index N, holds up to 256 hashes: hash k is the root of the complete subtree of 256^L leaves that
starts at leaf (N x 256 + k) x 256^L. Level-0 tiles hold the leaf hashes themselves. A tile is full (256 hashes) or,
at the right edge of the tree, partial (``.p/W``, W < 256 hashes). Paths: ``tile/L/N[.p/W]``, with N written in
groups of three digits, every group but the last prefixed ``x`` (1234067 → ``x001/x234/067``). Entry bundles
(``tile/entries/N``) are not served: our entries name people and cases, and the hashes are all a follower needs to
check consistency and inclusion; auditors read entries through the governed API.

Pure: paths and their meaning; ``Ledger.tile`` reads the hashes (stored nodes, ``ledger.merkle``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TILE_WIDTH = 256
TILE_HEIGHT = 8  # log2(TILE_WIDTH)
MAX_LEVEL = 7  # 256^8 = 2^64 leaves: every tree this log can hold


class TilePathError(ValueError):
    """A path that is not a tile of this log (the HTTP adapter answers 404)."""


@dataclass(frozen=True)
class Tile:
    level: int
    index: int
    width: int  # TILE_WIDTH for a full tile

    @property
    def first_leaf(self) -> int:
        return int(self.index * TILE_WIDTH ** (self.level + 1))

    @property
    def leaves(self) -> int:
        """How many leaves the tile's hashes cover."""
        return int(self.width * TILE_WIDTH ** self.level)

    def path(self) -> str:
        return f"tile/{self.level}/{encode_index(self.index)}" + ("" if self.width == TILE_WIDTH else
                                                                   f".p/{self.width}")


def encode_index(n: int) -> str:
    if n < 0:
        raise TilePathError("a tile index is not negative")
    groups = []
    while True:
        groups.append(f"{n % 1000:03d}")
        n //= 1000
        if n == 0:
            break
    return "/".join(["x" + g for g in reversed(groups[1:])] + [groups[0]])


_PATH = re.compile(r"tile/(\d)/((?:x\d{3}/)*\d{3})(?:\.p/(\d{1,3}))?")


def parse_tile_path(path: str) -> Tile:
    """``tile/L/N[.p/W]`` → Tile; anything else (entry bundles, bad groups, widths out of 1..255) is refused."""
    m = _PATH.fullmatch(path)
    if m is None:
        raise TilePathError(f"not a hash tile path: {path[:80]!r}")
    level = int(m.group(1))
    if level > MAX_LEVEL:
        raise TilePathError(f"no level {level} in a tree of at most 2^64 leaves")
    index = int("".join(g.lstrip("x") for g in m.group(2).split("/")))
    width = TILE_WIDTH
    if m.group(3) is not None:
        width = int(m.group(3))
        if not 1 <= width < TILE_WIDTH or m.group(3) != str(width):
            raise TilePathError(f"a partial tile's width is 1 to 255, without leading zeros: {path[:80]!r}")
    if encode_index(index) != m.group(2):
        raise TilePathError(f"the tile index is not in its canonical form: {path[:80]!r}")
    return Tile(level, index, width)


def tile_fits(tile: Tile, size: int) -> bool:
    """Whether the tree of ``size`` leaves holds every subtree the tile describes."""
    return tile.first_leaf + tile.leaves <= size
