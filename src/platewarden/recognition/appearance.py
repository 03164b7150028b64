"""What a plate's colours say about where it comes from: the blue country strip at the left of EU plates.

Region is decided only on strong evidence (see ``grammar.guess_region``); the strip is such evidence, and it comes
before the text: its stars are what the OCR most often reads as a Chinese province character.
"""

from __future__ import annotations

import cv2
import numpy as np


def _hsv(part: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    hsv = cv2.cvtColor(part, cv2.COLOR_BGR2HSV)
    return hsv[..., 0].astype(np.int16), hsv[..., 1], hsv[..., 2]


def has_eu_strip(plate: np.ndarray) -> bool:
    """A saturated blue band at the plate's left edge on a body that is not blue (Chinese blue plates are blue all
    over)."""
    if plate.ndim != 3 or plate.shape[1] < 20:
        return False
    h, s, v = _hsv(plate[plate.shape[0] // 5: -max(1, plate.shape[0] // 5), : max(2, plate.shape[1] // 14)])
    blue = (h > 95) & (h < 130) & (s > 90) & (v > 50)
    bh, bs, _ = _hsv(plate[:, plate.shape[1] // 3: 2 * plate.shape[1] // 3])
    body_blue = ((bh > 95) & (bh < 130) & (bs > 90)).mean()
    return bool(blue.mean() > 0.5 and body_blue < 0.3)
