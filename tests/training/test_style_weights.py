"""The OCR sample mix: style weights a training run may override, and the rendered two-row validation set."""

from __future__ import annotations

import pytest

from platewarden.recognition.layout import OCR_HEIGHT, OCR_WIDTH
from platewarden.synthetic.glyphs import hershey_fonts
from training.synth import ocr_samples
from training.synth.ocr_samples import STYLE_WEIGHTS, TWO_ROW_STYLES, style_weights_with, two_row_samples


def test_overrides_replace_only_the_named_styles() -> None:
    weights = style_weights_with({"us-2row": 9, "cn-yellow": 0})
    assert weights["us-2row"] == 9 and weights["cn-yellow"] == 0
    assert {k: v for k, v in weights.items() if k not in ("us-2row", "cn-yellow")} == {
        k: v for k, v in STYLE_WEIGHTS.items() if k not in ("us-2row", "cn-yellow")}
    assert STYLE_WEIGHTS["us-2row"] != 9  # the defaults are left alone


@pytest.mark.parametrize("overrides", [{"us-3row": 1.0}, {"us": -1.0}, {"us": float("inf")},
                                       {"us": float("nan")}, dict.fromkeys(STYLE_WEIGHTS, 0.0)])
def test_bad_weights_are_refused(overrides: dict[str, float]) -> None:
    before = dict(STYLE_WEIGHTS)
    with pytest.raises(ValueError, match=r"unknown plate style|finite number of zero or more|no style to draw"):
        style_weights_with(overrides)
    assert before == STYLE_WEIGHTS


def test_a_style_that_draws_no_two_row_plate_is_named_not_looped_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr_samples, "TWO_ROW_STYLES", ("us-2row", "us"))
    with pytest.raises(ValueError, match="style us draws no two-row plates"):
        two_row_samples(4, seed=1, latin=hershey_fonts(), cjk=hershey_fonts())


def test_style_weight_arguments() -> None:
    pytest.importorskip("torch")
    from training.ocr.stream_train import style_overrides

    assert style_overrides(["us-2row=9", "cn-yellow=0.5"]) == {"us-2row": 9.0, "cn-yellow": 0.5}
    for bad in (["us-2row"], ["us-2row=many"], ["us=1", "us=2"]):
        with pytest.raises(ValueError, match=r"STYLE=WEIGHT|weighted twice"):
            style_overrides(bad)


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
