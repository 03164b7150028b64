"""Plate grammars per region: which texts are well-formed registrations, and which region/country a text implies.

Grammars only *rank* readings the OCR produced (its best reading and its alternatives); they never change or add a
character. A reading that fits a grammar of the plate's region gets a bonus over one that fits none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from platewarden.domain.plates import Region
from platewarden.recognition.alphabet import CN_PROVINCES

EU_COUNTRY_GRAMMARS: dict[str, re.Pattern[str]] = {
    "DE": re.compile(r"^[A-ZÄÖÜ]{1,3}[A-Z]{1,2}[1-9][0-9]{0,3}[EH]?$"),
    "FR": re.compile(r"^[A-Z]{2}[0-9]{3}[A-Z]{2}$"),
    "IT": re.compile(r"^[A-Z]{2}[0-9]{3}[A-Z]{2}$"),
    "ES": re.compile(r"^[0-9]{4}[BCDFGHJKLMNPRSTVWXYZ]{3}$"),
    "NL": re.compile(r"^([0-9]{2}[A-Z]{3}[0-9]|[0-9][A-Z]{3}[0-9]{2}|[A-Z]{2}[0-9]{3}[A-Z]|[A-Z][0-9]{3}[A-Z]{2}|"
                     r"[A-Z]{3}[0-9]{2}[A-Z]|[0-9]{2}[A-Z]{2}[A-Z]{2}|[A-Z]{2}[0-9]{2}[A-Z]{2})$"),
    "RO": re.compile(r"^([A-Z]{2}[0-9]{2}[A-Z]{3}|B[0-9]{2,3}[A-Z]{3})$"),
    "GB": re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z]{3}$"),
}
EU_GENERIC = re.compile(r"^(?=.*[0-9])(?=.*[A-Z])[A-Z0-9]{4,9}$")
BR_GRAMMAR = re.compile(r"^[A-Z]{3}[0-9][A-Z0-9][0-9]{2}$")
MERCOSUL = re.compile(r"^[A-Z]{3}[0-9][A-Z][0-9]{2}$")
CN_GRAMMAR = re.compile(rf"^[{CN_PROVINCES}][A-Z][A-Z0-9]{{5,6}}$")
US_GRAMMAR = re.compile(r"^[A-Z0-9]{2,8}$")


@dataclass(frozen=True)
class RegionGuess:
    region: Region
    country: str | None
    grammatical: bool


def eu_country(text: str) -> str | None:
    """The country whose format the text fits, if exactly one does (FR and IT share theirs: then None)."""
    hits = [c for c, g in EU_COUNTRY_GRAMMARS.items() if g.match(text)]
    return hits[0] if len(hits) == 1 else None


def fits(text: str, region: Region) -> bool:
    if region is Region.CN:
        return bool(CN_GRAMMAR.match(text))
    if region is Region.BR:
        return bool(BR_GRAMMAR.match(text))
    if region is Region.EU:
        return bool(EU_GENERIC.match(text))
    if region is Region.US:
        return bool(US_GRAMMAR.match(text))
    return bool(text)


def guess_region(text: str, aspect: float, eu_strip: bool, forced: Region | None = None) -> RegionGuess:
    """Region only on strong evidence: a Chinese province character, a blue EU strip, or Brazil's Mercosul format
    (a letter in fifth place, found nowhere else). Otherwise UNKNOWN: a hotlist match is then shown to the operator
    as "region not verified". The plate's aspect ratio is not used: detector boxes are too rough for it."""
    del aspect
    if forced is not None and forced is not Region.UNKNOWN:
        country = eu_country(text) if forced is Region.EU else ("BR" if forced is Region.BR else
                                                                ("CN" if forced is Region.CN else None))
        return RegionGuess(forced, country, fits(text, forced))
    if text[:1] and text[0] in CN_PROVINCES:
        return RegionGuess(Region.CN, "CN", fits(text, Region.CN))
    if eu_strip:
        return RegionGuess(Region.EU, eu_country(text), fits(text, Region.EU))
    if MERCOSUL.match(text):
        return RegionGuess(Region.BR, "BR", True)
    return RegionGuess(Region.UNKNOWN, None, bool(text))


def grammar_weight(text: str, region: Region) -> float:
    """Ranking weight: 1 for a well-formed reading of a recognised region, 0.8 when the region is unknown (nothing
    to check it against), 0.6 for a reading that breaks its region's format."""
    if region is Region.UNKNOWN:
        return 0.8
    return 1.0 if fits(text, region) else 0.6
