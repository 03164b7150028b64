"""Training and validation sets for the OCR: the synthetic pool, the hand-transcribed real crops, CCPD crops.

Splits are fixed and never depend on a model: real dash-cam crops by video (``dayride_type1_002`` is validation),
andrewmvd photos and CCPD crops by index (every fifth is validation, the "held-out fifth").
"""
from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from platewarden.evaluation.labels import LabelledPlate, ccpd_split
from platewarden.recognition.layout import to_gray_input
from training.synth.degrade import degrade
from training.synth.ocr_samples import crop_with_margin

VAL_VIDEOS = ("dayride_type1_002",)


@dataclass
class RealCrop:
    """A real plate with context around it (for margin jitter), its box inside that context, and its text."""

    image: np.ndarray
    box: tuple[int, int, int, int]
    text: str
    source: str

    def sample(self, rng: random.Random | None) -> np.ndarray:
        x, y, w, h = self.box
        if rng is None:  # validation: a fixed, slightly loose box, as the detector gives
            mx, my = int(0.05 * w), int(0.1 * h)
            crop = self.image[max(0, y - my): y + h + my, max(0, x - mx): x + w + mx]
            return to_gray_input(crop)
        crop = crop_with_margin(self.image, x, y, x + w, y + h, rng, tight=-0.03, loose=0.12)
        return to_gray_input(degrade(crop, rng, level=0.35))


def is_validation(source: str) -> bool:
    if "ro-dashcam" in source:
        return any(v in source for v in VAL_VIDEOS)
    if "andrewmvd" in source:
        digits = "".join(c for c in Path(source.split("#")[0]).stem if c.isdigit())
        return int(digits or 0) % 5 == 0
    return False


def load_real_crops(labels: Path, data: Path) -> tuple[list[RealCrop], list[RealCrop]]:
    """``real_crops.tsv`` rows with status ok → (train, validation)."""
    train, val = [], []
    if not labels.exists():
        return train, val
    with open(labels, newline="") as f:
        for row in csv.reader(f, delimiter="\t"):
            if len(row) < 7 or row[6] != "ok" or not row[5]:
                continue
            src, (x, y, w, h), text = row[0], (int(v) for v in row[1:5]), row[5]
            img = cv2.imread(str(data / src))
            if img is None:
                continue
            m = int(max(w * 0.3, h * 0.6))
            X0, Y0 = max(0, x - m), max(0, y - m)
            ctx = img[Y0: y + h + m, X0: x + w + m].copy()
            crop = RealCrop(ctx, (x - X0, y - Y0, w, h), text, src)
            (val if is_validation(src) else train).append(crop)
    return train, val


def load_openimages(labels: Path, data: Path) -> tuple[list[RealCrop], list[RealCrop]]:
    """``openimages.tsv`` rows with status ok → (train, validation), by its ``split`` column (every fifth photo in
    file-name order is validation; see ``training/labels/merge_openimages.py``)."""
    train: list[RealCrop] = []
    val: list[RealCrop] = []
    if not labels.exists():
        return train, val
    with open(labels, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["status"] != "ok" or not row["text"]:
                continue
            x, y, w, h = (int(row[k]) for k in ("x", "y", "w", "h"))
            img = cv2.imread(str(data / row["source"]))
            if img is None:
                continue
            m = int(max(w * 0.3, h * 0.6))
            X0, Y0 = max(0, x - m), max(0, y - m)
            ctx = img[Y0: y + h + m, X0: x + w + m].copy()
            crop = RealCrop(ctx, (x - X0, y - Y0, w, h), row["text"], row["source"])
            (val if row["split"] == "val" else train).append(crop)
    return train, val


def load_ccpd(data: Path) -> tuple[list[RealCrop], list[RealCrop]]:
    """CCPD crops as (training, validation), split by ``platewarden.evaluation.labels.ccpd_split``."""
    folder = data / "ccpd-crops"
    if not (folder / "labels.tsv").exists():
        return [], []

    def crops(plates: list[LabelledPlate]) -> list[RealCrop]:
        out = []
        for p in plates:
            img = cv2.imread(str(p.image))
            if img is not None:
                out.append(RealCrop(img, (0, 0, img.shape[1], img.shape[0]), p.text, f"ccpd-crops/{p.image.name}"))
        return out

    train, val = ccpd_split(folder)
    return crops(train), crops(val)


def load_pool(folder: Path) -> tuple[np.ndarray, list[str]]:
    xs, ys = [], []
    for shard in sorted(folder.glob("shard_*[0-9].npz")):
        with np.load(shard) as z:
            xs.append(z["images"])
            ys.extend(str(s) for s in z["labels"])
    if not xs:
        return np.zeros((0, 48, 160), np.uint8), []
    return np.concatenate(xs), ys
