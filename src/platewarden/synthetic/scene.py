"""A synthetic street-camera clip: cars drive towards the camera one after another, each with a known plate.

Used by ``platewarden demo`` and by tests that need frames with known plates. Plates are drawn with OpenCV's
built-in fonts, so nothing beyond the package is needed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from platewarden.synthetic.plates import PlateSpec, render_plate, spec_for_text


@dataclass(frozen=True)
class SceneCar:
    spec: PlateSpec
    body_colour: tuple[int, int, int]
    first_frame: int
    frames: int


def _background(w: int, h: int, rng: random.Random) -> np.ndarray:
    img = np.zeros((h, w, 3), np.uint8)
    sky = np.linspace(0, 1, h // 3)[:, None, None]
    img[: h // 3] = (np.array([235, 200, 150]) * (1 - sky) + np.array([200, 170, 140]) * sky).astype(np.uint8)
    img[h // 3: h // 2] = (150, 160, 165)  # distant haze behind the buildings
    for _ in range(12):  # buildings
        x = rng.randint(0, w)
        bw, bh = rng.randint(60, 200), rng.randint(80, h // 2)
        col = tuple(rng.randint(60, 160) for _ in range(3))
        cv2.rectangle(img, (x, h // 3 - bh // 2), (x + bw, h // 2 + 40), col, -1)
        for wy in range(h // 3 - bh // 2 + 10, h // 2 + 20, 24):
            for wx in range(x + 8, x + bw - 12, 22):
                cv2.rectangle(img, (wx, wy), (wx + 10, wy + 12), (90, 110, 120), -1)
    road = np.array([[w * 0.42, h * 0.45], [w * 0.58, h * 0.45], [w * 1.0, h], [0, h]], np.int32)
    img[h // 2:] = (70, 75, 80)
    cv2.fillPoly(img, [road], (90, 90, 92))
    for k in range(8):
        t0, t1 = k / 8, k / 8 + 0.05
        y0, y1 = int(h * (0.45 + 0.55 * t0)), int(h * (0.45 + 0.55 * t1))
        cv2.line(img, (w // 2, y0), (w // 2, y1), (220, 220, 220), max(1, int(2 + 6 * t0)))
    noise = np.random.default_rng(rng.randint(0, 2**31)).normal(0, 3, img.shape)
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def _draw_car(frame: np.ndarray, plate: np.ndarray, cx: float, base_y: float, scale: float,
              colour: tuple[int, int, int]) -> tuple[int, int, int, int]:
    """Draw the rear of a car centred at ``cx`` with its bottom at ``base_y``; returns the plate box."""
    cw, ch = int(420 * scale), int(300 * scale)
    x0, y0 = int(cx - cw / 2), int(base_y - ch)
    cv2.rectangle(frame, (x0, y0 + ch // 3), (x0 + cw, y0 + ch), colour, -1)
    cv2.rectangle(frame, (x0 + cw // 8, y0), (x0 + cw * 7 // 8, y0 + ch // 3), tuple(int(c * 0.8) for c in colour), -1)
    cv2.rectangle(frame, (x0 + cw // 6, y0 + ch // 20), (x0 + cw * 5 // 6, y0 + ch // 3 - 4), (60, 50, 40), -1)
    for side in (x0 + cw // 14, x0 + cw - cw // 14 - cw // 8):
        cv2.rectangle(frame, (side, y0 + ch // 2), (side + cw // 8, y0 + ch // 2 + ch // 10), (30, 30, 200), -1)
    cv2.rectangle(frame, (x0 - 4, y0 + ch - ch // 8), (x0 + cw + 4, y0 + ch), (40, 40, 40), -1)
    pw = int(cw * 0.36)
    ph = int(pw * plate.shape[0] / plate.shape[1])
    px, py = int(cx - pw / 2), int(y0 + ch * 0.62)
    H, W = frame.shape[:2]
    if px < 0 or py < 0 or px + pw > W or py + ph > H or pw < 4 or ph < 2:
        return (px, py, pw, ph)
    frame[py: py + ph, px: px + pw] = cv2.resize(plate, (pw, ph), interpolation=cv2.INTER_AREA)
    return (px, py, pw, ph)


class StreetScene:
    """``cars`` drive up one after another; each is visible for ``frames_per_car`` frames."""

    def __init__(self, plates: list[tuple[str, str]], width: int = 1280, height: int = 720,
                 frames_per_car: int = 14, seed: int = 3) -> None:
        self.width, self.height = width, height
        rng = random.Random(seed)
        self._rng = rng
        self.background = _background(width, height, rng)
        self.cars = [SceneCar(spec_for_text(text, style), (rng.randint(40, 200), rng.randint(40, 200),
                                                            rng.randint(40, 200)), i * (frames_per_car + 4),
                              frames_per_car) for i, (text, style) in enumerate(plates)]
        self._plates = [render_plate(c.spec, random.Random(seed + i), distractors=False).image
                        for i, c in enumerate(self.cars)]
        self.total_frames = self.cars[-1].first_frame + frames_per_car + 4 if self.cars else 0

    def frames(self) -> Iterator[tuple[np.ndarray, list[tuple[str, tuple[int, int, int, int]]]]]:
        """Each frame with the plates visible in it (text, box)."""
        for f in range(self.total_frames):
            frame = self.background.copy()
            visible = []
            for car, plate in zip(self.cars, self._plates, strict=True):
                k = f - car.first_frame
                if 0 <= k < car.frames:
                    t = k / max(1, car.frames - 1)
                    scale = 0.75 + 0.6 * t
                    cx = self.width * (0.5 + 0.08 * (1 - t))
                    base = self.height * (0.72 + 0.22 * t)
                    box = _draw_car(frame, plate, cx, base, scale, car.body_colour)
                    visible.append((car.spec.text, box))
            yield frame, visible

    def write_video(self, path: Path, fps: float = 10.0) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (self.width, self.height))
        if not writer.isOpened():
            raise RuntimeError(f"cannot write video {path}")
        for frame, _ in self.frames():
            writer.write(frame)
        writer.release()
        return path
