"""Exact reads per plate style on rendered plates: what the reader makes of each layout the generator draws.

No real set we hold shows enough two-row plates (US motorcycle, German and British square, Chinese yellow rear
plates) to measure them, so the model card discloses them from rendered plates, one row per style, with a fixed
seed. Like the per-condition figures, these flatter the reader (it learnt from the same generator) and are no
substitute for real-set figures; they show where it is weak against itself.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from platewarden.evaluation.conditions import read_placed
from platewarden.recognition.pipeline import Recognizer
from platewarden.synthetic.formats import STYLE_FORMATS
from platewarden.synthetic.plates import random_spec, random_spec_with_rows, render_plate

# cn-yellow draws one row or two: each is its own row of the table.
SPLIT_BY_ROWS = ("cn-yellow",)


@dataclass(frozen=True)
class StyleResult:
    style: str  # a style of ``STYLE_FORMATS``, with " (1 row)" or " (2 rows)" where it draws both
    plates: int
    exact: int


def style_rows() -> list[tuple[str, str, int | None]]:
    """(row name, style, rows wanted or None) for every row of the table."""
    out: list[tuple[str, str, int | None]] = []
    for style in STYLE_FORMATS:
        if style in SPLIT_BY_ROWS:
            out += [(f"{style} (1 row)", style, 1), (f"{style} (2 rows)", style, 2)]
        else:
            out.append((style, style, None))
    return out


def evaluate_styles(recognizer: Recognizer, per_style: int = 50, seed: int = 5) -> list[StyleResult]:
    """Exact reads of ``per_style`` rendered plates of each style, each style drawn from its own seeded stream."""
    if per_style < 1:
        raise ValueError(f"per_style must be at least 1, not {per_style}")
    out = []
    for name, style, rows in style_rows():
        rng = random.Random(seed)
        exact = plates = 0
        while plates < per_style:
            spec = random_spec(rng, [style]) if rows is None else random_spec_with_rows(rng, style, rows)
            plates += 1
            exact += read_placed(recognizer, render_plate(spec, rng).image) == spec.text
        out.append(StyleResult(name, plates, exact))
    return out
