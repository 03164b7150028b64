"""Pack what training reads into ``.gpudata/`` (ignored by git) for a run on a borrowed accelerator.

    PYTHONPATH=src:. python -m training.device.pack --data ../shared/data/train

The device machine sees only the repository and has no package registry, so the training data and the fonts travel
with it (the tool carries at most 64 MiB): dash-cam frames are re-encoded as JPEG quality 80, Open Images photos keep
only the neighbourhood of their transcribed plates (the rest painted black, so the OCR loader's coordinates still
hold), and WenQuanYi Zen Hei (17 MB) is cut down to the characters we draw. ``training/device/run.sh`` then runs there.
"""
from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

from platewarden.recognition.alphabet import ALPHABET, CN_PROVINCES
from training.synth.fonts import CJK_FONTS, LATIN_FONTS

OUT = Path(".gpudata")


def pack_openimages(data: Path, train: Path, labels: Path = Path("training/labels/openimages.tsv")) -> None:
    """Each transcribed Open Images photo with only its plates' surroundings kept (as ``training.ocr.data`` cuts
    them, with room to spare), the rest black, as JPEG quality 85."""
    if not labels.exists():
        return
    boxes: dict[str, list[tuple[int, int, int, int]]] = {}
    with open(labels, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["status"] == "ok" and row["text"]:
                boxes.setdefault(row["source"], []).append(tuple(int(row[k]) for k in ("x", "y", "w", "h")))
    for source, plates in boxes.items():
        image = cv2.imread(str(data / source))
        if image is None:
            continue
        kept = np.zeros_like(image)
        for x, y, w, h in plates:
            m = int(max(w * 0.35, h * 0.7))
            y0, x0 = max(0, y - m), max(0, x - m)
            kept[y0: y + h + m, x0: x + w + m] = image[y0: y + h + m, x0: x + w + m]
        dest = train / source
        dest.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(dest), kept, [cv2.IMWRITE_JPEG_QUALITY, 85])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data/train"))
    ap.add_argument("--without-frames", action="store_true",
                    help="leave the dash-cam frames out (only the detector trains on them): an OCR-only run")
    a = ap.parse_args()
    train = OUT / "train"
    if train.exists():
        shutil.rmtree(train)
    shutil.copytree(a.data, train, ignore=shutil.ignore_patterns("frames", "oi_*.jpg"))
    pack_openimages(a.data, train)
    for frame in [] if a.without_frames else sorted(a.data.glob("ro-dashcam/*/frames/*")):
        dest = train / frame.relative_to(a.data)
        dest.parent.mkdir(parents=True, exist_ok=True)
        image = cv2.imread(str(frame)) if frame.suffix.lower() == ".jpg" else None
        if image is not None:
            cv2.imwrite(str(dest), image, [cv2.IMWRITE_JPEG_QUALITY, 80])
        else:
            shutil.copy(frame, dest)
    for path in [*LATIN_FONTS, *CJK_FONTS]:
        dest = OUT / "fonts" / path.lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        if path in CJK_FONTS:
            chars = "".join(CN_PROVINCES) + ALPHABET
            subprocess.run([sys.executable, "-m", "fontTools.subset", path, "--font-number=0", f"--text={chars}",
                            f"--output-file={dest}"], check=True)
        elif Path(path).exists():
            shutil.copy(path, dest)
    shutil.copy(Path(__file__).with_name("run.sh"), OUT / "run.sh")
    size = sum(f.stat().st_size for f in OUT.rglob("*") if f.is_file())
    print(f"packed {OUT}: {size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
