"""Score the shipped reader, decoding and grammar ranking included, on our own OCR validation split.

    PYTHONPATH=src:. python -m training.ocr.validate_reader [--data ../shared/data/train] [--with-train]

The training loop validates the network with plain best-path decoding; a change to what happens after the network
(alternatives, grammar weights, region rules) is chosen here instead, on the same held-out real crops (RO dash-cam
video ``dayride_type1_002``, every fifth andrewmvd photo, every fifth CCPD crop), never on the evaluation sets. Each
crop goes through ``Recognizer.read_plates`` with its labelled box as the detection (as ``platewarden bench accuracy
--ocr-only`` does), so only reading is measured. ``--with-train`` scores the training crops too: the network has
learnt them, so their figures flatter it, but with ten times the crops they show what a decoding rule changes.
"""
from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import numpy as np

from platewarden.recognition.detector import Detection
from platewarden.recognition.pipeline import Recognizer, RecognizerConfig
from training.ocr.data import RealCrop, load_ccpd, load_real_crops


def read(rec: Recognizer, crop: RealCrop) -> str:
    x, y, w, h = crop.box
    corners = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float32)  # as `bench accuracy --ocr-only`
    found = rec.read_plates(crop.image, [Detection((float(x), float(y), float(w), float(h)), corners, 1.0)])
    return found[0].text if found else ""


def score(rec: Recognizer, crops: list[RealCrop]) -> tuple[int, Counter[str]]:
    right, kinds = 0, Counter[str]()
    for crop in crops:
        text = read(rec, crop)
        if text == crop.text:
            right += 1
        elif len(text) == len(crop.text):
            kinds["same length"] += 1
        else:
            kinds["longer" if len(text) > len(crop.text) else "shorter"] += 1
    return right, kinds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data/train"))
    ap.add_argument("--labels", type=Path, default=Path("training/labels/real_crops.tsv"))
    ap.add_argument("--with-train", action="store_true", help="score the training crops as well")
    a = ap.parse_args()
    real_train, real = load_real_crops(a.labels, a.data)
    ccpd_train, ccpd = load_ccpd(a.data)
    rec = Recognizer(RecognizerConfig(min_confidence=0.0, min_plate_length=0))
    sets = [("real", real), ("ccpd", ccpd)]
    if a.with_train:
        sets += [("real (training crops)", real_train), ("ccpd (training crops)", ccpd_train)]
    for name, crops in sets:
        right, kinds = score(rec, crops)
        print(f"{name}: {right}/{len(crops)} = {right / max(1, len(crops)):.1%} exact; errors {dict(kinds)}")


if __name__ == "__main__":
    main()
