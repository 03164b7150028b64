"""Plate text and regions."""

from __future__ import annotations

import re
from enum import StrEnum


class Region(StrEnum):
    """Where a plate style comes from. EU reads may also carry a country (ISO 3166 alpha-2) where it is knowable."""

    US = "us"
    EU = "eu"
    BR = "br"
    CN = "cn"
    UNKNOWN = "unknown"


_NON_ALNUM = re.compile(r"[^0-9A-Z\u4e00-\u9fff]")


def normalize_plate(text: str) -> str:
    """Upper case, letters, digits and Chinese province characters only. ``O`` and ``0`` stay distinct."""
    return _NON_ALNUM.sub("", text.upper())
