"""The posterior reading under plate formats and jurisdiction hints, on hand-made network outputs (no model)."""

from __future__ import annotations

import pytest

from platewarden.domain.plates import Region
from platewarden.recognition.appearance import PlateLook
from platewarden.recognition.calibration import ConfidenceCalibration
from platewarden.recognition.jurisdictions import (
    JurisdictionHint,
    UnknownJurisdictionError,
    jurisdiction_prior,
    parse_hint,
)
from platewarden.recognition.reading import read_plate
from tests.recognition.lattice import spelled

PLAIN = PlateLook(eu_strip=False, chinese_colours=False)
EU_STRIP = PlateLook(eu_strip=True, chinese_colours=False)
CHINESE = PlateLook(eu_strip=False, chinese_colours=True, yellow_body=True)
AUTO = JurisdictionHint()


def test_a_format_reading_beats_one_confident_wrong_character() -> None:
    """The issue's JSK54I9: under Brazil's grey format the network's own 1 wins over its surer I."""
    lp = spelled("J", "S", "K", "5", "4", {"I": 0.7, "1": 0.29}, "9")
    reading = read_plate([lp], PLAIN, parse_hint("br"))
    assert reading is not None
    assert reading.best.text == "JSK5419"
    assert reading.region is Region.BR and reading.country == "BR" and reading.format == "L{3} D{4}"
    assert "JSK54I9" in [c.text for c in reading.alternatives]


def test_a_vanity_plate_survives_a_format_alternative() -> None:
    """LIQWRLD read surely: one character's runner-up (a 4 at 2 %) would make a serial, but a personalised plate is
    a template of its own and the network is sure."""
    lp = spelled("L", "I", "Q", {"W": 0.97, "4": 0.02}, "R", "L", "D")
    reading = read_plate([lp], PLAIN, parse_hint("us"))
    assert reading is not None and reading.best.text == "LIQWRLD"
    assert reading.format == "A{2,7}"


def test_a_hint_concentrates_the_prior() -> None:
    ca = jurisdiction_prior(parse_hint("us-ca"), "plain")
    assert ca["us-ca"] > 0.8 and sum(ca.values()) == pytest.approx(1.0)
    us = jurisdiction_prior(parse_hint("us"), "plain")
    assert sum(v for k, v in us.items() if k.startswith("us-")) > 0.95
    auto_eu = jurisdiction_prior(AUTO, "eu_strip")
    assert sum(v for k, v in auto_eu.items() if not k.startswith("us")) > 0.9
    mixed = jurisdiction_prior(parse_hint("us-ca:0.7,us-nv:0.3"), "plain")
    assert mixed["us-ca"] > mixed["us-nv"] > mixed["us-tx"]


def test_the_region_is_a_posterior_and_unknown_when_split() -> None:
    """ABC1234 is a US serial and a Brazilian grey plate alike: with no hint the region is split; with one, not."""
    lp = spelled("A", "B", "C", "1", "2", "3", "4")
    auto = read_plate([lp], PLAIN, AUTO)
    assert auto is not None and auto.best.text == "ABC1234" and auto.region is Region.UNKNOWN
    assert 0 < auto.region_share < 0.8
    us = read_plate([lp], PLAIN, parse_hint("us"))
    assert us is not None and us.region is Region.US and us.region_share >= 0.8
    eu = read_plate([spelled("B", "A", "3", "0", "2", "O", "Z")], EU_STRIP, AUTO)
    assert eu is not None and eu.region is Region.EU


def test_a_province_character_is_kept_only_where_the_plate_may_be_chinese() -> None:
    lp = spelled({"皖": 0.8}, "A", "1", "2", "3", "4", "5")
    chinese = read_plate([lp], CHINESE, AUTO)
    assert chinese is not None and chinese.best.text == "皖A12345" and chinese.region is Region.CN
    stars = read_plate([spelled({"皖": 0.8}, "B", "A", "3", "0", "2", "O", "Z")], EU_STRIP, AUTO)
    assert stars is not None and stars.best.text == "BA302OZ"  # the EU strip's stars are no province


def test_confidences_never_disagree_with_the_order() -> None:
    """The best reading's posterior is at least every alternative's, and a monotone calibration keeps it so."""
    lp = spelled("7", "A", {"B": 0.5, "8": 0.45}, "C", "1", "2", "3")
    reading = read_plate([lp], PLAIN, parse_hint("us-ca"))
    assert reading is not None
    cal = ConfidenceCalibration((0.0, 0.5, 0.9, 1.0), (0.0, 0.3, 0.85, 0.97))
    assert all(cal(a.posterior) <= cal(reading.best.posterior) for a in reading.alternatives)
    assert all(c >= reading.best.posterior - 1e-9 for c in reading.best.chars)  # a character is surer than all
    with pytest.raises(ValueError, match="monotone"):
        ConfidenceCalibration((0.0, 0.5), (0.6, 0.2))


def test_nothing_read_gives_no_reading() -> None:
    assert read_plate([spelled()], PLAIN, AUTO) is None


@pytest.mark.parametrize("code", ["us-zz", "Germany", "RUS", "us-ca:x", "auto,us", "us:-1"])
def test_an_unknown_jurisdiction_is_a_clear_error(code: str) -> None:
    with pytest.raises(UnknownJurisdictionError) as err:
        parse_hint(code)
    if ":" not in code and "," not in code:
        assert "valid: auto" in str(err.value) and "us-ca" in str(err.value)


def test_hints_are_parsed_and_normalised() -> None:
    assert parse_hint("auto").is_auto and parse_hint(None).is_auto
    assert parse_hint("US-CA").weights == (("us-ca", 1.0),)
    assert parse_hint(["us-ca", "us-nv"]).weights == (("us-ca", 0.5), ("us-nv", 0.5))
    assert parse_hint({"de": 3, "at": 1}).weights == (("de", 0.75), ("at", 0.25))
    assert str(parse_hint("eu")) == "eu"
