"""OCR training samples: a rendered plate as a detector would hand it over, degraded like a camera would.

A sample is the plate's axis-aligned box after a perspective warp, with a jittered margin (detectors are never
exact), degraded, then turned into the network input by ``platewarden.recognition.layout`` exactly as at inference.
Two-row plates are cut at their true row gap (with jitter) and laid side by side, as inference does after
``find_row_split``.
"""
from __future__ import annotations

import math
import random

import cv2
import numpy as np

from platewarden.recognition.layout import join_rows, to_gray_input
from platewarden.synthetic.glyphs import Font
from platewarden.synthetic.plates import PlateSpec, random_spec, random_spec_with_rows, render_plate
from training.synth.degrade import car_body, degrade, perspective

# How often each style is drawn: the regions we must read well get most.
STYLE_WEIGHTS = {
    "us": 30, "us-2row": 3, "de": 6, "de-2row": 2, "fr": 4, "it": 4, "es": 4, "nl": 4, "ro": 6, "uk": 5,
    "uk-2row": 2, "eu": 6, "br-grey": 3, "br-mercosul": 3, "cn-blue": 4, "cn-green": 2, "cn-yellow": 2,
}


def crop_with_margin(img: np.ndarray, x0: float, y0: float, x1: float, y1: float, rng: random.Random,
                     tight: float = -0.04, loose: float = 0.14) -> np.ndarray:
    w, h = x1 - x0, y1 - y0
    ml, mr = rng.uniform(tight, loose) * w, rng.uniform(tight, loose) * w
    mt, mb = rng.uniform(tight, loose * 1.5) * h, rng.uniform(tight, loose * 1.5) * h
    X0, Y0 = int(max(0, x0 - ml)), int(max(0, y0 - mt))
    X1, Y1 = int(min(img.shape[1], x1 + mr)), int(min(img.shape[0], y1 + mb))
    return img[Y0:max(Y0 + 2, Y1), X0:max(X0 + 2, X1)]


# The styles that draw two-row plates (cn-yellow draws one or two rows).
TWO_ROW_STYLES = ("us-2row", "de-2row", "uk-2row", "cn-yellow")


def style_weights_with(overrides: dict[str, float]) -> dict[str, float]:
    """``STYLE_WEIGHTS`` with some weights replaced; an unknown style, a weight that is not a finite number of zero or
    more, or weights that leave nothing to draw are refused."""
    unknown = sorted(set(overrides) - set(STYLE_WEIGHTS))
    if unknown:
        raise ValueError(f"unknown plate style(s) {', '.join(unknown)}; known: {', '.join(STYLE_WEIGHTS)}")
    bad = sorted(k for k, v in overrides.items() if not math.isfinite(v) or v < 0)
    if bad:
        raise ValueError(f"a style weight must be a finite number of zero or more: {', '.join(bad)}")
    weights = {**STYLE_WEIGHTS, **overrides}
    if not any(weights.values()):
        raise ValueError("the style weights leave no style to draw")
    return weights


def synthetic_sample(rng: random.Random, latin: list[Font], cjk: list[Font],
                     style_weights: dict[str, float] | None = None) -> tuple[np.ndarray, str]:
    styles, weights = zip(*(style_weights or STYLE_WEIGHTS).items(), strict=True)
    style = rng.choices(styles, weights)[0]
    return sample_of_spec(random_spec(rng, [style]), rng, latin, cjk)


def two_row_samples(n: int, seed: int, latin: list[Font], cjk: list[Font]) -> list[tuple[np.ndarray, str]]:
    """``n`` rendered two-row plates (an equal share of each two-row style), made as training makes them: a fixed
    set for validating how a network reads two rows, which none of our real validation crops shows well."""
    rng = random.Random(seed)
    return [sample_of_spec(random_spec_with_rows(rng, TWO_ROW_STYLES[k % len(TWO_ROW_STYLES)], 2), rng, latin, cjk)
            for k in range(n)]


def sample_of_spec(spec: PlateSpec, rng: random.Random, latin: list[Font], cjk: list[Font]) -> tuple[np.ndarray, str]:
    """One training sample of a drawn plate: rendered, scaled, cut (two rows laid side by side), degraded."""
    fonts = cjk if spec.region == "cn" else latin
    plate = render_plate(spec, rng, fonts, distractors=rng.random() < 0.9)
    img = plate.image
    # Cameras see plates 15-60 px high; rendering is at ~150 px. Bringing the plate to a camera-like scale first
    # makes the degradations below act at the scale they model (and makes a sample about three times cheaper).
    scale = rng.uniform(44, 100) / img.shape[0]
    if scale < 1:
        img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    if spec.rows == 2:
        # Two-row: cut first (the true gap, jittered), as inference does on the rectified plate.
        gap = int(((plate.row_spans[0][1] + plate.row_spans[1][0]) / 2 + rng.uniform(-0.04, 0.04)) * img.shape[0])
        img = join_rows(img, gap)
        warped, corners = perspective(img, rng, rng.uniform(0, 0.4))
    else:
        warped, corners = perspective(img, rng, rng.uniform(0, 1.0))
    # surrounding car body where the warp left background
    body = car_body(warped.shape[0], warped.shape[1], rng)
    mask = cv2.warpPerspective(np.full(img.shape[:2], 255, np.uint8),
                               cv2.getPerspectiveTransform(np.float32([[0, 0], [img.shape[1], 0],
                                                                       [img.shape[1], img.shape[0]],
                                                                       [0, img.shape[0]]]), corners.astype(np.float32)),
                               (warped.shape[1], warped.shape[0]))
    m = (mask.astype(np.float32) / 255)[..., None]
    scene = (warped * m + body * (1 - m)).astype(np.uint8)
    x0, y0 = corners.min(axis=0)
    x1, y1 = corners.max(axis=0)
    crop = crop_with_margin(scene, x0, y0, x1, y1, rng)
    crop = degrade(crop, rng)
    return to_gray_input(crop), spec.text
