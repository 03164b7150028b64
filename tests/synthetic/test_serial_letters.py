"""The renderer draws the letters each issuing authority uses in its serials, so that the OCR learns real plates'
odds (a bar on a US plate is far more often a 1 than an I)."""

from __future__ import annotations

import random

from platewarden.synthetic.formats import SERIAL_LETTERS, US_FULL_ALPHABET_SHARE, serial_letters
from platewarden.synthetic.plates import random_spec


def texts(style: str, n: int = 400, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    return [random_spec(rng, [style]).text for _ in range(n)]


def test_countries_that_leave_letters_out_never_get_them() -> None:
    for style, key, banned in (("fr", "FR", "IOU"), ("it", "IT", "IOQU"), ("es", "ES", "AEIOUQ"),
                               ("nl", "NL", "AEIOUCQ"), ("uk", "GB", "IQ"), ("cn-blue", "CN", "IO")):
        letters = {c for c in "".join(texts(style)) if c.isascii() and c.isalpha()}
        assert not set(banned) & letters, style
        assert letters <= set(SERIAL_LETTERS[key]), style
        assert len(letters) >= len(SERIAL_LETTERS[key]) - 2, style  # and every letter they do use, in time


def test_us_serials_mostly_avoid_letters_that_read_as_digits() -> None:
    rng = random.Random(1)
    draws = [serial_letters("us", None, rng) for _ in range(4000)]
    restricted = sum(d == SERIAL_LETTERS["US"] for d in draws)
    assert 0.8 < restricted / len(draws) < 0.9
    assert abs((len(draws) - restricted) / len(draws) - US_FULL_ALPHABET_SHARE) < 0.02
    drawn = "".join(texts("us", 1500))
    ones, eyes = drawn.count("1"), drawn.count("I")
    assert eyes > 0  # vanity-style positions and full-alphabet states still show I
    assert ones > 5 * eyes


def test_countries_without_a_rule_use_every_letter() -> None:
    rng = random.Random(2)
    assert len(serial_letters("eu", "DE", rng)) == 26
    assert len(serial_letters("eu", None, rng)) == 26
    assert len(serial_letters("br", "BR", rng)) == 26
