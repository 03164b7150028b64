"""The recogniser: detect → rectify → OCR (one-row and, where the shape allows, two-row) → grammar ranking."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from platewarden.domain.observations import Alternative, Box, CharConfidence, PlateObservation
from platewarden.domain.plates import Region
from platewarden.recognition.appearance import look_of
from platewarden.recognition.calibration import detector_calibration
from platewarden.recognition.detector import Detection, PlateDetector
from platewarden.recognition.grammar import country_of
from platewarden.recognition.layout import find_row_split, join_rows
from platewarden.recognition.ocr import PlateReader
from platewarden.recognition.ranking import Ranking, better_ranking, rank_readings
from platewarden.recognition.rectify import crop_plate

TWO_ROW_MAX_ASPECT = 2.6  # plates squarer than this may hold two rows, and are read as two rows too


@dataclass(frozen=True)
class RecognizerConfig:
    detection_threshold: float | None = None  # None: the model's calibrated threshold
    min_plate_length: int = 3
    min_confidence: float = 0.1  # below this a "plate" is noise: not reported, never stored
    input_width: int | None = None  # None: the width calibrated with the threshold
    threads: int = 1


class Recognizer:
    """Thread-compatible, not thread-safe: use one per thread (ONNX sessions are shared and safe)."""

    def __init__(self, config: RecognizerConfig | None = None, region: Region | None = None) -> None:
        self.config = config or RecognizerConfig()
        self.region = region
        cal = detector_calibration()
        threshold = self.config.detection_threshold or cal.threshold
        candidates = None if cal.candidate_threshold is None else min(cal.candidate_threshold, threshold)
        self._detector = PlateDetector(self.config.input_width or cal.input_width, threshold,
                                       threads=self.config.threads, refine_plate_width=cal.refine_plate_width,
                                       candidate_threshold=candidates)
        self._reader = PlateReader(self.config.threads)

    def recognize(self, image: np.ndarray) -> list[PlateObservation]:
        """All plates in a BGR image, most confident first."""
        dets = self._detector.detect(image)
        return self.read_plates(image, dets)

    def read_plates(self, image: np.ndarray, dets: list[Detection]) -> list[PlateObservation]:
        crops = [crop_plate(image, d) for d in dets]
        variants: list[tuple[int, np.ndarray]] = list(enumerate(crops))
        results = self._reader.read(crops)
        # A squarish plate may hold two rows: read it again with its rows laid side by side. Even a confident
        # one-row reading may be one row alone (a Chinese yellow plate's big serial under its small province row).
        second = [(i, join_rows(c, find_row_split(c))) for i, c in variants
                  if c.shape[1] / max(1, c.shape[0]) < TWO_ROW_MAX_ASPECT]
        if second:
            variants += second
            results += self._reader.read([v for _, v in second])
        looks = [look_of(c) for c in crops]
        best: dict[int, Ranking] = {}
        for (i, _), res in zip(variants, results, strict=True):
            ranking = rank_readings(res, looks[i], self.region)
            if i not in best or better_ranking(ranking, best[i], self.config.min_plate_length):
                best[i] = ranking
        out = []
        for i, ranking in best.items():
            obs = self._observation(dets[i], crops[i], ranking)
            if obs is not None:
                out.append(obs)
        return sorted(out, key=lambda o: -o.confidence)

    def _observation(self, det: Detection, crop: np.ndarray, ranking: Ranking) -> PlateObservation | None:
        text, conf = ranking.best.text, ranking.best.confidence
        if len(text) < self.config.min_plate_length or conf * det.score ** 0.5 < self.config.min_confidence:
            return None
        chars = tuple(CharConfidence(ch, cc) for ch, cc in zip(text, ranking.best.chars, strict=True))
        alternatives = tuple(Alternative(r.text, r.confidence) for r in ranking.readings[1:6] if r.text != text)
        x, y, w, h = det.box
        return PlateObservation(
            text=text, confidence=float(conf) * det.score ** 0.5, region=ranking.region,
            country=country_of(text, ranking.region),
            box=Box(round(x), round(y), round(w), round(h)),
            corners=tuple((float(px), float(py)) for px, py in det.corners), chars=chars,
            alternatives=alternatives, detector_score=det.score, crop=crop)
