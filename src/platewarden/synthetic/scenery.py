"""Pictures printed behind the registration of many US plates: a mountain range, a sun, a portrait, waves, a plane.

Illinois prints Lincoln behind the characters, North Carolina a biplane, Idaho and Wyoming mountains, New Mexico a
sun. An OCR that has only seen plain or graded backgrounds reads the edges of such a picture as characters. Each
picture is drawn in a tint of the plate's own colour, well below the contrast of the characters, as on real plates.
"""

from __future__ import annotations

import random

import cv2
import numpy as np

# Share of US plates drawn with a picture behind the registration.
SCENERY_SHARE_US = 0.35
# How far a picture's tint may move from the plate colour, per channel (characters differ by 150 or more).
MAX_TINT = 70

SCENES = ("mountains", "sun", "portrait", "waves", "plane", "skyline")


def _tint(ground: np.ndarray, rng: random.Random) -> tuple[int, int, int]:
    shift = np.array([rng.randint(-MAX_TINT, -15) for _ in range(3)])
    return tuple(int(v) for v in np.clip(ground.astype(int) + shift, 0, 255))  # type: ignore[return-value]


def draw_scenery(img: np.ndarray, rng: random.Random, kind: str | None = None) -> str:
    """Paint one picture over the whole plate image (before its characters are drawn); returns which."""
    H, W = img.shape[:2]
    kind = kind or rng.choice(SCENES)
    ground = img[H // 2, W // 2].copy()
    colour = _tint(ground, rng)
    if kind == "mountains":
        xs = np.linspace(0, W, rng.randint(4, 9))
        peaks = [(int(x), int(H * rng.uniform(0.35, 0.75))) for x in xs]
        cv2.fillPoly(img, [np.array([(0, H), *peaks, (W, H)], np.int32)], colour, cv2.LINE_AA)
    elif kind == "sun":
        cx, cy, r = int(W * rng.uniform(0.2, 0.8)), int(H * rng.uniform(0.3, 0.7)), int(H * rng.uniform(0.25, 0.45))
        cv2.circle(img, (cx, cy), r, colour, -1, cv2.LINE_AA)
        for a in np.linspace(0, 2 * np.pi, rng.choice([8, 12, 16]), endpoint=False):
            cv2.line(img, (int(cx + r * 1.1 * np.cos(a)), int(cy + r * 1.1 * np.sin(a))),
                     (int(cx + r * 1.6 * np.cos(a)), int(cy + r * 1.6 * np.sin(a))), colour, max(2, r // 8))
    elif kind == "portrait":  # head and shoulders, faint, in the middle of the plate
        cx = int(W * rng.uniform(0.35, 0.65))
        cv2.ellipse(img, (cx, int(H * 0.42)), (int(H * 0.17), int(H * 0.23)), 0, 0, 360, colour, -1, cv2.LINE_AA)
        cv2.ellipse(img, (cx, int(H * 0.95)), (int(H * 0.42), int(H * 0.3)), 0, 180, 360, colour, -1, cv2.LINE_AA)
    elif kind == "waves":
        for k in range(rng.randint(2, 4)):
            y0 = H * (0.45 + 0.15 * k)
            pts = [(int(x), int(y0 + H * 0.05 * np.sin(x / W * rng.uniform(6, 14)))) for x in np.linspace(0, W, 40)]
            cv2.polylines(img, [np.array(pts, np.int32)], False, colour, max(2, H // 30), cv2.LINE_AA)
    elif kind == "plane":
        cx, cy, s = W * rng.uniform(0.2, 0.8), H * rng.uniform(0.3, 0.6), H * rng.uniform(0.15, 0.3)
        body = np.array([(cx - 2 * s, cy), (cx + 2 * s, cy - s * 0.15), (cx + 2 * s, cy + s * 0.15)], np.int32)
        wing = np.array([(cx - s * 0.3, cy - s), (cx + s * 0.3, cy - s), (cx + s * 0.3, cy + s),
                         (cx - s * 0.3, cy + s)], np.int32)
        cv2.fillPoly(img, [body, wing], colour, cv2.LINE_AA)
    else:  # skyline
        x = 0
        while x < W:
            bw, bh = rng.randint(max(1, W // 30), max(1, W // 10)), int(H * rng.uniform(0.15, 0.5))
            cv2.rectangle(img, (x, H - bh), (x + bw, H), colour, -1)
            x += bw + rng.randint(0, W // 40)  # bw >= 1: the row always ends
    return kind
