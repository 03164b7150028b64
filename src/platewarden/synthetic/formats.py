"""Registration formats of the plate styles we render, as patterns: L letter, N digit, M a digit other than zero,
A either, P Chinese province; any other letter stands for itself. Every style's output fits a template of its
jurisdiction in ``platewarden.recognition.formats`` (a test checks it).

A pattern's rows are separated by ``/``; spaces and dashes inside a row are drawn but are not part of the text.
"""

from __future__ import annotations

import random
import string

from platewarden.recognition.alphabet import CN_PROVINCES

LETTERS = string.ascii_uppercase
DIGITS = string.digits
# Provinces, autonomous regions and municipalities (first character of Chinese plates) live in the alphabet.

US_STATES = (
    "CALIFORNIA", "TEXAS", "FLORIDA", "NEW YORK", "OHIO", "ILLINOIS", "GEORGIA", "MICHIGAN", "ARIZONA",
    "NEVADA", "OREGON", "WASHINGTON", "COLORADO", "VIRGINIA", "UTAH", "MONTANA", "IDAHO", "KANSAS",
    "MARYLAND", "NEW JERSEY", "PENNSYLVANIA", "MASSACHUSETTS", "TENNESSEE", "MISSOURI", "ALABAMA",
)
US_SLOGANS = (
    "Sunshine State", "Land of Lincoln", "Great Lakes", "Grand Canyon State", "Live Free or Die",
    "Empire State", "dmv.ca.gov", "The Lone Star State", "Keystone State", "Big Sky Country",
)

# (style, region, country, [patterns]); the renderer knows how each style looks.
STYLE_FORMATS: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "us": ("us", None, ("NLLLNNN", "LLL NNNN", "LLL-NNNN", "NNN LLL", "LL NNNNN", "NAA NNN", "LLLNNN",
                         "NNNNNN", "LLL NNN", "AAAAAA", "AAAAA", "AAAAAAA", "AAAA", "NNN NNN", "NN NNNN",
                         "N NNNNN", "NN LLLL", "NNN-NNN")),
    "us-2row": ("us", None, ("NNN/LLL", "LL/NNNN")),
    "de": ("eu", "DE", ("LL LL MNNN", "L LL MNN", "LLL L MNN", "LL L MNNN", "L L MNNN", "LLL LL MN")),
    "de-2row": ("eu", "DE", ("LL LL/MNNN", "L L/MNN")),
    "fr": ("eu", "FR", ("LL-NNN-LL",)),
    "it": ("eu", "IT", ("LL NNNLL",)),
    "es": ("eu", "ES", ("NNNN LLL",)),
    "nl": ("eu", "NL", ("NN-LLL-N", "N-LLL-NN", "LL-NNN-L", "L-NNN-LL", "LLL-NN-L", "NN-LL-LL")),
    "ro": ("eu", "RO", ("LL NN LLL", "B NN LLL", "B NNN LLL")),
    "uk": ("eu", "GB", ("LLNN LLL",)),
    "uk-2row": ("eu", "GB", ("LLNN/LLL",)),
    "eu": ("eu", None, ("LLL NNN", "LL NNN LL", "LNN LLL", "NNN LLLL", "LL NNNN", "NN LL NNN")),
    "br-grey": ("br", "BR", ("LLL-NNNN",)),
    "br-mercosul": ("br", "BR", ("LLLNLNN",)),
    "cn-blue": ("cn", "CN", ("PL NNNNN", "PL AAAAA")),
    "cn-green": ("cn", "CN", ("PL LNNNNN", "PL NNNNNL")),
    "cn-yellow": ("cn", "CN", ("PL/AAAAA", "PL AAAAA")),
}


def _without(excluded: str) -> str:
    return "".join(c for c in LETTERS if c not in excluded)


# Letters an issuing authority puts in its serial numbers, by country code (US for every state we draw). Most leave
# out the letters that read as digits (I, O, Q) or, like Spain and the Netherlands, every vowel; a renderer that
# draws them as often as any other letter teaches the OCR that a bar is as likely an I as a 1, which real plates
# contradict.
SERIAL_LETTERS: dict[str, str] = {
    "CN": _without("IO"),
    "FR": _without("IOU"),
    "IT": _without("IOQU"),
    "ES": "BCDFGHJKLMNPRSTVWXYZ",
    "NL": "BDFGHJKLMNPRSTVXZ",
    "GB": _without("IQ"),
    "US": _without("IOQ"),
}
# Share of US plates drawn with every letter: states that issue I, O and Q, and vanity plates.
US_FULL_ALPHABET_SHARE = 0.15


def serial_letters(region: str, country: str | None, rng: random.Random) -> str:
    """The letters a plate of this region and country may carry in its serial (every letter where we know no rule)."""
    if region == "us":
        return LETTERS if rng.random() < US_FULL_ALPHABET_SHARE else SERIAL_LETTERS["US"]
    key = "CN" if region == "cn" else (country or "")
    return SERIAL_LETTERS.get(key, LETTERS)


def fill_pattern(pattern: str, rng: random.Random, region: str, country: str | None = None) -> str:
    """Replace pattern symbols by random characters; keeps separators (space, dash, slash).

    L draws from the serial letters of the region and country; A (a vanity or mixed position) from every letter a
    plate of the region can show, and digits."""
    letters = serial_letters(region, country, rng)
    free = SERIAL_LETTERS["CN"] if region == "cn" else LETTERS
    out = []
    for sym in pattern:
        if sym == "L":
            out.append(rng.choice(letters))
        elif sym == "N":
            out.append(rng.choice(DIGITS))
        elif sym == "M":
            out.append(rng.choice(DIGITS[1:]))
        elif sym == "A":
            out.append(rng.choice(free + DIGITS * 2))
        elif sym == "P":
            out.append(rng.choice(CN_PROVINCES))
        else:
            out.append(sym)
    return "".join(out)


def plate_text(layout: str) -> str:
    """The registration text of a drawn layout: separators removed."""
    return "".join(c for c in layout if c not in " -/·")
