"""Ranking a plate's readings by region grammar, and deciding the region, without any model: the rules the model
card states under "decision logic"."""

from __future__ import annotations

import pytest

from platewarden.domain.plates import Region
from platewarden.recognition.grammar import EU_GENERIC_ONLY_WEIGHT, grammar_weight, guess_region
from platewarden.recognition.ocr import OcrResult
from platewarden.recognition.ranking import RankedReading, better_reading, rank_readings


def result(text: str, confs: list[float], alternatives: tuple[tuple[str, float], ...] = ()) -> OcrResult:
    return OcrResult(text, tuple(confs), alternatives)


def test_eu_strip_outweighs_a_province_character() -> None:
    """The stars of an EU strip are what the OCR reads as a province character: the strip decides the region."""
    assert guess_region("辽B05MCY", eu_strip=True).region is Region.EU
    assert guess_region("辽B05MCY", eu_strip=False).region is Region.CN
    assert guess_region("皖7ABC123", eu_strip=False).region is Region.UNKNOWN  # a logo before a US registration
    assert guess_region("ABC1D23", eu_strip=False).region is Region.BR  # Mercosul: a letter in fifth place
    assert guess_region("7ABC123", eu_strip=False).region is Region.UNKNOWN
    assert guess_region("7ABC123", eu_strip=True, forced=Region.US).region is Region.US


def test_country_format_outranks_generic_layout_on_eu_plates() -> None:
    assert grammar_weight("BO123", Region.EU) == 1.0  # a German format: letters, then digits
    assert grammar_weight("B0123", Region.EU) == EU_GENERIC_ONLY_WEIGHT < 1.0  # no country's format
    assert grammar_weight("B-0", Region.EU) == 0.6  # not a plate at all
    assert grammar_weight("7ABC123", Region.UNKNOWN) == 0.8
    assert grammar_weight("辽7ABC123", Region.UNKNOWN) == 0.6  # a province character kept on a plate not judged Chinese


def test_a_country_format_alternative_wins_over_a_slightly_surer_generic_reading() -> None:
    ranked = rank_readings(result("B0123", [0.99, 0.5, 0.99, 0.99, 0.99], (("BO123", 0.47),)), eu_strip=True)
    assert [r.text for r in ranked] == ["BO123", "B0123"]
    ranked = rank_readings(result("B0123", [0.99, 0.9, 0.99, 0.99, 0.99], (("BO123", 0.09),)), eu_strip=True)
    assert ranked[0].text == "B0123"  # a weak alternative is never promoted by grammar alone


def test_province_character_on_an_eu_plate_is_dropped_not_kept() -> None:
    ranked = rank_readings(result("辽B05MCY", [0.9, 0.95, 0.9, 0.9, 0.9, 0.9, 0.9]), eu_strip=True)
    assert ranked[0].text == "B05MCY"
    assert ranked[0].confidence == pytest.approx(0.95 * 0.9**5)
    assert "辽B05MCY" in [r.text for r in ranked]  # the OCR's own reading stays an alternative


def test_province_character_before_a_registration_that_is_not_chinese_is_dropped() -> None:
    ranked = rank_readings(result("皖7ABC123", [0.7, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]), eu_strip=False)
    assert ranked[0].text == "7ABC123"


def test_doubtful_province_character_on_a_chinese_plate_is_kept() -> None:
    """No EU strip and a province character first: the plate is Chinese and a Chinese plate always has one."""
    ranked = rank_readings(result("京PL3N67", [0.45, 1.0, 1.0, 1.0, 0.99, 1.0, 1.0]), eu_strip=False)
    assert ranked[0].text == "京PL3N67"
    assert "PL3N67" not in [r.text for r in ranked]


def test_no_deletion_leaves_fewer_than_three_characters() -> None:
    ranked = rank_readings(result("京A1", [0.3, 0.9, 0.9]), eu_strip=True)
    assert [r.text for r in ranked] == ["京A1"]


def test_a_reading_too_short_for_a_plate_never_replaces_one_that_could_be() -> None:
    short, plate = RankedReading("D1", 0.95, 0.76), RankedReading("JXC103", 0.4, 0.32)
    assert not better_reading(short, plate, min_length=3)
    assert better_reading(plate, short, min_length=3)
    assert better_reading(RankedReading("JXC103", 0.5, 0.4), plate, min_length=3)
    assert not better_reading(plate, RankedReading("JXC103", 0.5, 0.4), min_length=3)
