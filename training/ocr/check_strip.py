"""How often the EU-strip rule (``platewarden.recognition.appearance.has_eu_strip``) and the yellow-body rule fire,
on our own data only: where their thresholds were chosen, and where the figures quoted for them come from.

    PYTHONPATH=src:. python -m training.ocr.check_strip [--data ../shared/data/train]

Rendered plates (fixed seed) cut as the reader cuts them (``platewarden.synthetic.cuts``): EU styles, which carry
the strip, should fire; US and Brazilian ones, and the same on a blue car, should not. Real crops: the CCPD crops
(blue and other Chinese plates: should not fire), our transcribed andrewmvd photos of non-EU plates (should not,
though an Indian plate's IND band is a real blue band) and the RO dash-cam plates (EU plates whose strip the
camera's tint washes out: shows what the rule misses).
"""
from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from platewarden.recognition.appearance import has_eu_strip, look_of
from platewarden.recognition.detector import Detection
from platewarden.recognition.rectify import crop_plate
from platewarden.synthetic.cuts import as_cut_by_reader, blue_car
from platewarden.synthetic.plates import random_spec, render_plate

EU_STYLES = ["de", "fr", "it", "es", "nl", "ro", "eu"]
OTHER_STYLES = ["us", "us-2row", "br-grey", "br-mercosul"]
# the transcribers' notes name these origins for andrewmvd plates outside Europe
NON_EU_NOTES = ("India", "Ontario", "California", "Virginia", "Texas", "New York", "Maryland", "Dubai", "CN plate")


def rendered(styles: list[str], n: int, rng: random.Random, on_blue_car: bool = False) -> list[np.ndarray]:
    return [as_cut_by_reader(render_plate(random_spec(rng, styles), rng).image, rng,
                             blue_car(rng) if on_blue_car else None) for _ in range(n)]


def transcribed(labels: Path, data: Path, keep: Callable[[list[str]], bool]) -> list[np.ndarray]:
    """Our transcribed plates whose row ``keep`` accepts, cut by the reader from their labelled box."""
    out = []
    with open(labels, newline="") as f:
        for row in csv.reader(f, delimiter="\t"):
            if len(row) < 7 or not keep(row):
                continue
            img = cv2.imread(str(data / row[0]))
            if img is None:
                continue
            x, y, w, h = (int(v) for v in row[1:5])
            corners = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float32)
            out.append(crop_plate(img, Detection((x, y, w, h), corners, 1.0)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data/train"))
    ap.add_argument("--labels", type=Path, default=Path("training/labels/real_crops.tsv"))
    a = ap.parse_args()
    rng = random.Random(0)
    sets = {
        "rendered EU plates (should fire)": rendered(EU_STYLES, 300, rng),
        "rendered US and BR plates": rendered(OTHER_STYLES, 300, rng),
        "rendered US and BR plates on a blue car": rendered(OTHER_STYLES, 300, rng, on_blue_car=True),
        "CCPD crops": [img for p in sorted((a.data / "ccpd-crops").glob("*.jpg"))
                       if (img := cv2.imread(str(p))) is not None],
        "transcribed non-EU andrewmvd plates": transcribed(
            a.labels, a.data, lambda r: "andrewmvd" in r[0] and len(r) > 7 and any(k in r[7] for k in NON_EU_NOTES)),
        "RO dash-cam plates (EU, tinted; should fire)": transcribed(a.labels, a.data, lambda r: "ro-dashcam" in r[0]),
    }
    for name, crops in sets.items():
        fired = sum(has_eu_strip(c) for c in crops)
        print(f"{name}: strip found on {fired} of {len(crops)} ({fired / max(1, len(crops)):.1%})")
    # The yellow-body rule (which plates are read as two rows too, however sure their one-row reading)
    yellow_rng = random.Random(3)
    bodies = {f"rendered {style} plates": rendered([style], 100, yellow_rng)
              for style in ("cn-yellow", "nl", "us", "us-2row", "br-grey", "cn-blue", "cn-green")}
    bodies["all transcribed real crops"] = transcribed(a.labels, a.data, lambda r: True)
    for name, crops in bodies.items():
        fired = sum(look_of(c).yellow_body for c in crops)
        print(f"{name}: yellow body on {fired} of {len(crops)} ({fired / max(1, len(crops)):.1%})")


if __name__ == "__main__":
    main()
