"""The recogniser: detect → rectify → OCR (one-row and, where the shape allows, two-row) → grammar ranking."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from platewarden.domain.observations import Alternative, Box, CharConfidence, PlateObservation
from platewarden.domain.plates import Region
from platewarden.recognition.appearance import PlateLook, look_of
from platewarden.recognition.calibration import detector_calibration
from platewarden.recognition.detector import Detection, PlateDetector
from platewarden.recognition.grammar import country_of
from platewarden.recognition.layout import find_row_split, join_rows
from platewarden.recognition.ocr import PlateReader
from platewarden.recognition.ranking import Ranking, better_ranking, rank_readings
from platewarden.recognition.rectify import crop_plate

TWO_ROW_MAX_ASPECT = 2.6  # plates squarer than this may hold two rows
TWO_ROW_RETRY_BELOW = 0.9  # ...and are read as two rows too when the one-row reading is less confident than this


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
        looks = [look_of(c) for c in crops]
        variants: list[tuple[int, np.ndarray]] = list(enumerate(crops))
        results = self._reader.read(crops)
        # A squarish plate may hold two rows: read it again with its rows laid side by side when the one-row reading
        # is weak (a two-row plate read as one row is often garbled), or when the plate may carry a format that can
        # vouch for a fuller reading (``better_ranking``): a confident one-row reading may be one row alone, as on a
        # Chinese yellow plate, whose big serial sits under a small province row. A US plate read surely is read
        # once: under its loose layout nothing could vouch for the second reading.
        second = [(i, join_rows(c, find_row_split(c))) for (i, c), res in zip(variants, results, strict=True)
                  if c.shape[1] / max(1, c.shape[0]) < TWO_ROW_MAX_ASPECT
                  and (res.confidence < TWO_ROW_RETRY_BELOW or self._may_vouch(looks[i]))]
        if second:
            variants += second
            results += self._reader.read([v for _, v in second])
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

    def _may_vouch(self, look: PlateLook) -> bool:
        """Whether the plate may be a two-row plate of a region whose registration format is specific enough to
        vouch for every character of a two-row reading: a yellow body (China's two-row plates are its large
        vehicles' yellow ones), an EU strip (German and British square plates), or such a region forced. (Not any
        Chinese colour: the loose test for those passes most US plates, which would all be read twice.)"""
        return look.yellow_body or look.eu_strip or self.region in (Region.CN, Region.EU, Region.BR)

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
