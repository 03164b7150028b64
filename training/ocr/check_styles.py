"""Exact reads per plate style on rendered plates, through the reader on the path (the model card's table).

    PYTHONPATH=src:. python -m training.ocr.check_styles [--per-style 50] [--seed 5]

A candidate OCR exported into a copy of ``src/`` is compared with the shipped one by putting that copy first on the
path. Rendered plates only: a candidate is shipped on our real validation split (``validate_reader``), and this shows
what it does to the layouts the real split hardly holds (two-row plates).
"""
from __future__ import annotations

import argparse

from platewarden.evaluation.styles import evaluate_styles
from platewarden.recognition.pipeline import Recognizer


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-style", type=int, default=50)
    ap.add_argument("--seed", type=int, default=5)
    a = ap.parse_args()
    if a.per_style < 1:
        ap.error(f"--per-style must be at least 1, not {a.per_style}")
    results = evaluate_styles(Recognizer(), a.per_style, a.seed)
    for r in results:
        print(f"{r.style:22s} {r.exact:3d}/{r.plates}")
    print(f"{'all':22s} {sum(r.exact for r in results):3d}/{sum(r.plates for r in results)}")


if __name__ == "__main__":
    main()
