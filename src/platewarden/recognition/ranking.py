"""Ranking a plate's readings: the OCR's own best reading and alternatives, weighed by how well each fits the plate
grammar of the region the plate shows. Pure logic, no models: the recogniser hands it an ``OcrResult``.

Nothing here invents a character. The one reading added to the OCR's own is a *deletion*: a Chinese province
character read on a plate that is not Chinese (EU stars, a state logo, a badge) is a symbol, and the reading without
it is offered with its remaining characters' own confidences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from platewarden.domain.plates import Region
from platewarden.recognition.appearance import PlateLook
from platewarden.recognition.grammar import grammar_weight, guess_region
from platewarden.recognition.ocr import OcrResult


@dataclass(frozen=True)
class RankedReading:
    text: str
    confidence: float  # the OCR's confidence in this reading
    score: float  # confidence x grammar weight: what the ranking sorts by


@dataclass(frozen=True)
class Ranking:
    """A plate's region, decided once, and its readings weighed against that region's grammar, best first."""

    region: Region
    readings: list[RankedReading]

    @property
    def best(self) -> RankedReading:
        return self.readings[0]


def rank_readings(res: OcrResult, look: PlateLook, forced: Region | None = None) -> Ranking:
    """The readings of one plate image, best first. The region is decided once, from the plate's look and its best
    reading (or ``forced``); every reading is weighed against that region's grammar, and the region stays the
    plate's whichever reading wins."""
    region = guess_region(res.text, look, forced).region
    readings = [(res.text, res.confidence), *res.alternatives]
    latin = [(ch, c) for ch, c in zip(res.text, res.char_confidences, strict=True) if ch.isascii()]
    if region is not Region.CN and len(latin) != len(res.text) and len(latin) >= 3:
        # On a plate judged Chinese (its registration and its colours) a doubtful province character is still one:
        # no deletion there.
        readings.append(("".join(ch for ch, _ in latin), float(np.prod([c for _, c in latin]))))
    ranked = [RankedReading(t, float(c), float(c) * grammar_weight(t, region)) for t, c in readings]
    return Ranking(region, sorted(ranked, key=lambda r: -r.score))


def better_reading(a: RankedReading, b: RankedReading, min_length: int) -> bool:
    """Whether ``a`` should replace ``b`` as a plate's reading (its one-row against its two-row reading): a reading
    too short to be a plate never wins over one that could be (fewer characters multiply to a higher confidence);
    otherwise the higher score wins."""
    long_a, long_b = len(a.text) >= min_length, len(b.text) >= min_length
    if long_a != long_b:
        return long_a
    return a.score > b.score
