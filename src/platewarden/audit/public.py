"""The public figures the portal and the annual report show, behind one small object: aggregates only (no plate,
crop or name), published with the policy's delay. The HTTP adapters get this, not the platform it reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from platewarden.audit.annual import annual_figures
from platewarden.audit.transparency import transparency
from platewarden.runtime import Platform


class PublicFigures:
    def __init__(self, platform: Platform) -> None:
        self._platform = platform

    def recent(self, now: datetime) -> dict[str, Any]:
        """The transparency page's figures (whole days ending the policy's delay ago)."""
        return transparency(self._platform, now)

    def annual(self, year: int) -> dict[str, Any]:
        """One year's public figures (up to today for the current year)."""
        return annual_figures(self._platform, year)
