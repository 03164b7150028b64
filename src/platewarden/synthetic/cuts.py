"""Rendered plates as the reader receives them: cut out of their surroundings with the reader's margin, small,
tinted and noisy. Used to choose and check rules that look at a plate crop (the EU strip) on our own data."""

from __future__ import annotations

import random

import cv2
import numpy as np

# the margin ``recognition.rectify.crop_plate`` leaves around a plate, as a share of its width and height
READER_MARGIN = (0.05, 0.08)


def as_cut_by_reader(plate: np.ndarray, rng: random.Random, surround: tuple[int, int, int] | None = None
                     ) -> np.ndarray:
    """``plate`` (BGR, plate fills it) inside the reader's margin of grey surroundings (or ``surround``, BGR),
    shrunk to a fifth to a half, each channel tinted by up to 15 %, with sensor noise and a slight blur."""
    H, W = plate.shape[:2]
    mx, my = int(W * READER_MARGIN[0]), int(H * READER_MARGIN[1])
    out = np.full((H + 2 * my, W + 2 * mx, 3), surround or (rng.randint(20, 200),) * 3, np.uint8)
    out[my:my + H, mx:mx + W] = plate
    size = (int(out.shape[1] * rng.uniform(0.2, 0.5)), int(out.shape[0] * rng.uniform(0.2, 0.5)))
    out = cv2.resize(out, size, interpolation=cv2.INTER_AREA)
    tint = np.array([rng.uniform(0.85, 1.15) for _ in range(3)])
    noise = np.random.default_rng(rng.randint(0, 999)).normal(0, 6, out.shape)
    blurred: np.ndarray = cv2.GaussianBlur(np.clip(out * tint + noise, 0, 255).astype(np.uint8), (3, 3), 0)
    return blurred


def blue_car(rng: random.Random) -> tuple[int, int, int]:
    """A blue car body colour (BGR): what surrounds a plate when a blue band in the margin is not an EU strip."""
    return (rng.randint(120, 200), rng.randint(30, 80), rng.randint(0, 40))
