"""Pack what training reads into ``.gpudata/`` (ignored by git) for a run on a borrowed accelerator.

    PYTHONPATH=src:. python -m training.device.pack --data ../shared/data/train

The device machine sees only the repository and has no package registry, so the training data and the fonts travel
with it (the tool carries at most 64 MiB): dash-cam frames are re-encoded as JPEG quality 80, and WenQuanYi Zen Hei
(17 MB) is cut down to the characters we draw. ``training/device/run.sh`` then runs there.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import cv2

from platewarden.recognition.alphabet import ALPHABET, CN_PROVINCES
from training.synth.fonts import CJK_FONTS, LATIN_FONTS

OUT = Path(".gpudata")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data/train"))
    a = ap.parse_args()
    train = OUT / "train"
    if train.exists():
        shutil.rmtree(train)
    shutil.copytree(a.data, train, ignore=shutil.ignore_patterns("frames"))
    for frame in sorted(a.data.glob("ro-dashcam/*/frames/*")):
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
