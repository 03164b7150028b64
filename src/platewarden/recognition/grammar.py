"""Plate grammars per region: which texts are well-formed registrations, and which region/country a text implies.

Grammars only *rank* readings the OCR produced (its best reading and its alternatives); they never change or add a
character. A reading that fits a grammar of the plate's region gets a bonus over one that fits none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from platewarden.domain.plates import Region
from platewarden.recognition.alphabet import CN_PROVINCES
from platewarden.recognition.appearance import PlateLook

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
# A Chinese registration: province character, issuing-office letter, five (six on new-energy plates) serial
# characters. The serial never uses I or O (GA 36-2018: they would be read as 1 and 0), so a reading with one there
# breaks the format; the looser layout, any letter, is what counts as evidence that the plate is Chinese at all.
CN_LAYOUT = re.compile(rf"^[{CN_PROVINCES}][A-Z][A-Z0-9]{{5,6}}$")
CN_GRAMMAR = re.compile(rf"^[{CN_PROVINCES}][A-Z][A-HJ-NP-Z0-9]{{5,6}}$")
CN_SERIAL_FORBIDDEN = "IO"
US_GRAMMAR = re.compile(r"^[A-Z0-9]{2,8}$")
# On a plate with an EU strip, a reading that fits only the generic layout (no country's format) ranks below one
# that fits a country's: "B0123" (no format) against "BO123" (German), say.
EU_GENERIC_ONLY_WEIGHT = 0.9


@dataclass(frozen=True)
class RegionGuess:
    region: Region
    country: str | None


def eu_countries(text: str) -> list[str]:
    """The EU countries whose registration format the text fits."""
    return [c for c, g in EU_COUNTRY_GRAMMARS.items() if g.match(text)]


def eu_country(text: str) -> str | None:
    """The country whose format the text fits, if exactly one does (FR and IT share theirs: then None)."""
    hits = eu_countries(text)
    return hits[0] if len(hits) == 1 else None


def country_of(text: str, region: Region) -> str | None:
    """The country a reading names within its plate's region, where knowable."""
    if region is Region.EU:
        return eu_country(text)
    return {Region.BR: "BR", Region.CN: "CN"}.get(region)


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


def is_registration(text: str, region: Region) -> bool:
    """Whether the text is a registration by a format specific enough to vouch for every character: China's, Brazil's
    or an EU country's. The US and generic EU layouts accept almost any letters and digits, so they never vouch."""
    if region is Region.CN:
        return bool(CN_GRAMMAR.match(text))
    if region is Region.BR:
        return bool(BR_GRAMMAR.match(text))
    if region is Region.EU:
        return bool(eu_countries(text))
    return False


def guess_region(text: str, look: PlateLook, forced: Region | None = None) -> RegionGuess:
    """Region only on strong evidence: a blue EU strip; a Chinese registration (a province character, a letter, five
    or six more) on a plate with Chinese colours; Brazil's Mercosul format (a letter in fifth place, found nowhere
    else). Otherwise UNKNOWN: a hotlist match is then shown to the operator as "region not verified".

    The strip comes first: its stars are what the OCR most often reads as a province character. The text alone
    cannot make a plate Chinese: a logo read as a province character before "ABC1234" fits the Chinese format, so the
    plate's colours must agree. (Cost, measured on our own crops: a washed-out Chinese plate, 2 of 1,000 CCPD crops,
    loses its province character; ``--region cn`` keeps it.) The aspect ratio is not used: detector boxes are too
    rough for it."""
    if forced is not None and forced is not Region.UNKNOWN:
        return RegionGuess(forced, country_of(text, forced))
    if look.eu_strip:
        return RegionGuess(Region.EU, eu_country(text))
    if CN_LAYOUT.match(text) and look.chinese_colours:
        return RegionGuess(Region.CN, "CN")
    if MERCOSUL.match(text):
        return RegionGuess(Region.BR, "BR")
    return RegionGuess(Region.UNKNOWN, None)


def grammar_weight(text: str, region: Region) -> float:
    """Ranking weight: 1 for a well-formed reading of a recognised region, 0.8 when the region is unknown (nothing
    to check it against), 0.6 for a reading that breaks its region's format; with the region unknown, a reading that
    keeps a province character breaks it too (the best reading did not make the plate Chinese: it is a symbol)."""
    if region is Region.UNKNOWN:
        return 0.8 if text.isascii() else 0.6
    if region is Region.EU and fits(text, region) and not eu_countries(text):
        return EU_GENERIC_ONLY_WEIGHT
    return 1.0 if fits(text, region) else 0.6
