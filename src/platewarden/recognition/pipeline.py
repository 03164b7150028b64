"""The recogniser: detect → cut (rectified; a squarish plate also with its rows side by side) → OCR → posterior
over readings under plate formats (``recognition.reading``) → calibrated confidence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from platewarden.domain.observations import Alternative, Box, CharConfidence, PlateObservation
from platewarden.recognition.appearance import PlateLook, look_of
from platewarden.recognition.calibration import confidence_calibration, detector_calibration
from platewarden.recognition.detector import Detection, PlateDetector
from platewarden.recognition.jurisdictions import JurisdictionHint
from platewarden.recognition.layout import find_row_split, join_rows
from platewarden.recognition.ocr import PlateReader
from platewarden.recognition.reading import PlateReading, read_plate
from platewarden.recognition.rectify import crop_plate

TWO_ROW_MAX_ASPECT = 2.6  # plates squarer than this may hold two rows when their look says so (yellow, EU strip)
DOUBTFUL_TWO_ROW_MAX_ASPECT = 1.8  # ...and, squarer than this, whenever their one-row reading is doubtful
TWO_ROW_RETRY_BELOW = 0.9  # doubtful: a one-row posterior below this
# A one-row reading less sure than this is also read from a wider cut with these margins (the first cut has 0.05 x
# 0.08); both chosen end to end on our own validation photos by training/ocr/tune_wide_cut.py.
WIDE_RETRY_BELOW = 0.8
WIDE_MARGIN_X, WIDE_MARGIN_Y = 0.12, 0.08


def wants_two_rows(width: int, height: int, reading: PlateReading | None, look: PlateLook) -> bool:
    """Whether a plate is read again with its rows side by side. A yellow body (China's large vehicles, British rear
    plates) or an EU strip (German and British square plates) on a squarish plate says two rows are likely; a
    doubtful one-row reading of a clearly square plate (a motorcycle's, a two-row US plate) too. A one-row US plate
    (2:1 with its margin) read doubtfully is not: its two halves side by side are never a plate, and the second
    read is time the 50 ms per photo cannot spare."""
    aspect = width / max(1, height)
    if aspect >= TWO_ROW_MAX_ASPECT:
        return False
    if look.yellow_body or look.eu_strip:
        return True
    return aspect < DOUBTFUL_TWO_ROW_MAX_ASPECT and (reading is None or reading.best.posterior < TWO_ROW_RETRY_BELOW)


@dataclass(frozen=True)
class RecognizerConfig:
    detection_threshold: float | None = None  # None: the model's calibrated threshold
    min_plate_length: int = 3
    min_confidence: float = 0.1  # below this a "plate" is noise: not reported, never stored
    input_width: int | None = None  # None: the width calibrated with the threshold
    threads: int = 1


class Recognizer:
    """Thread-compatible, not thread-safe: use one per thread (ONNX sessions are shared and safe)."""

    def __init__(self, config: RecognizerConfig | None = None, hint: JurisdictionHint | None = None) -> None:
        self.config = config or RecognizerConfig()
        self.hint = hint or JurisdictionHint()
        cal = detector_calibration()
        threshold = self.config.detection_threshold or cal.threshold
        candidates = None if cal.candidate_threshold is None else min(cal.candidate_threshold, threshold)
        self._detector = PlateDetector(self.config.input_width or cal.input_width, threshold,
                                       threads=self.config.threads, refine_plate_width=cal.refine_plate_width,
                                       candidate_threshold=candidates)
        self._reader = PlateReader(self.config.threads)
        self._confidence = confidence_calibration()

    def recognize(self, image: np.ndarray, hint: JurisdictionHint | None = None) -> list[PlateObservation]:
        """All plates in a BGR image, most confident first; ``hint`` overrides the recogniser's (a camera's own)."""
        dets = self._detector.detect(image)
        return self.read_plates(image, dets, hint)

    def read_plates(self, image: np.ndarray, dets: list[Detection],
                    hint: JurisdictionHint | None = None) -> list[PlateObservation]:
        hint = hint or self.hint
        crops = [crop_plate(image, d) for d in dets]
        looks = [look_of(c) for c in crops]
        one_row = self._reader.logprobs(crops)
        cuts = [[lp] for lp in one_row]
        readings = [read_plate(c, look, hint) for c, look in zip(cuts, looks, strict=True)]
        # A plate that may hold two rows (``wants_two_rows``) is read again with its rows side by side; a doubtful
        # one-row reading may come from a box that clips the first or last character (the commonest end-to-end error
        # on US photos), so it is read again from a wider cut. Every cut of a plate is weighed in one posterior.
        again = [i for i, (c, r) in enumerate(zip(crops, readings, strict=True))
                 if wants_two_rows(c.shape[1], c.shape[0], r, looks[i])]
        wide = [i for i, r in enumerate(readings) if r is None or r.best.posterior < WIDE_RETRY_BELOW]
        more = self._reader.logprobs([join_rows(crops[i], find_row_split(crops[i])) for i in again]
                                     + [crop_plate(image, dets[i], WIDE_MARGIN_X, WIDE_MARGIN_Y) for i in wide])
        for i, lp in zip(again + wide, more, strict=True):
            cuts[i].append(lp)
        for i in set(again + wide):
            readings[i] = read_plate(cuts[i], looks[i], hint)
        out = []
        for det, crop, reading in zip(dets, crops, readings, strict=True):
            obs = None if reading is None else self._observation(det, crop, reading)
            if obs is not None:
                out.append(obs)
        return sorted(out, key=lambda o: -o.confidence)

    def _observation(self, det: Detection, crop: np.ndarray, reading: PlateReading) -> PlateObservation | None:
        text = reading.best.text
        conf = self._confidence(reading.best.posterior)
        if len(text) < self.config.min_plate_length or conf * det.score ** 0.5 < self.config.min_confidence:
            return None
        chars = tuple(CharConfidence(ch, cc) for ch, cc in zip(text, reading.best.chars, strict=True))
        alternatives = tuple(Alternative(c.text, self._confidence(c.posterior)) for c in reading.alternatives)
        x, y, w, h = det.box
        return PlateObservation(
            text=text, confidence=conf, region=reading.region, country=reading.country,
            box=Box(round(x), round(y), round(w), round(h)),
            corners=tuple((float(px), float(py)) for px, py in det.corners), chars=chars,
            alternatives=alternatives, detector_score=det.score, crop=crop,
            jurisdiction=reading.jurisdiction, format=reading.format, region_share=reading.region_share)
