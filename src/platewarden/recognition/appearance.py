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
# Share of the body in yellow from which a plate has a yellow body: China's large-vehicle plates (two rows at the
# rear), Dutch plates. ``training/ocr/check_strip.py`` gives the figures: every rendered cn-yellow and nl plate cut
# as the reader cuts them, 7 % of US and 3 % of Brazilian grey ones, no blue or green Chinese one; 46 of our 982
# transcribed real crops.
YELLOW_BODY_SHARE = 0.4


@dataclass(frozen=True)
class PlateLook:
    eu_strip: bool  # a blue band at the left edge, a body that is not blue
    chinese_colours: bool  # a body that is saturated blue, yellow or green
    yellow_body: bool = False  # a body mostly yellow (a Chinese large-vehicle plate, a Dutch one)


def _hsv(part: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    hsv = cv2.cvtColor(part, cv2.COLOR_BGR2HSV)
    return hsv[..., 0].astype(np.int16), hsv[..., 1], hsv[..., 2]


def _blue(h: np.ndarray, s: np.ndarray, v: np.ndarray) -> np.ndarray:
    return (h > 95) & (h < 130) & (s > 90) & (v > 50)


def _longest_run(flags: np.ndarray) -> tuple[int, int]:
    """(start, length) of the longest run of True in a 1-D array; (0, 0) when there is none."""
    best, start, run = (0, 0), 0, 0
    for i, flag in enumerate(flags):
        run = run + 1 if flag else 0
        if run == 1:
            start = i
        if run > best[1]:
            best = (start, run)
    return best


def has_eu_strip(plate: np.ndarray) -> bool:
    """A saturated blue band at the plate's left edge, with a body that is not blue on its right.

    The plate reaches the reader cut with a margin (``rectify.crop_plate``: 5 % of its width each side, more when the
    detector's box is loose), so the band is looked for anywhere in the crop's left quarter, as the columns that are
    mostly blue. The longest run of them must start within the first 15 % of the width but not at the crop's edge (a
    blue car around a plate is blue from the edge on; an EU plate on a blue car is missed, and stays "unknown"), and
    be 3-15 % of it wide (the band is 8-9 % of a one-row plate). The tenth of the width right after it must be mostly
    not blue (a blue plate, or a blue frame, is blue there too), and so must the plate's middle third. Thresholds
    chosen on our own data; ``training/ocr/check_strip.py`` measures them."""
    if plate.ndim != 3 or plate.shape[1] < 20 or plate.shape[0] < 5:
        return False
    H, W = plate.shape[:2]
    rows = plate[H // 5: H - max(1, H // 5)]
    blue_columns = _blue(*_hsv(rows[:, : max(2, W // 4)])).mean(axis=0) > 0.5
    start, width = _longest_run(blue_columns)
    if start == 0 or width < max(2, 0.03 * W) or width > 0.15 * W or start > 0.15 * W:
        return False
    after = rows[:, start + width: start + width + max(2, W // 10)]
    if _blue(*_hsv(after)).mean() > 0.2:
        return False
    # the body is white or yellow, never blue: the hue band is wider here to catch washed-out teal Chinese plates
    bh, bs, _ = _hsv(plate[:, W // 3: 2 * W // 3])
    return bool(((bh > 85) & (bh < 135) & (bs > 80)).mean() < 0.3)


def _colour_shares(plate: np.ndarray) -> tuple[float, float, float]:
    """Shares of the plate's body (frame and margins left out) in saturated blue, yellow and green."""
    if plate.ndim != 3 or plate.shape[0] < 5 or plate.shape[1] < 6:
        return 0.0, 0.0, 0.0
    H, W = plate.shape[:2]
    h, s, v = _hsv(plate[H // 5: H - H // 5, W // 6: W - W // 6])
    coloured = (s > 40) & (v > 50)
    blue, yellow, green = (coloured & (h > 95) & (h < 130), coloured & (h > 12) & (h < 35),
                           coloured & (h >= 35) & (h < 95))
    return float(blue.mean()), float(yellow.mean()), float(green.mean())


def has_chinese_colours(plate: np.ndarray) -> bool:
    """Blue, yellow or green (new-energy plates) over enough of the plate's body, its frame and margins left out."""
    return max(_colour_shares(plate)) >= CHINESE_COLOUR_SHARE


def look_of(plate: np.ndarray) -> PlateLook:
    shares = _colour_shares(plate)
    return PlateLook(has_eu_strip(plate), max(shares) >= CHINESE_COLOUR_SHARE, shares[1] >= YELLOW_BODY_SHARE)
