"""Our plate face (stroke_font) and the US distractors the generator draws: what training relies on them to show."""

from __future__ import annotations

import random

import numpy as np
import pytest

from platewarden.synthetic.glyphs import Font, glyph_mask, stroke_fonts
from platewarden.synthetic.plates import draw_emblem, random_spec, render_plate
from platewarden.synthetic.stroke_font import (
    VARIANT_FOOTED_ONE,
    VARIANT_OPEN_FOUR,
    VARIANT_PLAIN_I,
    VARIANT_SLANTED_OPEN_FOUR,
    draw_glyph,
    glyph_paths,
)

LATIN = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def test_every_latin_character_has_a_glyph_that_fills_its_box() -> None:
    for ch in LATIN:
        drawn = draw_glyph(ch, 0, 22)
        assert drawn is not None, ch
        mask = glyph_mask(Font("plate", None, weight=22, stroke=True), ch, 24, 48)
        assert mask.shape == (48, 24)
        ys = np.nonzero(mask.max(axis=1) > 40)[0]
        assert ys.min() <= 1 and ys.max() >= 46, ch  # cut to its ink: touches top and bottom


def test_glyphs_of_different_characters_differ() -> None:
    masks = {ch: glyph_mask(Font("plate", None, weight=22, stroke=True), ch, 24, 48) > 127 for ch in LATIN}
    for a in LATIN:
        for b in LATIN:
            if a < b:
                assert (masks[a] != masks[b]).mean() > 0.03, (a, b)


def _top_right_joined(variant: int) -> bool:
    """Whether ink connects the 4's top-left stroke to its right stem along the top quarter (a closed 4)."""
    mask = glyph_mask(Font("p", None, weight=22, stroke=True, variant=variant), "4", 40, 80) > 127
    top = mask[:20]
    # the right stem's column; a closed 4 has ink there from the very top, an open one starts lower
    return bool(top[:4, 26:32].any())


def test_open_four_is_open_at_the_top_and_the_plain_one_is_closed() -> None:
    assert _top_right_joined(0)
    assert not _top_right_joined(VARIANT_OPEN_FOUR)
    assert not _top_right_joined(VARIANT_SLANTED_OPEN_FOUR)


def test_variants_change_only_their_own_glyphs() -> None:
    assert glyph_paths("1", VARIANT_FOOTED_ONE) != glyph_paths("1", 0)
    assert glyph_paths("I", VARIANT_PLAIN_I) != glyph_paths("I", 0)
    assert glyph_paths("A", VARIANT_OPEN_FOUR | VARIANT_FOOTED_ONE) == glyph_paths("A", 0)


def test_characters_the_face_lacks_fall_back_to_a_hershey_glyph() -> None:
    assert glyph_paths("-", 0) is None and draw_glyph("京", 0, 22) is None
    mask = glyph_mask(Font("plate", None, weight=22, stroke=True), "&", 24, 48)
    assert mask.max() == 255


@pytest.mark.parametrize("seed", range(6))
def test_us_plates_with_emblems_keep_their_text_and_size(seed: int) -> None:
    rng = random.Random(seed)
    spec = random_spec(rng, ["us"])
    plate = render_plate(spec, rng, stroke_fonts())
    assert plate.image.shape == (150, 300, 3)
    assert plate.spec.text == spec.text and spec.text.isalnum()


def test_emblems_of_every_kind_stay_in_their_box() -> None:
    """An emblem sits in the gap between character groups: it must ink that gap and nothing beyond it."""
    for seed in range(30):
        img = np.full((150, 300, 3), 240, np.uint8)
        draw_emblem(img, 150, 75, 40, 60, (20, 20, 20), random.Random(seed))
        ys, xs = np.nonzero(img.min(axis=2) < 200)
        assert len(xs) > 40, seed
        assert xs.min() >= 150 - 22 and xs.max() <= 150 + 22 and ys.min() >= 75 - 32 and ys.max() <= 75 + 32, seed


def test_emblems_use_the_plate_colour_under_them_not_the_corner() -> None:
    """A seal's inner ring is the plate showing through: a sticker or frame in the image corner must not leak in."""
    for seed in range(30):
        img = np.full((150, 300, 3), 240, np.uint8)
        img[:10, :10] = (0, 0, 255)  # a red sticker in the corner
        draw_emblem(img, 150, 75, 40, 60, (20, 20, 20), random.Random(seed))
        inside = img[40:110, 125:175]
        assert not ((inside[..., 2] > 200) & (inside[..., 0] < 60)).any(), seed


def test_scenery_is_faint_beside_the_characters() -> None:
    """A picture behind the registration changes the plate, but stays within a tint of its colour: the characters
    (150 or more levels away) remain the strongest marks."""
    from platewarden.synthetic.scenery import MAX_TINT, SCENES, draw_scenery

    for seed, kind in enumerate(SCENES * 3):
        img = np.full((150, 300, 3), (235, 240, 245), np.uint8)
        assert draw_scenery(img, random.Random(seed), kind) == kind
        moved = np.abs(img.astype(int) - np.array([235, 240, 245])).max(axis=2)
        assert (moved > 0).mean() > 0.01, kind  # something was drawn
        assert moved.max() <= MAX_TINT + 1, kind  # and it is faint
