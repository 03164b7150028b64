"""ISO 3166 codes for the jurisdictions of sharing agreements and the policy's forbidden list.

A jurisdiction is an ISO 3166-1 country (``NL``; its alpha-3 code or English name is accepted and normalised to
alpha-2, so a forbidden ``RU`` cannot be bypassed as ``RUS`` or ``Russia``) or an ISO 3166-2 subdivision
(``DE-NW``, ``US-CA``), looked up in pycountry's copy of the ISO tables. Anything else is refused with an example.
"""

from __future__ import annotations

import re

import pycountry

_SUBDIVISION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")


class UnknownJurisdiction(ValueError):
    """Not an ISO 3166-1 country or ISO 3166-2 subdivision."""


def iso_jurisdiction(code: str) -> str:
    """The normalised code (``NL``, ``DE-NW``) of a country or subdivision; ``UnknownJurisdiction`` otherwise."""
    text = (code or "").strip()
    upper = text.upper()
    if _SUBDIVISION.match(upper):
        if pycountry.subdivisions.get(code=upper) is not None:  # type: ignore[no-untyped-call]
            return upper
    elif text:
        try:
            return str(pycountry.countries.lookup(text).alpha_2)
        except LookupError:
            pass
    raise UnknownJurisdiction(f"jurisdiction {code!r} is not an ISO 3166-1 country or ISO 3166-2 subdivision code "
                              "(e.g. NL, DE-NW, US-CA)")
