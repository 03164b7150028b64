"""What a plate's colours say about where it comes from: the EU country strip, and the body colours of Chinese plates.

Region is decided only on strong evidence (see ``grammar.guess_region``). The OCR's text alone is not such evidence:
the stars of an EU strip, a state logo or a badge left of the registration can be read as a Chinese province
character, and a province character before "ABC1234" or "B12ABC" makes a text that fits the Chinese format. The
plate's own colours settle it: Chinese plates are blue, yellow or green all over; most Latin plates are white.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# Share of the plate's body in saturated blue, yellow or green from which a plate can be Chinese. Chosen on the
# training and validation crops (never the evaluation sets): 99.7 % of the 1,000 CCPD crops reach it, 11 % of our
# transcribed Latin crops do (yellow plates), and every rendered blue, yellow and green Chinese style.
CHINESE_COLOUR_SHARE = 0.1


@dataclass(frozen=True)
class PlateLook:
    eu_strip: bool  # a blue band at the left edge on a body that is not blue
    chinese_colours: bool  # a body that is saturated blue, yellow or green


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


def has_chinese_colours(plate: np.ndarray) -> bool:
    """Blue, yellow or green (new-energy plates) over enough of the plate's body, its frame and margins left out."""
    if plate.ndim != 3 or plate.shape[0] < 5 or plate.shape[1] < 6:
        return False
    H, W = plate.shape[:2]
    h, s, v = _hsv(plate[H // 5: H - H // 5, W // 6: W - W // 6])
    coloured = (s > 40) & (v > 50)
    shares = (coloured & (h > 95) & (h < 130), coloured & (h > 12) & (h < 35), coloured & (h >= 35) & (h < 95))
    return max(float(m.mean()) for m in shares) >= CHINESE_COLOUR_SHARE


def look_of(plate: np.ndarray) -> PlateLook:
    return PlateLook(has_eu_strip(plate), has_chinese_colours(plate))
