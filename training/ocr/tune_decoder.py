"""Choose the decoder's format weight and off-format weight on our own validation crops (never an evaluation set).

    PYTHONPATH=src:. python -m training.ocr.tune_decoder [--data ../shared/data/train]

Prints, for each (format weight, off-format weight), the exact rate per validation set with no hint (``auto``) and
with the plate's country as the hint, as the recogniser would read them (two-row cut under the same rule); the
setting with the best mean is marked. The chosen values live in ``recognition/reading.py`` (``FORMAT_WEIGHT``) and
``recognition/formats/plate_formats.yaml`` (``off_format_weight``).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from platewarden.recognition.jurisdictions import parse_hint
from platewarden.recognition.pipeline import wants_two_rows
from platewarden.recognition.reading import PlateReading, read_plate
from training.ocr.own_validation import ReadCrop, own_validation, read_crops


def reading(c: ReadCrop, hint: str, weight: float, off: float) -> PlateReading | None:
    h = parse_hint(hint)
    r = read_plate([c.one_row], c.look, h, weight, off)
    if c.two_row is not None and wants_two_rows(*c.shape, r, c.look):
        r = read_plate([c.one_row, c.two_row], c.look, h, weight, off)
    return r


def exact(crops: list[ReadCrop], hinted: bool, weight: float, off: float) -> dict[str, float]:
    out = {}
    for name in dict.fromkeys(c.set for c in crops):
        mine = [c for c in crops if c.set == name]
        right = 0
        for c in mine:
            r = reading(c, c.hint if hinted else "auto", weight, off)
            right += r is not None and r.best.text == c.truth
        out[name] = right / len(mine)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data/train"))
    ap.add_argument("--weights", default="0.5,0.75,1.0,1.5")
    ap.add_argument("--offs", default="0.01,0.003,0.001,0.0003,0.0001")
    a = ap.parse_args()
    crops = read_crops(own_validation(a.data))
    print(f"{len(crops)} validation crops: " + ", ".join(
        f"{n} {sum(c.set == n for c in crops)}" for n in dict.fromkeys(c.set for c in crops)))
    rows = []
    for w in (float(v) for v in a.weights.split(",")):
        for off in (float(v) for v in a.offs.split(",")):
            auto, hinted = exact(crops, False, w, off), exact(crops, True, w, off)
            score = float(np.mean([*auto.values(), *hinted.values()]))
            rows.append((score, w, off, auto, hinted))
            print(f"weight {w:<5g} off-format {off:<7g} mean {score:.4f}  auto: "
                  + " ".join(f"{k} {v:.3f}" for k, v in auto.items()) + "  hinted: "
                  + " ".join(f"{k} {v:.3f}" for k, v in hinted.items()), flush=True)
    best = max(rows, key=lambda r: r[0])
    print(f"best: weight {best[1]:g}, off-format {best[2]:g} (mean exact {best[0]:.4f})")


if __name__ == "__main__":
    main()
