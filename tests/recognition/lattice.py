"""Hand-made OCR outputs: (T, classes) log-probabilities with the characters and probabilities a test states."""

from __future__ import annotations

import numpy as np

from platewarden.recognition.alphabet import ALPHABET


def lattice(frames: list[dict[str, float]]) -> np.ndarray:
    """One frame per dict: each character gets the probability stated, the blank the rest (at least 1e-6);
    every other class 1e-9. Characters frame by frame, a blank frame ({}) between them, as a CTC network emits."""
    out = np.full((len(frames), len(ALPHABET) + 1), 1e-9)
    for t, probs in enumerate(frames):
        for ch, p in probs.items():
            out[t, ALPHABET.index(ch) + 1] = p
        out[t, 0] = max(1e-6, 1.0 - sum(probs.values()))
    return np.log(out / out.sum(axis=1, keepdims=True))


def spelled(*chars: dict[str, float] | str) -> np.ndarray:
    """Characters separated by blank frames: "A" is A at 0.99; a dict gives several characters' probabilities."""
    frames: list[dict[str, float]] = [{}]
    for c in chars:
        frames += [{c: 0.99} if isinstance(c, str) else c, {}]
    return lattice(frames)
