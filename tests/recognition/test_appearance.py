"""What a plate's colours say: the EU strip, Chinese body colours, a yellow body (no model)."""

from __future__ import annotations

import random

import numpy as np

from platewarden.recognition.appearance import has_chinese_colours, has_eu_strip, look_of
from platewarden.synthetic.cuts import as_cut_by_reader, blue_car
from platewarden.synthetic.plates import random_spec, render_plate


def test_plate_colours() -> None:
    blue = np.zeros((40, 140, 3), np.uint8)
    blue[:] = (160, 60, 10)  # BGR: a Chinese blue plate
    white = np.full((40, 140, 3), 235, np.uint8)
    eu = white.copy()
    eu[:, 3:13] = (150, 50, 0)  # the EU strip, a margin in from the crop's edge
    assert has_chinese_colours(blue) and not has_eu_strip(blue)
    assert not has_chinese_colours(white) and not has_eu_strip(white)
    assert has_eu_strip(eu) and not has_chinese_colours(eu)
    blue_right = eu.copy()
    blue_right[:, 13:40] = (150, 50, 0)  # a band far wider than a strip: a blue plate or a blue frame
    assert not has_eu_strip(blue_right)
    on_blue_car = white.copy()
    on_blue_car[:, :8] = (150, 50, 0)  # the blue car around a white plate, seen in the crop's margin
    assert not has_eu_strip(on_blue_car)


def test_a_yellow_body_is_told_from_a_yellow_detail() -> None:
    """A yellow plate (China's large vehicles, the Netherlands) has a yellow body; a white plate with a yellow
    picture or band over part of it does not, though the looser Chinese-colour test passes it."""
    yellow = np.zeros((40, 140, 3), np.uint8)
    yellow[:] = (20, 200, 230)  # BGR: plate yellow
    assert look_of(yellow).yellow_body and look_of(yellow).chinese_colours
    white_with_band = np.full((40, 140, 3), 235, np.uint8)
    white_with_band[:, 40:70] = (20, 200, 230)
    look = look_of(white_with_band)
    assert look.chinese_colours and not look.yellow_body
    assert not look_of(np.full((40, 140, 3), 235, np.uint8)).yellow_body
    assert not look_of(np.zeros((3, 4, 3), np.uint8)).yellow_body  # too small to tell


def test_eu_strip_is_found_inside_the_readers_margin() -> None:
    """The band sits a margin in from the crop's edge; US and Brazilian plates have none."""
    rng = random.Random(7)
    eu = [as_cut_by_reader(render_plate(random_spec(rng, ["de", "fr", "it", "es", "nl", "ro", "eu"]), rng).image,
                           rng) for _ in range(60)]
    other = [as_cut_by_reader(render_plate(random_spec(rng, ["us", "us-2row", "br-grey", "br-mercosul"]),
                                           rng).image, rng) for _ in range(60)]
    on_blue_cars = [as_cut_by_reader(render_plate(random_spec(rng, ["us", "br-grey"]), rng).image, rng,
                                     surround=blue_car(rng)) for _ in range(30)]
    assert sum(has_eu_strip(p) for p in eu) >= 48  # training/ocr/check_strip.py: 91 % of 300
    assert sum(has_eu_strip(p) for p in other) <= 1
    assert sum(has_eu_strip(p) for p in on_blue_cars) <= 1  # was 88 % before the band had to leave the edge
