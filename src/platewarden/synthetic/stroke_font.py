"""A condensed, even-stroke plate typeface drawn from centre lines, with the variants real plates use.

Most US plates (and many others) are stamped in narrow "gothic" faces of even stroke width whose glyphs differ from
desktop fonts in ways that matter to a reader: the 4 is often open at the top (its diagonal or left stem never meets
the right stem, so it looks like an L crossed by a bar), the 1 has a flag and sometimes a foot, the I has serifs,
the 3 may have a flat top, and 0 is narrower than O. No font package we may ship has these, so the glyphs are
defined here as centre lines on a 10 x 20 grid (y down) and stroked with OpenCV at the weight the variant asks for.

``VARIANT_*`` flags select the alternative glyphs; a :class:`~platewarden.synthetic.glyphs.Font` with
``stroke=True`` carries them in ``variant`` and its stroke width in ``weight`` (tenths of a grid unit).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import cv2
import numpy as np

Point = tuple[float, float]
Path = list[Point]

VARIANT_OPEN_FOUR = 1  # 4 open at the top
VARIANT_SLANTED_OPEN_FOUR = 2  # ...with a slanted left stroke instead of an upright one
VARIANT_FOOTED_ONE = 4  # 1 with a foot
VARIANT_FLAT_THREE = 8  # 3 with a flat top
VARIANT_PLAIN_I = 16  # I without serifs


def _arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 10) -> Path:
    """Points on an ellipse from angle ``a0`` to ``a1`` degrees (y down: 90 is the bottom), either direction."""
    return [(cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
            for a in np.linspace(a0, a1, n)]


def _rounded_rect(x0: float, y0: float, x1: float, y1: float, r: float) -> Path:
    """A closed stadium-like outline: straight sides, round corners."""
    return (_arc(x1 - r, y0 + r, r, r, 270, 360, 5) + _arc(x1 - r, y1 - r, r, r, 0, 90, 5)
            + _arc(x0 + r, y1 - r, r, r, 90, 180, 5) + _arc(x0 + r, y0 + r, r, r, 180, 270, 5)
            + [(x1 - r, y0)])


def _rot180(paths: list[Path]) -> list[Path]:
    return [[(10 - x, 20 - y) for x, y in p] for p in paths]


def _c_shape() -> Path:
    return _arc(5, 5, 4, 4, 340, 180, 8) + _arc(5, 15, 4, 4, 180, 20, 8)


def _p_shape() -> list[Path]:
    return [[(1, 19), (1, 1), (5.5, 1), *_arc(5.5, 5.5, 3.5, 4.5, 270, 450, 9), (1, 10)]]


def _six() -> list[Path]:
    return [_rounded_rect(1, 9, 9, 19, 4), [(1, 15), (1, 5), *_arc(5, 5, 4, 4, 180, 320, 7)]]


def glyph_paths(char: str, variant: int) -> list[Path] | None:
    """The centre lines of ``char`` in the given variant, or None where this face has no such glyph."""
    if char == "4":
        if variant & VARIANT_SLANTED_OPEN_FOUR:
            return [[(4.5, 1), (1, 13), (9.5, 13)], [(7, 5.5), (7, 19)]]
        if variant & VARIANT_OPEN_FOUR:
            return [[(1.5, 1), (1.5, 13), (9.5, 13)], [(7, 5.5), (7, 19)]]
        return [[(7.0, 19.0), (7.0, 1.0), (1.0, 14.0), (9.5, 14.0)]]
    if char == "1":
        flag = [(2.5, 4.5), (5.5, 1), (5.5, 19)]
        return [flag, [(2.5, 19), (8.5, 19)]] if variant & VARIANT_FOOTED_ONE else [flag]
    if char == "I":
        stem: Path = [(5.0, 1.0), (5.0, 19.0)]
        return [stem] if variant & VARIANT_PLAIN_I else [stem, [(2.5, 1), (7.5, 1)], [(2.5, 19), (7.5, 19)]]
    if char == "3":
        bowl = _arc(5, 13.5, 4, 5.5, 250, 510, 12)
        if variant & VARIANT_FLAT_THREE:
            return [[(1.5, 1), (8.5, 1), (4.5, 8.2), *bowl]]
        return [[*_arc(5, 5, 3.6, 4, 200, 450, 10), (4, 9)], _arc(5, 14, 4, 5, 270, 520, 11)]
    paths = _GLYPHS.get(char)
    return paths() if paths is not None else None


_GLYPHS: dict[str, Callable[[], list[Path]]] = {
    "0": lambda: [_rounded_rect(1.5, 1, 8.5, 19, 3.5)],
    "2": lambda: [[*_arc(5, 5, 4, 4, 200, 380, 10), (1, 19), (9, 19)]],
    "5": lambda: [[(8.5, 1), (1.8, 1), (1.5, 9.5), *_arc(5, 13.5, 4, 5.5, 235, 510, 12)]],
    "6": _six,
    "7": lambda: [[(1, 1), (9, 1), (3.5, 19)]],
    "8": lambda: [_rounded_rect(1.5, 1, 8.5, 9.5, 3.5), _rounded_rect(1, 9.5, 9, 19, 4)],
    "9": lambda: _rot180(_six()),
    "A": lambda: [[(1, 19), (5, 1), (9, 19)], [(2.5, 13), (7.5, 13)]],
    "B": lambda: [[(1, 10), (5.5, 10), *_arc(5.5, 5.5, 3.5, 4.5, 90, -90, 9), (1, 1), (1, 19), (5.5, 19),
                   *_arc(5.5, 14.5, 3.5, 4.5, 90, -90, 9)]],
    "C": lambda: [_c_shape()],
    "D": lambda: [[(1, 1), *_arc(5, 5, 4, 4, 270, 360, 6), *_arc(5, 15, 4, 4, 0, 90, 6), (1, 19), (1, 1)]],
    "E": lambda: [[(9, 1), (1, 1), (1, 19), (9, 19)], [(1, 10), (7, 10)]],
    "F": lambda: [[(9, 1), (1, 1), (1, 19)], [(1, 10), (7, 10)]],
    "G": lambda: [_arc(5, 5, 4, 4, 340, 180, 8) + _arc(5, 15, 4, 4, 180, 0, 8) + [(9, 11), (5.5, 11)]],
    "H": lambda: [[(1, 1), (1, 19)], [(9, 1), (9, 19)], [(1, 10), (9, 10)]],
    "J": lambda: [[(8, 1), (8, 15), *_arc(4.5, 15, 3.5, 4, 0, 180, 8), (1, 13)]],
    "K": lambda: [[(1, 1), (1, 19)], [(9, 1), (1, 12)], [(3.8, 9), (9, 19)]],
    "L": lambda: [[(1, 1), (1, 19), (9, 19)]],
    "M": lambda: [[(1, 19), (1, 1), (5, 12), (9, 1), (9, 19)]],
    "N": lambda: [[(1, 19), (1, 1), (9, 19), (9, 1)]],
    "O": lambda: [_rounded_rect(1, 1, 9, 19, 4.5)],
    "P": _p_shape,
    "Q": lambda: [_rounded_rect(1, 1, 9, 19, 4.5), [(6, 14), (9.5, 20)]],
    "R": lambda: [*_p_shape(), [(5, 10), (9, 19)]],
    "S": lambda: [_arc(5, 5.25, 4, 4.25, 335, 90, 10) + _arc(5, 14.5, 4, 4.5, 270, 515, 12)],
    "T": lambda: [[(1, 1), (9, 1)], [(5, 1), (5, 19)]],
    "U": lambda: [[(1, 1), (1, 15), *_arc(5, 15, 4, 4, 180, 0, 9), (9, 1)]],
    "V": lambda: [[(1, 1), (5, 19), (9, 1)]],
    "W": lambda: [[(0.5, 1), (2.5, 19), (5, 6), (7.5, 19), (9.5, 1)]],
    "X": lambda: [[(1, 1), (9, 19)], [(9, 1), (1, 19)]],
    "Y": lambda: [[(1, 1), (5, 10), (9, 1)], [(5, 10), (5, 19)]],
    "Z": lambda: [[(1, 1), (9, 1), (1, 19), (9, 19)]],
}


def draw_glyph(char: str, variant: int, weight: int, scale: int = 8) -> np.ndarray | None:
    """The glyph stroked ``weight / 10`` grid units wide, on a canvas ``scale`` pixels per unit; None if absent."""
    paths = glyph_paths(char, variant)
    if paths is None:
        return None
    margin = 4 * scale
    canvas = np.zeros((20 * scale + 2 * margin, 10 * scale + 2 * margin), np.uint8)
    thickness = max(1, round(weight * scale / 10))
    shift = 4  # sub-pixel precision for cv2.polylines
    for path in paths:
        pts = np.array([[(x * scale + margin) * (1 << shift), (y * scale + margin) * (1 << shift)]
                        for x, y in path], np.int32)
        cv2.polylines(canvas, [pts], False, 255, thickness, cv2.LINE_AA, shift)
    return canvas
