"""Per-character voting over the observations of one vehicle.

The modal length wins (weighted by confidence); then each position takes the character with the largest summed
confidence. A character's fused confidence is its share of the vote times its mean confidence, so a position
where frames disagree stays visibly uncertain. The overall confidence is the product over characters.
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
    text = "".join(c.char for c in chars)
    confidence = 1.0
    for c in chars:
        confidence *= c.confidence
    agreeing = sum(o.text == text for o in observations)
    # Alternatives: other texts seen, scored by their mean support across all frames.
    support: dict[str, float] = defaultdict(float)
    for o in observations:
        support[o.text] += o.confidence
        for a in o.alternatives:
            support[a.text] += a.confidence
    n = len(observations)
    alts = sorted(((t, s / n) for t, s in support.items() if t != text), key=lambda x: -x[1])[:5]
    return Vote(text, tuple(chars), confidence, agreeing, tuple(Alternative(t, min(1.0, s)) for t, s in alts))
