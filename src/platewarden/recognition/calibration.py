"""The detector's operating point, chosen on our own validation split by ``training/detector/calibrate.py`` and
stored with the weights in ``models.json`` (never fitted to the evaluation sets)."""

from __future__ import annotations

from dataclasses import dataclass

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
