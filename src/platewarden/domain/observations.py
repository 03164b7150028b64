"""What the recogniser sees in one frame: a plate observation with its uncertainty kept, never flattened."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from platewarden.domain.plates import Region


@dataclass(frozen=True)
class CharConfidence:
    char: str
    confidence: float


@dataclass(frozen=True)
class Alternative:
    text: str
    confidence: float


@dataclass(frozen=True)
class Box:
    """Axis-aligned box in pixels of the source frame."""

    x: int
    y: int
    w: int
    h: int

    def iou(self, other: Box) -> float:
        ix = max(0, min(self.x + self.w, other.x + other.w) - max(self.x, other.x))
        iy = max(0, min(self.y + self.h, other.y + other.h) - max(self.y, other.y))
        inter = ix * iy
        union = self.w * self.h + other.w * other.h - inter
        return inter / union if union > 0 else 0.0


@dataclass(frozen=True)
class PlateObservation:
    """One plate in one frame.

    ``confidence`` is the calibrated probability that ``text`` is exactly right (the posterior under plate formats,
    mapped through a calibration fitted on our own validation crops); ``alternatives`` are the next readings of the
    same posterior, calibrated alike (never above ``confidence``), never characters the network did not support
    (see ``platewarden.recognition.reading``). ``jurisdiction`` and ``format`` name the jurisdiction and template
    that contribute most to the reading; ``region_share`` is how much of its posterior its region holds.
    """

    text: str
    confidence: float
    region: Region
    country: str | None
    box: Box
    corners: tuple[tuple[float, float], ...] | None
    chars: tuple[CharConfidence, ...]
    alternatives: tuple[Alternative, ...]
    detector_score: float
    crop: np.ndarray | None = field(default=None, compare=False, repr=False)
    jurisdiction: str | None = None
    format: str | None = None
    region_share: float = 0.0
