"""The detector's second look: candidates re-detected at the plate size the network knows best."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from platewarden.recognition.detector import PlateDetector, _iou
from platewarden.synthetic.scene import StreetScene

SHRINK = 0.4  # street frames shrunk into a 1280 x 720 photo: plates 45-80 px wide, as on a fixed street camera


def small_plates() -> list[tuple[np.ndarray, tuple[float, float, float, float]]]:
    """Photos with one small plate each and its true box."""
    scene = StreetScene([("8ABC234", "us"), ("KX 7204", "us"), ("B 21 GSB", "ro")], seed=3)
    out = []
    for i, (frame, visible) in enumerate(scene.frames()):
        if i % 3:
            continue
        small = cv2.resize(frame, None, fx=SHRINK, fy=SHRINK, interpolation=cv2.INTER_AREA)
        for _, (x, y, w, h) in visible:
            photo = np.full_like(frame, 90)
            photo[200:200 + small.shape[0], 300:300 + small.shape[1]] = small
            out.append((photo, (x * SHRINK + 300, y * SHRINK + 200, w * SHRINK, h * SHRINK)))
    return out


def best_iou(det: PlateDetector, photo: np.ndarray, box: tuple[float, float, float, float]) -> float:
    return max((_iou(box, d.box) for d in det.detect(photo)), default=0.0)


def test_second_look_fits_small_plates_better_than_the_first_pass() -> None:
    photos = small_plates()
    assert len(photos) >= 12
    first = PlateDetector(800, 0.15)
    second = PlateDetector(800, 0.15, refine_plate_width=128, candidate_threshold=0.1)
    before = [best_iou(first, p, b) for p, b in photos]
    after = [best_iou(second, p, b) for p, b in photos]
    assert np.mean(after) >= np.mean(before) + 0.05, (np.mean(before), np.mean(after))
    assert sum(a >= 0.5 for a in after) >= sum(b >= 0.5 for b in before)


def test_second_look_maps_back_at_the_photo_edge() -> None:
    """A plate against the left and top edges: the window reaches past the photo, the box must still land on it."""
    photo, (x, y, w, h) = small_plates()[-1]
    edge = photo[int(y) - 10:, int(x) - 6:].copy()
    box = (6.0, 10.0, w, h)
    det = PlateDetector(800, 0.15, refine_plate_width=128, candidate_threshold=0.1)
    found = det.detect(edge)
    assert found, "the plate at the edge was not found"
    assert max(_iou(box, d.box) for d in found) >= 0.5
    for d in found:
        assert np.all(np.isfinite(d.corners)) and d.corners.shape == (4, 2)


def test_second_look_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="detection threshold"):
        PlateDetector(800, 0.0)
    with pytest.raises(ValueError, match="candidate threshold"):
        PlateDetector(800, 0.2, refine_plate_width=128, candidate_threshold=0.3)
    with pytest.raises(ValueError, match="refine plate width"):
        PlateDetector(800, 0.2, refine_plate_width=500, candidate_threshold=0.1)


def test_calibration_is_read_from_the_models_record(monkeypatch: pytest.MonkeyPatch) -> None:
    import platewarden.recognition.calibration as calibration
    from platewarden.recognition import Recognizer

    shipped = calibration.detector_calibration()
    assert shipped.refine_plate_width is not None and shipped.candidate_threshold is not None
    assert shipped.candidate_threshold <= shipped.threshold
    det = Recognizer()._detector
    assert (det.input_width, det.threshold, det.refine_plate_width, det.candidate_threshold) == (
        shipped.input_width, shipped.threshold, shipped.refine_plate_width, shipped.candidate_threshold)
    # a model trained but never calibrated (or a record without the second look) falls back to one pass
    monkeypatch.setattr(calibration, "model_info", lambda: {"detector": {"calibration": {"threshold": 0.4}}})
    assert calibration.detector_calibration() == calibration.DetectorCalibration(0.4, 640, None, None)
    monkeypatch.setattr(calibration, "model_info", lambda: {"detector": {}})
    assert calibration.detector_calibration() == calibration.DetectorCalibration()
