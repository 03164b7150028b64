"""The OCR sample mix: style weights a training run may override, and the rendered two-row validation set."""

from __future__ import annotations

import pytest

from platewarden.recognition.layout import OCR_HEIGHT, OCR_WIDTH
from platewarden.synthetic.glyphs import hershey_fonts
from training.synth.ocr_samples import STYLE_WEIGHTS, TWO_ROW_STYLES, style_weights_with, two_row_samples


def test_overrides_replace_only_the_named_styles() -> None:
    weights = style_weights_with({"us-2row": 9, "cn-yellow": 0})
    assert weights["us-2row"] == 9 and weights["cn-yellow"] == 0
    assert {k: v for k, v in weights.items() if k not in ("us-2row", "cn-yellow")} == {
        k: v for k, v in STYLE_WEIGHTS.items() if k not in ("us-2row", "cn-yellow")}
    assert STYLE_WEIGHTS["us-2row"] != 9  # the defaults are left alone


@pytest.mark.parametrize("overrides", [{"us-3row": 1.0}, {"us": -1.0}])
def test_an_unknown_style_or_a_negative_weight_is_refused(overrides: dict[str, float]) -> None:
    before = dict(STYLE_WEIGHTS)
    with pytest.raises(ValueError, match=r"unknown plate style|cannot be negative"):
        style_weights_with(overrides)
    assert before == STYLE_WEIGHTS


def test_two_row_validation_plates_are_fixed_two_row_and_shaped_for_the_network() -> None:
    fonts = hershey_fonts()
    first = two_row_samples(8, seed=3, latin=fonts, cjk=fonts)
    again = two_row_samples(8, seed=3, latin=fonts, cjk=fonts)
    assert [t for _, t in first] == [t for _, t in again]
    assert all((a == b).all() for (a, _), (b, _) in zip(first, again, strict=True))
    assert all(img.shape == (OCR_HEIGHT, OCR_WIDTH) for img, _ in first)
    # an equal share of each two-row style, in turn: every fourth a Chinese yellow plate, the others Latin
    assert TWO_ROW_STYLES[3] == "cn-yellow"
    assert [not t[0].isascii() for _, t in first] == [False, False, False, True] * 2
    assert set(TWO_ROW_STYLES) <= set(STYLE_WEIGHTS)
