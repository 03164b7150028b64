"""Choose the detector's score threshold and input width on our own validation split (never on the evaluation sets).

    python -m training.detector.calibrate

For each input width and threshold, recall at IoU 0.3 and false positives per image on the held-out validation
scenes; the chosen pair maximises recall - 0.2 x false positives per image (one false plate per image costs a fifth
of a missed plate: false plates become junk reads that should not be stored), and is written into the package's
models.json, where the recogniser reads its defaults. Widths stop at 800 px: beyond that the detector alone takes
more than half of the 50 ms per photo we allow on a 2-core machine.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from platewarden.recognition.detector import PlateDetector
from training.detector.data import load_scenes
from training.detector.train import iou

MODELS = Path("src/platewarden/recognition/models")
WIDTHS = (640, 720, 800)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data/train"))
    a = ap.parse_args()
    _, val = load_scenes(a.data)
    rows = []
    for width in WIDTHS:
        for thr in np.arange(0.05, 0.61, 0.05):
            det = PlateDetector(input_width=width, threshold=float(thr))
            hit = total = fp = 0
            for sc in val:
                dets = det.detect(sc.image)
                used: set[int] = set()
                for b in sc.boxes:
                    total += 1
                    k = max(range(len(dets)), key=lambda i: iou(b, dets[i].box), default=None)
                    if k is not None and k not in used and iou(b, dets[k].box) >= 0.3:
                        used.add(k)
                        hit += 1
                fp += len(dets) - len(used)
            rows.append((width, round(float(thr), 2), hit / max(1, total), fp / max(1, len(val))))
            print(f"width {width} threshold {thr:.2f}: recall@0.3 {hit / max(1, total):.3f}, "
                  f"false positives/image {fp / len(val):.2f}")
    best = max(rows, key=lambda r: r[2] - 0.2 * r[3])
    info_path = MODELS / "models.json"
    info = json.loads(info_path.read_text())
    info["detector"]["calibration"] = {"threshold": best[1], "input_width": best[0],
                                       "val_recall_iou03": round(best[2], 4),
                                       "val_false_positives_per_image": round(best[3], 3),
                                       "criterion": "recall - 0.2 x false positives per image, own validation split",
                                       "table": rows}
    info_path.write_text(json.dumps(info, indent=2) + "\n")
    print(f"chosen width {best[0]}, threshold {best[1]} (recall {best[2]:.3f}, {best[3]:.2f} false positives/image)")


if __name__ == "__main__":
    main()
