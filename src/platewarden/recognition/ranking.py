"""Ranking a plate's readings: the OCR's own best reading and alternatives, weighed by how well each fits the plate
grammar of the region the plate shows. Pure logic, no models: the recogniser hands it an ``OcrResult``.

Nothing here invents a character. Three readings may be added to the OCR's own:

- a *deletion*: a Chinese province character read on a plate that is not Chinese (EU stars, a state logo, a badge)
  is a symbol, and the reading without it is offered with its remaining characters' own confidences;
- a *set-apart edge* deletion: a plate's characters are evenly spaced, so a first or last character that sits apart
  from the rest (more than ``SET_APART_PITCHES`` times the plate's character pitch) and that the OCR is not sure of
  is likely a symbol beside the registration (a state emblem, small stacked letters, a screw). The reading without it
  is offered at the price ``SET_APART_PRICE``: where both readings fit the grammar alike, the character stays only
  where the OCR is surer of it than that. Not on Chinese plates (their province character is the matter of the
  first deletion) nor on EU plates, where a lone letter standing apart is a district by format (Germany's and
  Austria's one-letter districts behind their seals, Bucharest's "B");
- on a plate judged Chinese, a *conditioned* reading: Chinese serials never use I or O, so where the OCR read one
  there, its own runner-up at that frame is taken, with the probability it keeps once the impossible letter is ruled
  out (runner-up / (1 - the impossible letter's)). "皖AI55XI" read at 0.99 on the I becomes "皖A155X1".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from platewarden.domain.plates import Region
from platewarden.recognition.appearance import PlateLook
from platewarden.recognition.grammar import CN_SERIAL_FORBIDDEN, grammar_weight, guess_region, is_registration
from platewarden.recognition.ocr import OcrResult

# An edge character further from its neighbour than this many times the median gap between the inner characters
# sits apart.
# (Our own real crops: Bucharest's "B" stands 1.7-2.0 pitches before its digits and is read at 0.98 or surer.)
SET_APART_PITCHES = 1.5
# The reading without a set-apart character pays this price, so the character stays where it is read surer than
# this; a character read surer than this is not questioned at all (no such reading is offered).
SET_APART_PRICE = 0.9
# A set-apart deletion leaves at least this many characters: three gaps are the fewest that tell a pitch, and a
# plate of three characters is rarer than a symbol misread beside one of four.
SET_APART_MIN_LEFT = 4


@dataclass(frozen=True)
class RankedReading:
    text: str
    confidence: float  # the OCR's confidence in this reading: the product of ``chars``
    score: float  # confidence x grammar weight (x the price of a dropped set-apart character): what ranking sorts by
    chars: tuple[float, ...] = ()  # each character's confidence, aligned with ``text``


@dataclass(frozen=True)
class Ranking:
    """A plate's region, decided once, and its readings weighed against that region's grammar, best first."""

    region: Region
    readings: list[RankedReading]

    @property
    def best(self) -> RankedReading:
        return self.readings[0]


def _swap_confidences(res: OcrResult, text: str, confidence: float) -> tuple[float, ...]:
    """Per-character confidences of an alternative that swaps characters of the best reading for their runners-up
    (the OCR's alternatives do; one of another length gets its confidence spread evenly)."""
    if len(text) != len(res.text):
        return tuple([confidence ** (1 / max(1, len(text)))] * len(text))
    out = []
    for i, (mine, best, conf) in enumerate(zip(text, res.text, res.char_confidences, strict=True)):
        if mine == best:
            out.append(conf)
        elif i < len(res.runners) and res.runners[i][0] == mine:
            out.append(res.runners[i][1])
        else:
            out.append(1 - conf)
    return tuple(out)


def _conditioned_on_chinese_serial(res: OcrResult) -> tuple[str, tuple[float, ...]] | None:
    """The reading with every I or O in the serial (third character on) replaced by its runner-up, conditioned on
    the letter being impossible; None when there is none to replace or a runner-up is itself impossible or blank."""
    chars, confs = list(res.text), list(res.char_confidences)
    changed = False
    for i in range(2, len(chars)):
        if chars[i] not in CN_SERIAL_FORBIDDEN:
            continue
        if i >= len(res.runners):
            return None
        runner, p = res.runners[i]
        if not runner or runner in CN_SERIAL_FORBIDDEN:
            return None
        chars[i], confs[i] = runner, min(1.0, p / max(1e-6, 1 - confs[i]))
        changed = True
    return ("".join(chars), tuple(confs)) if changed else None


def _without_set_apart_edges(res: OcrResult) -> list[tuple[str, tuple[float, ...], float]]:
    """The readings (text, confidences, price) without a first and/or last character that sits apart from the rest
    and is read less surely than ``SET_APART_PRICE``, each leaving at least ``SET_APART_MIN_LEFT`` characters; none
    when the decoder gave no frames (hand-made results)."""
    n = len(res.text)
    if len(res.frames) != n or n < SET_APART_MIN_LEFT + 1:
        return []
    gaps = np.diff(np.asarray(res.frames, dtype=np.float64))
    apart = SET_APART_PITCHES * float(np.median(gaps[1:-1]))  # the pitch between the characters not in question
    confs = res.char_confidences
    drop_first = bool(gaps[0] > apart and confs[0] < SET_APART_PRICE)
    drop_last = bool(gaps[-1] > apart and confs[-1] < SET_APART_PRICE)
    spans = [(1, n)] * drop_first + [(0, n - 1)] * drop_last
    if drop_first and drop_last and n - 2 >= SET_APART_MIN_LEFT:
        spans.append((1, n - 1))
    return [(res.text[a:b], confs[a:b], SET_APART_PRICE ** (n - (b - a))) for a, b in spans]


def rank_readings(res: OcrResult, look: PlateLook, forced: Region | None = None) -> Ranking:
    """The readings of one plate image, best first. The region is decided once, from the plate's look and its best
    reading (or ``forced``); every reading is weighed against that region's grammar, and the region stays the
    plate's whichever reading wins."""
    region = guess_region(res.text, look, forced).region
    # (text, per-character confidences, confidence, price): a reading's score is confidence x price x grammar weight
    readings: list[tuple[str, tuple[float, ...], float, float]] = [
        (res.text, res.char_confidences, res.confidence, 1.0),
        *((t, _swap_confidences(res, t, c), c, 1.0) for t, c in res.alternatives)]
    latin = [(ch, c) for ch, c in zip(res.text, res.char_confidences, strict=True) if ch.isascii()]
    if region is not Region.CN and len(latin) != len(res.text) and len(latin) >= 3:
        # On a plate judged Chinese (its registration and its colours) a doubtful province character is still one:
        # no deletion there.
        confs = tuple(c for _, c in latin)
        readings.append(("".join(ch for ch, _ in latin), confs, float(np.prod(confs)), 1.0))
    if region not in (Region.CN, Region.EU):
        offered = {r[0] for r in readings}  # a province character dropped already offers the text, at no price
        readings += [(text, confs, float(np.prod(confs)), price) for text, confs, price in _without_set_apart_edges(res)
                     if text not in offered]
    if region is Region.CN:
        conditioned = _conditioned_on_chinese_serial(res)
        if conditioned is not None:  # it replaces the same text among the swaps, which scored it unconditioned
            readings = [r for r in readings if r[0] != conditioned[0]]
            readings.append((conditioned[0], conditioned[1], float(np.prod(conditioned[1])), 1.0))
    ranked = [RankedReading(t, float(c), float(c) * price * grammar_weight(t, region), chars)
              for t, chars, c, price in readings]
    return Ranking(region, sorted(ranked, key=lambda r: -r.score))


def _score_against(a: Ranking, b: Ranking) -> float:
    """``a``'s best score, weighed against ``b``'s best reading when that holds all of ``a``'s and more characters
    and is a registration by a specific format (China's, Brazil's, an EU country's): ``a`` then also claims that
    those characters are not there, which is as likely as ``b`` is wrong about each of them. (Under the US or an
    unknown region's loose layout, the extra characters may be a state name above a one-row plate, read with the
    plate's top half: no claim. Where ``a``'s text occurs twice in ``b``'s, the first is taken as ``a``'s.)"""
    mine, other = a.best, b.best
    if (len(other.text) <= len(mine.text) or len(other.chars) != len(other.text)
            or not is_registration(other.text, b.region)):
        return mine.score
    at = other.text.find(mine.text)
    if at < 0:
        return mine.score
    extra = other.chars[:at] + other.chars[at + len(mine.text):]
    return mine.score * float(np.prod([1.0 - c for c in extra]))


def better_ranking(a: Ranking, b: Ranking, min_length: int) -> bool:
    """Whether ``a``'s best reading should replace ``b``'s as a plate's reading (its one-row against its two-row
    reading): a reading too short to be a plate never wins over one that could be (fewer characters multiply to a
    higher confidence); otherwise the higher score wins, where a reading that is part of the other counts the other's
    extra characters against itself (a two-row plate read as one row often gives its big row alone, and surely: that
    reading must not beat the whole plate's because it is shorter)."""
    long_a, long_b = len(a.best.text) >= min_length, len(b.best.text) >= min_length
    if long_a != long_b:
        return long_a
    return _score_against(a, b) > _score_against(b, a)
