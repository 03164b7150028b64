"""Accuracy per condition (day, night, infrared, angle, distance, region) on rendered plates.

The real evaluation sets are too small to split by condition, so these figures come from plates rendered by
``platewarden.synthetic`` with fixed seeds and one controlled degradation each. They show how accuracy moves with a
condition; they are not a substitute for the real-set figures, and the model card says so.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from platewarden.recognition.detector import Detection
from platewarden.recognition.pipeline import Recognizer
from platewarden.synthetic.plates import random_spec, render_plate

Transform = Callable[[np.ndarray, random.Random], np.ndarray]


def _day(img: np.ndarray, rng: random.Random) -> np.ndarray:
    return img


def _night(img: np.ndarray, rng: random.Random) -> np.ndarray:
    dark = img.astype(np.float32) * 0.25 + np.random.default_rng(rng.randint(0, 2**31)).normal(0, 6, img.shape)
    return np.clip(dark, 0, 255).astype(np.uint8)


def _infrared(img: np.ndarray, rng: random.Random) -> np.ndarray:
    g = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32)
    g = np.clip((g - g.mean()) * 1.8 + 150, 0, 255).astype(np.uint8)
    return np.asarray(cv2.cvtColor(g, cv2.COLOR_GRAY2BGR))


def _angle(degrees: float) -> Transform:
    def t(img: np.ndarray, rng: random.Random) -> np.ndarray:
        h, w = img.shape[:2]
        shift = np.tan(np.deg2rad(degrees)) * h * 0.5
        src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
        dst = np.array([[0, shift], [w, 0], [w, h], [0, h - shift]], np.float32)
        return cv2.warpPerspective(img, cv2.getPerspectiveTransform(src, dst), (w, h),
                                   borderMode=cv2.BORDER_REPLICATE)
    return t


def _far(height: int) -> Transform:
    def t(img: np.ndarray, rng: random.Random) -> np.ndarray:
        s = height / img.shape[0]
        small = cv2.resize(img, (max(4, int(img.shape[1] * s)), height), interpolation=cv2.INTER_AREA)
        return cv2.resize(small, (img.shape[1], img.shape[0]), interpolation=cv2.INTER_LINEAR)
    return t


CONDITIONS: dict[str, Transform] = {
    "day": _day, "night": _night, "infrared": _infrared, "angle 25°": _angle(25),
    "distance (plate 16 px high)": _far(16),
}
REGIONS = {"us": ["us"], "eu": ["de", "fr", "it", "es", "nl", "ro", "uk", "eu"], "br": ["br-grey", "br-mercosul"]}


@dataclass(frozen=True)
class ConditionResult:
    condition: str
    region: str
    plates: int
    exact: float


def evaluate_conditions(recognizer: Recognizer, per_cell: int = 60, seed: int = 2024) -> list[ConditionResult]:
    """Exact-read rate per (condition, region), OCR on the plate placed in a frame with a margin."""
    out = []
    for cond, transform in CONDITIONS.items():
        for region, styles in REGIONS.items():
            rng = random.Random(seed)
            correct = 0
            for _ in range(per_cell):
                spec = random_spec(rng, styles)
                correct += read_placed(recognizer, transform(render_plate(spec, rng).image, rng)) == spec.text
            out.append(ConditionResult(cond, region, per_cell, correct / per_cell))
    return out


def read_placed(recognizer: Recognizer, plate: np.ndarray) -> str:
    """The text read from a plate image placed on a grey frame and handed over with its exact box (OCR path: the
    detector is not judged here); "" when nothing is read."""
    h, w = plate.shape[:2]
    canvas = np.full((h * 2, w + w // 2, 3), 90, np.uint8)
    y0, x0 = h // 2, w // 4
    canvas[y0: y0 + h, x0: x0 + w] = plate
    corners = np.array([[x0, y0], [x0 + w, y0], [x0 + w, y0 + h], [x0, y0 + h]], np.float32)
    obs = recognizer.read_plates(canvas, [Detection((x0, y0, w, h), corners, 1.0)])
    return obs[0].text if obs else ""
