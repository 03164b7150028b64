"""The detector's operating point, chosen on our own validation split by ``training/detector/calibrate.py`` and
stored with the weights in ``models.json`` (never fitted to the evaluation sets)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from platewarden.recognition.models import model_info


@dataclass(frozen=True)
class DetectorCalibration:
    threshold: float = 0.35  # a plate: score at or above this
    input_width: int = 640  # the first pass scans the photo fitted to this width
    candidate_threshold: float | None = None  # first-pass peaks handed to the second look (None: no second look)
    refine_plate_width: int | None = None  # the second look shows each candidate this many px wide


def detector_calibration() -> DetectorCalibration:
    """What models.json holds; the defaults above where it holds nothing usable (a model trained but not calibrated)."""
    try:
        cal = model_info()["detector"]["calibration"]
        refine = cal.get("refine_plate_width")
        candidate = cal.get("candidate_threshold")
        return DetectorCalibration(float(cal["threshold"]), int(cal.get("input_width", 640)),
                                   float(candidate) if candidate is not None else None,
                                   int(refine) if refine is not None else None)
    except (KeyError, TypeError, ValueError, AttributeError):
        return DetectorCalibration()


class ConfidenceCalibration:
    """Raw posterior → the probability that a reading is exactly right: an isotonic (monotone, piecewise-linear)
    map fitted by ``training/ocr/calibrate_confidence.py`` on our own validation crops and stored in models.json.
    Monotone, so an alternative never outranks the reading it stands behind. Without a fitted map the raw posterior
    is returned unchanged."""

    def __init__(self, xs: tuple[float, ...] = (), ys: tuple[float, ...] = ()) -> None:
        if len(xs) != len(ys) or any(b < a for a, b in pairwise(xs)) or any(b < a for a, b in pairwise(ys)):
            raise ValueError("a confidence calibration must be two monotone sequences of one length")
        self.xs, self.ys = xs, ys

    def __call__(self, raw: float) -> float:
        if not self.xs:
            return float(min(1.0, max(0.0, raw)))
        return float(np.interp(raw, self.xs, self.ys))


def confidence_calibration() -> ConfidenceCalibration:
    """What models.json holds under ``ocr.confidence_calibration``; the identity where it holds nothing usable."""
    try:
        cal = model_info()["ocr"]["confidence_calibration"]
        return ConfidenceCalibration(tuple(float(x) for x in cal["x"]), tuple(float(y) for y in cal["y"]))
    except (KeyError, TypeError, ValueError):
        return ConfidenceCalibration()
