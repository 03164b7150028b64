"""The model card's per-style table: rendered plates of every style the generator draws, read through the OCR path."""

from __future__ import annotations

import pytest

from platewarden.evaluation.styles import evaluate_styles, style_rows
from platewarden.recognition.pipeline import Recognizer
from platewarden.synthetic.formats import STYLE_FORMATS


def test_every_style_has_a_row_and_cn_yellow_one_per_layout() -> None:
    names = [name for name, _, _ in style_rows()]
    assert "cn-yellow (1 row)" in names and "cn-yellow (2 rows)" in names
    assert {style for _, style, _ in style_rows()} == set(STYLE_FORMATS)


def test_one_row_plates_read_well_and_the_figures_are_fixed() -> None:
    recognizer = Recognizer()
    first = {r.style: r for r in evaluate_styles(recognizer, per_style=4)}
    assert all(r.plates == 4 for r in first.values())
    assert sum(first[s].exact for s in ("de", "uk", "ro", "br-grey")) >= 14  # rendered one-row plates: near perfect
    again = {r.style: r.exact for r in evaluate_styles(recognizer, per_style=4)}
    assert again == {s: r.exact for s, r in first.items()}


def test_a_table_of_no_plates_is_refused() -> None:
    with pytest.raises(ValueError, match="per_style must be at least 1"):
        evaluate_styles(Recognizer(), per_style=0)
