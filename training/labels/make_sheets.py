"""Contact sheets for hand transcription of real plate crops (protocol in PROTOCOL.md).

Each sheet shows numbered crops, upscaled so the characters are legible, in file-name order so that consecutive
frames of one car (or the plates of one photo) sit together. A CSV beside each sheet maps the number to the crop's
source and box.

    python training/labels/make_sheets.py ../shared/data/train SHEETS/                 # ro-dashcam + andrewmvd
    python training/labels/make_sheets.py ../shared/data/train SHEETS/ --set openimages  # Open Images photos

The Open Images sheets are larger (12 crops of 500x170 px) because its plates range from 6 to 1024 px wide.
"""
from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np


@dataclass(frozen=True)
class SheetLayout:
    """How crops are laid out: cell size in pixels, columns and crops per sheet."""

    cell_w: int
    cell_h: int
    cols: int
    per_sheet: int


LAYOUTS = {
    "ro-andrewmvd": SheetLayout(360, 130, 4, 20),
    "openimages": SheetLayout(500, 170, 3, 12),
}


def label_files(data: Path, which: str) -> list[Path]:
    """The label files of one transcription set, in file-name order."""
    if which == "openimages":
        return [data / "openimages" / "labels.tsv"]
    return sorted((data / "ro-dashcam").glob("*/crops/*.txt")) + sorted((data / "andrewmvd").glob("*.txt"))


def plate_crops(data: Path, which: str = "ro-andrewmvd") -> list[tuple[str, np.ndarray, tuple[int, int, int, int]]]:
    """All (source id, plate image with a little margin, box) of one set, in file-name order."""
    out = []
    for lab in label_files(data, which):
        lines = lab.read_text().splitlines()
        if which == "openimages":  # one file for all photos: put each photo's plates together
            lines = sorted(lines)
        for line in lines:
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


def write_sheets(crops: list[tuple[str, np.ndarray, tuple[int, int, int, int]]], out: Path, lay: SheetLayout) -> None:
    """Sheets ``sheet_NNN.png`` with their number-to-source maps ``sheet_NNN.csv``."""
    for s in range(0, len(crops), lay.per_sheet):
        chunk = crops[s: s + lay.per_sheet]
        rows = (len(chunk) + lay.cols - 1) // lay.cols
        sheet = np.full((rows * lay.cell_h, lay.cols * lay.cell_w, 3), 255, np.uint8)
        with open(out / f"sheet_{s // lay.per_sheet:03d}.csv", "w", newline="") as f:
            w = csv.writer(f)
            for i, (sid, crop, _) in enumerate(chunk):
                r, c = divmod(i, lay.cols)
                scale = min((lay.cell_w - 10) / crop.shape[1], (lay.cell_h - 30) / crop.shape[0])
                interp = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
                im = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=interp)
                y0, x0 = r * lay.cell_h + 26, c * lay.cell_w + 5
                sheet[y0: y0 + im.shape[0], x0: x0 + im.shape[1]] = im
                cv2.putText(sheet, str(i + 1), (x0, y0 - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 255), 2)
                w.writerow([i + 1, sid])
        cv2.imwrite(str(out / f"sheet_{s // lay.per_sheet:03d}.png"), sheet)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--set", dest="which", choices=sorted(LAYOUTS), default="ro-andrewmvd")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    crops = plate_crops(a.data, a.which)
    write_sheets(crops, a.out, LAYOUTS[a.which])
    print(len(crops), "crops")


if __name__ == "__main__":
    main()
