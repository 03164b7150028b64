"""Glyph masks for plate characters, from TrueType fonts or OpenCV's built-in Hershey fonts.

Plate typefaces are condensed and fill a fixed box, whatever the font's own proportions, so every glyph is cut to
its ink and stretched to the box the plate layout asks for. Hershey fonts need no font file, which keeps the
renderer usable on a bare machine (demo, tests); TrueType fonts add variety for training.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from platewarden.synthetic.stroke_font import (
    VARIANT_FLAT_THREE,
    VARIANT_FOOTED_ONE,
    VARIANT_OPEN_FOUR,
    VARIANT_PLAIN_I,
    VARIANT_SLANTED_OPEN_FOUR,
    draw_glyph,
)

HERSHEY_FACES = (
    cv2.FONT_HERSHEY_SIMPLEX,
    cv2.FONT_HERSHEY_DUPLEX,
    cv2.FONT_HERSHEY_TRIPLEX,
    cv2.FONT_HERSHEY_COMPLEX,
)


@dataclass(frozen=True)
class Font:
    """A typeface: a TrueType/OpenType file, a Hershey face (``path`` None) drawn with a stroke ``weight``, or our
    plate face (``stroke``; see :mod:`platewarden.synthetic.stroke_font`) in one ``variant``."""

    name: str
    path: Path | None = None
    hershey_face: int = cv2.FONT_HERSHEY_SIMPLEX
    weight: int = 6
    stroke: bool = False
    variant: int = 0


def hershey_fonts() -> list[Font]:
    return [Font(f"hershey-{face}-{w}", None, face, w) for face in HERSHEY_FACES for w in (5, 8)]


def stroke_fonts() -> list[Font]:
    """The plate face at three weights, each with a different mix of glyph variants (open 4, footed 1, ...)."""
    mixes = (0, VARIANT_OPEN_FOUR | VARIANT_FLAT_THREE, VARIANT_SLANTED_OPEN_FOUR | VARIANT_FOOTED_ONE,
             VARIANT_OPEN_FOUR | VARIANT_PLAIN_I, VARIANT_FOOTED_ONE | VARIANT_FLAT_THREE)
    return [Font(f"plate-stroke-{weight}-{variant}", None, weight=weight, stroke=True, variant=variant)
            for weight in (17, 22, 28) for variant in mixes]


def _ink_crop(mask: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(mask > 40)
    if len(xs) == 0:
        return mask[:1, :1]
    return mask[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1]


@lru_cache(maxsize=8192)
def _raw_glyph(font: Font, char: str) -> np.ndarray:
    if font.stroke:
        drawn = draw_glyph(char, font.variant, font.weight)
        if drawn is not None:
            return _ink_crop(drawn)
    if font.path is None:
        canvas = np.zeros((160, 160), np.uint8)
        weight = font.weight if not font.stroke else 6  # the plate face lacks this glyph: a Hershey stand-in
        cv2.putText(canvas, char, (20, 130), font.hershey_face, 4.0, 255, weight, cv2.LINE_AA)
        return _ink_crop(canvas)
    from PIL import Image, ImageDraw, ImageFont  # only needed for font files

    pil_font = ImageFont.truetype(str(font.path), 120)
    img = Image.new("L", (200, 200), 0)
    ImageDraw.Draw(img).text((20, 10), char, font=pil_font, fill=255)
    return _ink_crop(np.asarray(img))


def glyph_mask(font: Font, char: str, width: int, height: int) -> np.ndarray:
    """The character's ink, stretched to ``width`` x ``height`` pixels (uint8, 255 = ink).

    Narrow characters (1, I) keep their own narrow shape centred in the box instead of being blown up to a block.
    """
    raw = _raw_glyph(font, char)
    width, height = max(1, width), max(1, height)
    natural_w = raw.shape[1] * height / max(1, raw.shape[0])
    target_w = int(min(width, max(natural_w, 1)))
    target_w = int(min(width, max(natural_w * 1.1, 2))) if char in "1IJ" or natural_w < 0.6 * width else width
    glyph = cv2.resize(raw, (max(1, target_w), height), interpolation=cv2.INTER_AREA)
    out = np.zeros((height, width), np.uint8)
    x0 = (width - glyph.shape[1]) // 2
    out[:, x0: x0 + glyph.shape[1]] = glyph
    return out
