"""Best-path CTC decoding of the OCR network's output, on hand-made log-probabilities (no model)."""

from __future__ import annotations

import numpy as np
import pytest

from platewarden.recognition.alphabet import ALPHABET
from platewarden.recognition.ocr import decode


def logprobs(frames: list[tuple[str, float]], runner: str = "") -> np.ndarray:
    """(T, classes): each frame gives its character ("" for blank) the probability stated; ``runner`` (or blank)
    takes the rest."""
    out = np.full((len(frames), len(ALPHABET) + 1), 1e-9)
    for t, (ch, p) in enumerate(frames):
        k = ALPHABET.index(ch) + 1 if ch else 0
        r = ALPHABET.index(runner) + 1 if runner else 0
        out[t, k] = p
        out[t, r if r != k else 0] += 1 - p
    return np.log(out / out.sum(axis=1, keepdims=True))


def test_characters_their_confidences_and_where_they_peak() -> None:
    res = decode(logprobs([("", 0.9), ("A", 0.6), ("A", 0.8), ("", 0.9), ("", 0.9), ("7", 0.95), ("", 0.9),
                           ("A", 0.7)], runner="4"))
    assert res.text == "A7A"  # the same character on neighbouring frames is one; apart, two
    assert res.char_confidences == pytest.approx((0.8, 0.95, 0.7), abs=1e-6)
    assert res.frames == (2, 5, 7)
    assert [r[0] for r in res.runners] == ["4", "4", "4"]
    assert res.alternatives[0][0] == "A74"  # the least sure character swapped first


def test_nothing_read() -> None:
    res = decode(logprobs([("", 0.99)] * 5))
    assert res.text == "" and res.frames == () and res.confidence == 0.0
