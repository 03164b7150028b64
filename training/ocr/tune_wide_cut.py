"""Choose when a doubtful plate is also read from a wider cut, and how wide, on our own validation photos.

    PYTHONPATH=src:. python -m training.ocr.tune_wide_cut > training/logs/wide-cut-tuning.log

A box that clips the first or last character is the commonest end-to-end error on US photos, and the network cannot
read what the cut leaves out. ``recognition.pipeline`` therefore reads a one-row plate whose posterior is below
``WIDE_RETRY_BELOW`` once more from a cut with margins ``WIDE_MARGIN_X`` x ``WIDE_MARGIN_Y`` and weighs both cuts in
one posterior. The settings are chosen here, end to end (the detector's own boxes), on the photos the detector and the
OCR never trained on: the Open Images validation photos and the held-out dash-cam and andrewmvd photos. Never on an
evaluation set.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import platewarden.recognition.pipeline as pipeline
from platewarden.audit.model_card import openimages_validation
from platewarden.evaluation.accuracy import evaluate_labels
from platewarden.evaluation.labels import LabelledPlate
from platewarden.recognition.pipeline import Recognizer
from training.ocr.validate_reader import frame_labels

# (retry below, margin x, margin y); retry below 0 turns the wider cut off, above 1 reads every plate twice
SETTINGS = [(0.0, 0.12, 0.08), (0.8, 0.12, 0.08), (0.9, 0.10, 0.08), (0.9, 0.12, 0.08), (0.9, 0.14, 0.12),
            (0.9, 0.20, 0.08), (0.95, 0.12, 0.08), (1.01, 0.10, 0.08), (1.01, 0.12, 0.08), (1.01, 0.14, 0.08)]


def exact(sets: dict[str, list[LabelledPlate]], rec: Recognizer) -> dict[str, tuple[int, int, float]]:
    """Per set: (exact, plates, median ms per photo)."""
    out = {}
    for name, plates in sets.items():
        s = evaluate_labels(name, plates, rec).summary()
        out[name] = (round(s["exact"] * s["plates"]), s["plates"], s["latency_median_ms"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data/train"))
    ap.add_argument("--labels", type=Path, default=Path("training/labels/real_crops.tsv"))
    a = ap.parse_args()
    sets = {"openimages": openimages_validation(a.data), "dash-cam+andrewmvd": frame_labels(a.labels, a.data)}
    print("retry below | margin x | margin y | " + " | ".join(f"{n} exact" for n in sets) + " | total | median ms")
    rec = Recognizer()
    best: tuple[int, tuple[float, float, float]] | None = None
    for setting in SETTINGS:
        pipeline.WIDE_RETRY_BELOW, pipeline.WIDE_MARGIN_X, pipeline.WIDE_MARGIN_Y = setting
        figures = exact(sets, rec)
        total = sum(e for e, _, _ in figures.values())
        plates = sum(n for _, n, _ in figures.values())
        median = max(m for _, _, m in figures.values())
        print(f"{setting[0]:g} | {setting[1]:g} | {setting[2]:g} | "
              + " | ".join(f"{e}/{n}" for e, n, _ in figures.values()) + f" | {total}/{plates} | {median:.1f}")
        if best is None or total > best[0]:
            best = (total, setting)
    assert best is not None
    print(f"best: retry below {best[1][0]:g}, margins {best[1][1]:g} x {best[1][2]:g} ({best[0]} exact)")


if __name__ == "__main__":
    main()
