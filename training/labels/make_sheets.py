"""Contact sheets for hand transcription of real plate crops (protocol in PROTOCOL.md).

Each sheet shows up to 20 crops, numbered, upscaled so the characters are legible, in file-name order so that
consecutive frames of one car sit together. A CSV beside each sheet maps the number to the crop's source and box.
"""
from __future__ import annotations

import argparse
import csv
from pathlib import Path

import cv2
import numpy as np

CELL_W, CELL_H, COLS, PER_SHEET = 360, 130, 4, 20


def plate_crops(data: Path) -> list[tuple[str, np.ndarray, tuple[int, int, int, int]]]:
    """All (source id, plate image with a little margin, box) from ro-dashcam crops and andrewmvd photos."""
    out = []
    for lab in sorted((data / "ro-dashcam").glob("*/crops/*.txt")) + sorted((data / "andrewmvd").glob("*.txt")):
        for line in lab.read_text().splitlines():
            parts = line.split("\t")
            if len(parts) < 5:
                continue
            img = cv2.imread(str(lab.parent / parts[0]))
            if img is None:
                continue
            x, y, w, h = (int(float(v)) for v in parts[1:5])
            m = max(2, int(0.15 * h))
            crop = img[max(0, y - m): y + h + m, max(0, x - m): x + w + m]
            rel = lab.parent.relative_to(data) / parts[0]
            out.append((f"{rel}#{x},{y},{w},{h}", crop, (x, y, w, h)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", type=Path)
    ap.add_argument("out", type=Path)
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    crops = plate_crops(a.data)
    for s in range(0, len(crops), PER_SHEET):
        chunk = crops[s: s + PER_SHEET]
        rows = (len(chunk) + COLS - 1) // COLS
        sheet = np.full((rows * CELL_H, COLS * CELL_W, 3), 255, np.uint8)
        with open(a.out / f"sheet_{s // PER_SHEET:03d}.csv", "w", newline="") as f:
            w = csv.writer(f)
            for i, (sid, crop, _) in enumerate(chunk):
                r, c = divmod(i, COLS)
                scale = min((CELL_W - 10) / crop.shape[1], (CELL_H - 30) / crop.shape[0])
                im = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
                y0, x0 = r * CELL_H + 26, c * CELL_W + 5
                sheet[y0: y0 + im.shape[0], x0: x0 + im.shape[1]] = im
                cv2.putText(sheet, str(i + 1), (x0, y0 - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 255), 2)
                w.writerow([i + 1, sid])
        cv2.imwrite(str(a.out / f"sheet_{s // PER_SHEET:03d}.png"), sheet)
    print(len(crops), "crops")


if __name__ == "__main__":
    main()
