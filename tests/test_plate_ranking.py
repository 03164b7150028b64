"""Ranking a plate's readings by region grammar, and deciding the region, without any model: the rules the model
card states under "decision logic"."""

from __future__ import annotations

import random

import numpy as np
import pytest

from platewarden.domain.plates import Region
from platewarden.recognition.appearance import PlateLook, has_chinese_colours, has_eu_strip, look_of
from platewarden.recognition.grammar import EU_GENERIC_ONLY_WEIGHT, grammar_weight, guess_region
from platewarden.recognition.ocr import OcrResult
from platewarden.recognition.ranking import (
    SET_APART_PRICE,
    RankedReading,
    Ranking,
    better_ranking,
    rank_readings,
)
from platewarden.synthetic.cuts import as_cut_by_reader, blue_car
from platewarden.synthetic.plates import random_spec, render_plate

WHITE = PlateLook(eu_strip=False, chinese_colours=False)  # a US plate, or an EU plate whose strip was not seen
EU = PlateLook(eu_strip=True, chinese_colours=False)
CHINESE = PlateLook(eu_strip=False, chinese_colours=True)


def result(text: str, confs: list[float], alternatives: tuple[tuple[str, float], ...] = ()) -> OcrResult:
    return OcrResult(text, tuple(confs), alternatives)


def test_region_needs_strong_evidence() -> None:
    assert guess_region("辽B05MCY", EU).region is Region.EU  # the strip's stars read as a province character
    assert guess_region("辽B05MCY", CHINESE).region is Region.CN
    assert guess_region("辽B05MCY", CHINESE).country == "CN"
    assert guess_region("ABC1D23", WHITE).region is Region.BR  # Mercosul: a letter in fifth place
    assert guess_region("7ABC123", WHITE).region is Region.UNKNOWN
    assert guess_region("7ABC123", EU, forced=Region.US).region is Region.US


@pytest.mark.parametrize("text", ["皖7ABC123", "皖ABC1234", "皖FUW999", "辽B12ABC", "辽AB12ABC"])
def test_a_province_character_on_a_white_plate_makes_no_chinese_plate(text: str) -> None:
    """Letter-first US (NY, PA, TX, AK) and Romanian registrations behind a logo read as a province character fit
    the Chinese format; without Chinese colours the plate is not Chinese and the symbol is dropped."""
    assert guess_region(text, WHITE).region is Region.UNKNOWN
    ranking = rank_readings(result(text, [0.7] + [0.9] * (len(text) - 1)), WHITE)
    assert ranking.region is Region.UNKNOWN
    assert ranking.best.text == text[1:]


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


def test_country_format_outranks_generic_layout_on_eu_plates() -> None:
    assert grammar_weight("BO123", Region.EU) == 1.0  # a German format: letters, then digits
    assert grammar_weight("B0123", Region.EU) == EU_GENERIC_ONLY_WEIGHT < 1.0  # no country's format
    assert grammar_weight("B-0", Region.EU) == 0.6  # not a plate at all
    assert grammar_weight("7ABC123", Region.UNKNOWN) == 0.8
    assert grammar_weight("辽7ABC123", Region.UNKNOWN) == 0.6  # a province character kept on a plate not judged Chinese


def test_a_country_format_alternative_wins_over_a_slightly_surer_generic_reading() -> None:
    ranking = rank_readings(result("B0123", [0.99, 0.5, 0.99, 0.99, 0.99], (("BO123", 0.47),)), EU)
    assert [r.text for r in ranking.readings] == ["BO123", "B0123"]
    ranking = rank_readings(result("B0123", [0.99, 0.9, 0.99, 0.99, 0.99], (("BO123", 0.09),)), EU)
    assert ranking.best.text == "B0123"  # a weak alternative is never promoted by grammar alone


def test_province_character_on_an_eu_plate_is_dropped_not_kept() -> None:
    ranking = rank_readings(result("辽B05MCY", [0.9, 0.95, 0.9, 0.9, 0.9, 0.9, 0.9]), EU)
    assert ranking.best.text == "B05MCY"
    assert ranking.best.confidence == pytest.approx(0.95 * 0.9**5)
    assert "辽B05MCY" in [r.text for r in ranking.readings]  # the OCR's own reading stays an alternative


def test_doubtful_province_character_on_a_chinese_plate_is_kept() -> None:
    """A Chinese registration on a plate with Chinese colours: a Chinese plate always has its province character."""
    ranking = rank_readings(result("京PL3N67", [0.45, 1.0, 1.0, 1.0, 0.99, 1.0, 1.0]), CHINESE)
    assert ranking.best.text == "京PL3N67" and ranking.region is Region.CN
    assert "PL3N67" not in [r.text for r in ranking.readings]


def test_the_region_decided_from_the_best_reading_stays_when_an_alternative_wins() -> None:
    ranking = rank_readings(result("ABC1D23", [0.99, 0.99, 0.99, 0.99, 0.5, 0.99, 0.99], (("ABC1023", 0.49),)), WHITE)
    assert ranking.region is Region.BR
    assert ranking.best.text == "ABC1023"  # Brazil's grey format fits too; the plate stays Brazilian


def test_no_deletion_leaves_fewer_than_three_characters() -> None:
    ranking = rank_readings(result("京A1", [0.3, 0.9, 0.9]), EU)
    assert [r.text for r in ranking.readings] == ["京A1"]


def unknown(reading: RankedReading) -> Ranking:
    return Ranking(Region.UNKNOWN, [reading])


def test_a_reading_too_short_for_a_plate_never_replaces_one_that_could_be() -> None:
    short, plate = unknown(RankedReading("D1", 0.95, 0.76)), unknown(RankedReading("JXC103", 0.4, 0.32))
    assert not better_ranking(short, plate, min_length=3)
    assert better_ranking(plate, short, min_length=3)
    surer = unknown(RankedReading("JXC103", 0.5, 0.4))
    assert better_ranking(surer, plate, min_length=3)
    assert not better_ranking(plate, surer, min_length=3)


def test_one_row_of_a_two_row_plate_does_not_beat_the_whole_plate() -> None:
    """A Chinese yellow plate read as one row gives its big serial alone, and surely; read with its rows side by
    side it gives the whole registration, less surely. The one-row reading claims the province row is not there."""
    big_row = unknown(RankedReading("DE0GZ", 0.97, 0.97 * 0.8, (0.99, 0.99, 0.99, 0.99, 0.99)))
    chars = (0.85, 0.9, 0.95, 0.95, 0.9, 0.95, 0.95)
    whole = Ranking(Region.CN, [RankedReading("闽WDE0GZ", float(np.prod(chars)), float(np.prod(chars)), chars)])
    assert big_row.best.score > whole.best.score  # on scores alone the part would win
    assert better_ranking(whole, big_row, min_length=3)
    assert not better_ranking(big_row, whole, min_length=3)
    # doubtful extra characters are no evidence against the shorter reading
    weak = (0.3, 0.4, 0.95, 0.95, 0.9, 0.95, 0.95)
    unsure = Ranking(Region.CN, [RankedReading("闽WDE0GZ", float(np.prod(weak)), float(np.prod(weak)), weak)])
    assert better_ranking(big_row, unsure, min_length=3)


def test_a_state_name_read_above_a_one_row_plate_is_no_evidence() -> None:
    """A one-row plate cut in two gives its top half (a state name) and the registration: the region is unknown, so
    the extra characters count for nothing and the plain scores decide."""
    one_row = unknown(RankedReading("223760", 0.999, 0.799, (0.99,) * 6))
    chars = (0.95, 0.99, 0.84, 0.41, 0.92, 1.0, 1.0, 0.69, 0.7, 1.0, 1.0, 0.99)
    cut = unknown(RankedReading("MSMMSS223760", 0.141, 0.113, chars))
    assert better_ranking(one_row, cut, min_length=3)
    # nor under a forced US region, whose layout takes almost any letters and digits
    forced = Ranking(Region.US, [RankedReading("MS223760", 0.94, 0.89, (0.99, 0.96) + (0.99,) * 6)])
    assert better_ranking(Ranking(Region.US, [RankedReading("223760", 0.94, 0.94, (0.99,) * 6)]), forced, 3)
    # nor a longer reading that breaks its region's format
    broken = Ranking(Region.CN, [RankedReading("闽WIDE0GZ", 0.5, 0.3, (0.9,) * 8)])  # no I in a Chinese serial
    assert better_ranking(unknown(RankedReading("DE0GZ", 0.97, 0.776, (0.99,) * 5)), broken, min_length=3)


def test_chinese_serial_without_i_or_o_takes_the_ocrs_runner_up() -> None:
    """Chinese serials never use I or O: on a plate judged Chinese the OCR's own runner-up is taken there, with the
    probability it keeps once the impossible letter is ruled out."""
    res = OcrResult("皖AI55XI", (1.0, 1.0, 0.99, 1.0, 1.0, 1.0, 0.92), (("皖AI55X1", 0.08),),
                    (("苏", 0.0), ("4", 0.0), ("1", 0.009), ("S", 0.0), ("S", 0.0), ("Y", 0.0), ("1", 0.07)))
    assert guess_region(res.text, CHINESE).region is Region.CN  # the layout, any letter, is the evidence
    assert grammar_weight(res.text, Region.CN) == 0.6 < grammar_weight("皖A155X1", Region.CN)
    ranking = rank_readings(res, CHINESE)
    best = ranking.best
    assert best.text == "皖A155X1"
    assert best.chars == pytest.approx((1.0, 1.0, 0.9, 1.0, 1.0, 1.0, 0.875))
    assert best.confidence == pytest.approx(0.9 * 0.875)
    assert [r.text for r in ranking.readings].count("皖A155X1") == 1  # the unconditioned swap is replaced
    # the same reading on a plate that is not Chinese is left alone: I and O are fine elsewhere
    assert all(r.text != "皖A155X1" for r in rank_readings(res, WHITE).readings)
    # a runner-up that is itself impossible, or blank, gives no conditioned reading
    stuck = OcrResult("皖AO1234", (1.0, 1.0, 0.9, 1.0, 1.0, 1.0, 1.0), (), (("", 0.0),) * 2 + (("I", 0.05),)
                      + (("", 0.0),) * 4)
    assert [r.text for r in rank_readings(stuck, CHINESE).readings] == ["皖AO1234"]


def test_alternatives_carry_their_own_character_confidences() -> None:
    res = OcrResult("B0123", (0.9, 0.6, 0.9, 0.9, 0.9), (("BO123", 0.36),),
                    (("8", 0.05), ("O", 0.4), ("I", 0.05), ("Z", 0.05), ("8", 0.05)))
    ranking = rank_readings(res, EU)
    assert ranking.best.text == "BO123"  # a German format outranks the generic layout
    assert ranking.best.chars == (0.9, 0.4, 0.9, 0.9, 0.9)
    deleted = rank_readings(result("辽B05MCY", [0.5, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]), WHITE).best
    assert deleted.text == "B05MCY" and deleted.chars == (0.9,) * 6


def spaced(text: str, confs: list[float], frames: list[int]) -> OcrResult:
    return OcrResult(text, tuple(confs), (), (), tuple(frames))


def test_a_doubtful_character_set_apart_at_an_edge_is_a_symbol() -> None:
    """Characters are evenly spaced (a pitch of 4 frames here); an emblem left of the registration, read as "0" at
    0.7 and 8 frames before it, is dropped; the reading without it stays among the alternatives' competitors."""
    ranking = rank_readings(spaced("07ABC123", [0.7] + [0.99] * 7, [2, 10, 14, 18, 22, 26, 30, 34]), WHITE)
    assert ranking.best.text == "7ABC123"
    assert ranking.best.chars == (0.99,) * 7
    assert "07ABC123" in [r.text for r in ranking.readings]
    # the same at the right edge, and at both
    assert rank_readings(spaced("7ABC123F", [0.99] * 7 + [0.6], [2, 6, 10, 14, 18, 22, 26, 36]),
                         WHITE).best.text == "7ABC123"
    assert rank_readings(spaced("07ABC123F", [0.7] + [0.99] * 7 + [0.6], [0, 8, 12, 16, 20, 24, 28, 32, 39]),
                         WHITE).best.text == "7ABC123"


def test_a_character_set_apart_stays_when_read_surer_than_the_price() -> None:
    frames = [2, 10, 14, 18, 22, 26, 30, 34]
    sure = rank_readings(spaced("B7ABC123", [SET_APART_PRICE + 0.01] + [0.99] * 7, frames), WHITE)
    assert sure.best.text == "B7ABC123" and "7ABC123" not in [r.text for r in sure.readings]
    doubtful = rank_readings(spaced("B7ABC123", [SET_APART_PRICE - 0.01] + [0.99] * 7, frames), WHITE)
    assert doubtful.best.text == "7ABC123"
    assert doubtful.best.score == pytest.approx(0.99 ** 7 * SET_APART_PRICE * 0.8)  # the price, and the unknown weight


def test_a_lone_district_letter_on_an_eu_plate_stays() -> None:
    """Germany's one-letter districts stand apart behind the seals: on a plate with an EU strip the rule is off,
    however doubtful the letter."""
    ranking = rank_readings(spaced("MAB1234", [0.6] + [0.99] * 6, [2, 12, 16, 20, 24, 28, 32]), EU)
    assert ranking.best.text == "MAB1234"
    assert "AB1234" not in [r.text for r in ranking.readings]


def test_a_set_apart_deletion_leaves_at_least_four_characters() -> None:
    assert rank_readings(spaced("7ABC", [0.6, 0.99, 0.99, 0.99], [2, 12, 16, 20]), WHITE).best.text == "7ABC"
    assert rank_readings(spaced("07ABC", [0.6] + [0.99] * 4, [2, 12, 16, 20, 24]), WHITE).best.text == "7ABC"
    both = rank_readings(spaced("07ABF", [0.6] + [0.99] * 3 + [0.6], [2, 12, 16, 20, 30]), WHITE)
    assert both.best.text in ("7ABF", "07AB")  # either edge alone, never both: three would be left
    assert "7AB" not in [r.text for r in both.readings]
    wider = rank_readings(spaced("07ABCF", [0.6] + [0.99] * 4 + [0.6], [2, 12, 16, 20, 24, 34]), WHITE)
    assert wider.best.text == "7ABC"  # both edges, four left


def test_a_province_character_set_apart_keeps_its_deletion_unpriced() -> None:
    """A logo read as a province character, standing apart: the province deletion already offers the reading
    without it, at no price; the set-apart rule must not offer it again at a worse one."""
    ranking = rank_readings(spaced("辽B05MCY", [0.5] + [0.9] * 6, [2, 12, 16, 20, 24, 28, 32]), WHITE)
    assert ranking.best.text == "B05MCY"
    assert ranking.best.score == pytest.approx(0.9 ** 6 * 0.8)
    assert [r.text for r in ranking.readings].count("B05MCY") == 1


def test_no_edge_deletion_without_frames_or_on_a_chinese_plate() -> None:
    assert rank_readings(result("07ABC123", [0.7] + [0.99] * 7), WHITE).best.text == "07ABC123"
    mismatched = OcrResult("07ABC123", (0.7,) + (0.99,) * 7, (), (), (2, 10, 14))  # frames not one per character
    assert [r.text for r in rank_readings(mismatched, WHITE).readings] == ["07ABC123"]
    chinese = rank_readings(spaced("皖A12345", [0.6] + [0.99] * 6, [2, 12, 16, 20, 24, 28, 32]), CHINESE)
    assert chinese.best.text == "皖A12345"
    assert "A12345" not in [r.text for r in chinese.readings]
