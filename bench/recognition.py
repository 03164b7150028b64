"""Recognition time per photo and per plate, with 1 and 2 threads (ONNX Runtime intra-op threads).

    python bench/recognition.py [--photos 60] [--width 1280 --height 720]

Photos are synthetic street frames with one car and its plate in view (platewarden.synthetic.scene), the same
recogniser ``platewarden recognize`` and ``watch`` use. "Per plate" divides the time by the plates found.
"""
from __future__ import annotations

import argparse
import statistics
import time

from machine import print_header  # type: ignore[import-not-found]

from platewarden.recognition.pipeline import Recognizer, RecognizerConfig
from platewarden.synthetic.scene import StreetScene


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--photos", type=int, default=60)
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=720)
    a = ap.parse_args()
    print_header()
    plates = [("8ABC234", "us"), ("B 21 GSB", "ro"), ("KX 7204", "us"), ("AB-123-CD", "fr"), ("5SOW350", "us")]
    scene = StreetScene(plates, width=a.width, height=a.height)
    photos = [f for f, visible in scene.frames() if visible][: a.photos]
    for threads in (1, 2):
        rec = Recognizer(RecognizerConfig(threads=threads))
        rec.recognize(photos[0])  # warm up
        times, found = [], 0
        for img in photos:
            t = time.perf_counter()
            found += len(rec.recognize(img))
            times.append((time.perf_counter() - t) * 1000)
        total = sum(times)
        print(f"{threads} thread(s): per photo ({a.width}x{a.height}) median {statistics.median(times):.1f} ms, "
              f"p95 {statistics.quantiles(times, n=20)[18]:.1f} ms; per plate {total / max(1, found):.1f} ms "
              f"({found} plates in {len(photos)} photos)")


if __name__ == "__main__":
    main()
