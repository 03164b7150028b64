"""Observations of one vehicle across frames → one Read."""

from platewarden.fusion.fuser import Fuser, TimedObservation

__all__ = ["Fuser", "TimedObservation"]
