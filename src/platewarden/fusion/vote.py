"""Per-character voting over the observations of one vehicle.

The modal length wins (weighted by confidence); then each position takes the character with the largest summed
confidence. A character's fused confidence is its share of the vote times its mean confidence, so a position
where frames disagree stays visibly uncertain.

Every text the frames offered (as their reading or an alternative) is supported by the mean, over all frames, of
the calibrated confidence each frame gives it: the chance, frame by frame, that it is the plate. The voted text is
supported at least by the product of its characters' fused confidences (it may be a text no single frame read
whole). The reading is the best-supported text, its confidence that support, and the alternatives the next ones:
one scale for all of them, so an alternative is never surer than the reading it stands behind.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from platewarden.domain.observations import Alternative, CharConfidence, PlateObservation


@dataclass(frozen=True)
class Vote:
    text: str
    chars: tuple[CharConfidence, ...]
    confidence: float
    agreeing: int
    alternatives: tuple[Alternative, ...]


def vote(observations: list[PlateObservation]) -> Vote:
    if not observations:
        raise ValueError("cannot vote over no observations")
    by_len: dict[int, float] = defaultdict(float)
    for o in observations:
        by_len[len(o.text)] += o.confidence + 1e-6
    length = max(by_len, key=lambda n: (by_len[n], n))
    same = [o for o in observations if len(o.text) == length]
    chars = []
    for i in range(length):
        weight: dict[str, float] = defaultdict(float)
        confs: dict[str, list[float]] = defaultdict(list)
        for o in same:
            c = o.chars[i] if i < len(o.chars) else CharConfidence(o.text[i], o.confidence)
            weight[c.char] += c.confidence + 1e-6
            confs[c.char].append(c.confidence)
        best = max(weight, key=lambda ch: weight[ch])
        share = weight[best] / sum(weight.values())
        chars.append(CharConfidence(best, share * sum(confs[best]) / len(confs[best])))
    voted = "".join(c.char for c in chars)
    by_chars = 1.0
    for c in chars:
        by_chars *= c.confidence
    support: dict[str, float] = defaultdict(float)
    for o in observations:
        support[o.text] += o.confidence
        for a in o.alternatives:
            support[a.text] += a.confidence
    n = len(observations)
    mean = {t: min(1.0, s / n) for t, s in support.items()}
    mean[voted] = max(mean.get(voted, 0.0), by_chars)
    ranked = sorted(mean.items(), key=lambda kv: (-kv[1], kv[0] != voted))
    text, confidence = ranked[0]
    if text != voted:  # a text read whole by the frames outweighs the character vote: its own characters
        chars = _chars_of(text, observations)
    agreeing = sum(o.text == text for o in observations)
    return Vote(text, tuple(chars), confidence, agreeing, tuple(Alternative(t, s) for t, s in ranked[1:6]))


def _chars_of(text: str, observations: list[PlateObservation]) -> list[CharConfidence]:
    """Per character of a text some frames read whole: the mean confidence those frames gave each character."""
    reading = [o for o in observations if o.text == text and len(o.chars) == len(text)]
    if not reading:
        return [CharConfidence(ch, 0.0) for ch in text]
    return [CharConfidence(ch, sum(o.chars[i].confidence for o in reading) / len(reading))
            for i, ch in enumerate(text)]
