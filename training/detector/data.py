"""Detector training samples: real photos with their plate boxes, plus synthetic plates composited onto them.

Real sets: ro-dashcam frames split by video (``dayride_type1_002`` is validation), andrewmvd photos (every fifth
is validation) and the Open Images photos (every fifth in file-name order is validation, ``openimages.tsv``).
Composites add plates of every style we render at every scale and angle, with true corners; real boxes have no
corners, so the corner loss is masked for them.
"""
from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from platewarden.synthetic.plates import random_spec, render_plate
from training.detector.model import STRIDE
from training.ocr.data import is_validation
from training.synth.degrade import degrade
from training.synth.fonts import cjk_fonts, latin_fonts


@dataclass
class Scene:
    image: np.ndarray
    boxes: list[tuple[float, float, float, float]]  # x, y, w, h
    corners: list[np.ndarray | None] = field(default_factory=list)  # 4x2 or None (unknown)
    source: str = ""


OPENIMAGES_LABELS = Path("training/labels/openimages.tsv")


def _openimages_scenes(data: Path, labels: Path, max_side: int) -> tuple[list[Scene], list[Scene]]:
    """Open Images photos with every plate box but those a person judged not to be a plate, split by the labels'
    ``split`` column (every fifth photo is validation)."""
    if not labels.exists():
        return [], []
    boxes: dict[str, list[tuple[float, float, float, float]]] = {}
    split: dict[str, str] = {}
    with open(labels, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["status"] == "not_a_plate":
                continue
            x, y, w, h = (float(row[k]) for k in ("x", "y", "w", "h"))
            boxes.setdefault(row["source"], []).append((x, y, w, h))
            split[row["source"]] = row["split"]
    train, val = [], []
    for src, bs in sorted(boxes.items()):
        img = cv2.imread(str(data / src))
        if img is None:
            continue
        s = min(1.0, max_side / max(img.shape[:2]))
        if s < 1:
            img = cv2.resize(img, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
        scaled = [(x * s, y * s, w * s, h * s) for x, y, w, h in bs]
        scene = Scene(img, scaled, [None] * len(scaled), src)  # type: ignore[arg-type]
        (val if split[src] == "val" else train).append(scene)
    return train, val


def load_scenes(data: Path, max_side: int = 1024,
                openimages: Path | None = OPENIMAGES_LABELS) -> tuple[list[Scene], list[Scene]]:
    train, val = _openimages_scenes(data, openimages, max_side) if openimages else ([], [])
    labels = sorted((data / "ro-dashcam").glob("*/frames/*.txt")) + sorted((data / "andrewmvd").glob("*.txt"))
    for lab in labels:
        rows = [line.split("\t") for line in lab.read_text().splitlines() if line.strip()]
        if not rows:
            continue
        img = cv2.imread(str(lab.parent / rows[0][0]))
        if img is None or img.max() == 0:
            continue
        s = min(1.0, max_side / max(img.shape[:2]))
        if s < 1:
            img = cv2.resize(img, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
        boxes = [tuple(float(v) * s for v in r[1:5]) for r in rows if len(r) >= 5]
        src = str(lab.relative_to(data))
        scene = Scene(img, boxes, [None] * len(boxes), src)  # type: ignore[arg-type]
        (val if is_validation(src) else train).append(scene)
    return train, val


class Compositor:
    """Pastes rendered plates into scenes, with a perspective and lighting that roughly match."""

    def __init__(self) -> None:
        self.latin, self.cjk = latin_fonts(), cjk_fonts()

    def paste(self, scene: Scene, rng: random.Random) -> Scene:
        img = scene.image.copy()
        boxes, corners = list(scene.boxes), list(scene.corners)
        H, W = img.shape[:2]
        for _ in range(rng.choice([1, 1, 2, 3])):
            spec = random_spec(rng)
            plate = render_plate(spec, rng, self.cjk if spec.region == "cn" else self.latin).image
            plate = degrade(plate, rng, level=0.4)
            ph, pw = plate.shape[:2]
            target_w = rng.uniform(0.04, 0.35) * W
            s = target_w / pw
            tw, th = pw * s, ph * s
            if tw >= W - 4 or th >= H - 4:
                continue
            x0, y0 = rng.uniform(0, W - tw), rng.uniform(0, H - th)
            if any(x0 < bx + bw and bx < x0 + tw and y0 < by + bh and by < y0 + th for bx, by, bw, bh in boxes):
                continue
            dst = np.float32([[x0, y0], [x0 + tw, y0], [x0 + tw, y0 + th], [x0, y0 + th]])
            dst += np.float32([[rng.uniform(-0.08, 0.08) * tw, rng.uniform(-0.15, 0.15) * th] for _ in range(4)])
            rx0, ry0 = (int(v) for v in np.floor(np.maximum(dst.min(axis=0) - 2, 0)))
            rx1, ry1 = int(min(W, dst[:, 0].max() + 3)), int(min(H, dst[:, 1].max() + 3))
            local = dst - np.float32([rx0, ry0])
            M = cv2.getPerspectiveTransform(np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]]), local)
            size = (rx1 - rx0, ry1 - ry0)
            warped = cv2.warpPerspective(plate, M, size)
            mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), M, size)
            m = (cv2.GaussianBlur(mask, (3, 3), 0).astype(np.float32) / 255)[..., None]
            roi = img[ry0:ry1, rx0:rx1]
            # match the scene's brightness a little
            gain = np.clip(img.mean() / max(1.0, warped[mask > 0].mean()) * rng.uniform(0.9, 1.6), 0.3, 1.3)
            img[ry0:ry1, rx0:rx1] = (roi * (1 - m) + np.clip(warped * gain, 0, 255) * m).astype(np.uint8)
            bx0, by0 = dst.min(axis=0)
            bx1, by1 = dst.max(axis=0)
            boxes.append((float(bx0), float(by0), float(bx1 - bx0), float(by1 - by0)))
            corners.append(dst)
        return Scene(img, boxes, corners, scene.source)


def make_sample(scene: Scene, rng: random.Random, size: int = 256) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random scale and crop → (image 3xSxS float32, target 13 x S/4 x S/4, weights 3 x S/4 x S/4).

    Target channels: heat, log w, log h (in output cells), dx, dy (sub-cell offset), 8 corner offsets / box size.
    Weight channels: heat (always 1), box regression mask, corner mask.
    """
    img = scene.image
    if scene.boxes and rng.random() < 0.85:
        bx, by, bw, bh = rng.choice(scene.boxes)
        # choose a scale so that the plate is 16..200 px wide in the crop
        s = rng.uniform(16, 200) / max(bw, 1)
        s = float(np.clip(s, 0.15, 4.0))
        cx, cy = (bx + bw / 2) * s, (by + bh / 2) * s
        ox = cx - rng.uniform(0.1, 0.9) * size
        oy = cy - rng.uniform(0.1, 0.9) * size
        # prefer crops inside the photo, as long as the chosen plate stays in them
        cox = min(max(ox, 0.0), max(0.0, img.shape[1] * s - size))
        coy = min(max(oy, 0.0), max(0.0, img.shape[0] * s - size))
        if cox + 8 < cx < cox + size - 8 and coy + 4 < cy < coy + size - 4:
            ox, oy = cox, coy
    else:
        s = rng.uniform(0.3, 1.0)
        ox = rng.uniform(0, max(0, img.shape[1] * s - size))
        oy = rng.uniform(0, max(0, img.shape[0] * s - size))
    M = np.float32([[s, 0, -ox], [0, s, -oy]])
    crop = cv2.warpAffine(img, M, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=(rng.randint(0, 255),) * 3)
    # photometric jitter
    crop = np.clip((crop.astype(np.float32) - 128) * rng.uniform(0.7, 1.3) + 128 + rng.uniform(-30, 30), 0, 255)
    if rng.random() < 0.2:
        crop = cv2.GaussianBlur(crop, (3, 3), 0)
    g = size // STRIDE
    target = np.zeros((13, g, g), np.float32)
    weights = np.zeros((3, g, g), np.float32)
    weights[0] = 1
    ys, xs = np.mgrid[0:g, 0:g].astype(np.float32)
    for (bx, by, bw, bh), cor in zip(scene.boxes, scene.corners, strict=True):
        x0, y0, w, h = bx * s - ox, by * s - oy, bw * s, bh * s
        cx, cy = (x0 + w / 2) / STRIDE, (y0 + h / 2) / STRIDE
        if not (0 <= cx < g and 0 <= cy < g) or w < 6 or h < 3:
            continue
        sigma = max(0.6, 0.15 * min(w, h * 3) / STRIDE)
        target[0] = np.maximum(target[0], np.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * sigma**2)))
        ix, iy = int(cx), int(cy)
        target[1, iy, ix], target[2, iy, ix] = np.log(w / STRIDE), np.log(h / STRIDE)
        target[3, iy, ix], target[4, iy, ix] = cx - ix, cy - iy
        weights[1, iy, ix] = 1
        if cor is not None:
            c = cor * s - np.float32([ox, oy])
            rel = (c - np.float32([x0 + w / 2, y0 + h / 2])) / np.float32([w, h])
            target[5:13, iy, ix] = rel.reshape(-1)
            weights[2, iy, ix] = 1
    rgb = crop[..., ::-1].transpose(2, 0, 1) / 255.0
    return rgb.astype(np.float32), target, weights
