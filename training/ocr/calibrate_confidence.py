"""Fit the confidence calibration on our own validation crops and record it in models.json, with a reliability
diagram for the model card.

    PYTHONPATH=src:. python -m training.ocr.calibrate_confidence [--data ../shared/data/train] [--write]

Each validation plate (``own_validation``: held-out real crops, Open Images validation photos, CCPD's held-out
fifth; never an evaluation set) is read by the shipped reader twice, with no hint and with its country as the hint,
as deployments read; its raw posterior and whether the text was exactly right are the samples. An isotonic
(monotone, piecewise-linear) map from posterior to the chance of being right is fitted (scikit-learn), so that a
read's ``confidence`` means that chance. The expected calibration error (10 equal-width bins) is reported before
and after; "after" is cross-validated (5 folds: each fold's samples mapped by a fit on the other four), so that it
is not measured on the samples it was fitted to. ``--write`` stores the map and the figures under
``ocr.confidence_calibration`` in models.json and the diagram in ``docs/reliability.png``.
"""
from __future__ import annotations

import argparse
import json
from itertools import pairwise
from pathlib import Path

import numpy as np
from sklearn.isotonic import IsotonicRegression

from platewarden.recognition.models import model_path
from training.ocr.own_validation import own_validation, read_crops
from training.ocr.tune_decoder import reading

FIGURE = Path("docs/reliability.png")
BINS = 10
KNOTS = 40  # the stored map keeps at most this many points


def ece(conf: np.ndarray, right: np.ndarray, bins: int = BINS) -> float:
    """Expected calibration error: |accuracy - mean confidence| per bin, weighted by the bin's share."""
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in pairwise(edges):
        inside = (conf >= lo) & ((conf < hi) | (hi == 1.0))
        if inside.any():
            total += inside.mean() * abs(right[inside].mean() - conf[inside].mean())
    return float(total)


def fit(raw: np.ndarray, right: np.ndarray) -> IsotonicRegression:
    return IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip").fit(raw, right)


def cross_validated(raw: np.ndarray, right: np.ndarray, folds: int = 5, seed: int = 0) -> np.ndarray:
    order = np.random.default_rng(seed).permutation(len(raw))
    out = np.empty(len(raw))
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        out[test] = fit(raw[train], right[train]).predict(raw[test])
    return out


def knots(model: IsotonicRegression) -> tuple[list[float], list[float]]:
    """The fitted step function as at most KNOTS monotone points (first and last kept)."""
    xs, ys = np.asarray(model.X_thresholds_, float), np.asarray(model.y_thresholds_, float)
    if len(xs) > KNOTS:
        keep = np.unique(np.linspace(0, len(xs) - 1, KNOTS).round().astype(int))
        xs, ys = xs[keep], ys[keep]
    return [round(float(x), 6) for x in xs], [round(float(y), 6) for y in ys]


def diagram(raw: np.ndarray, calibrated: np.ndarray, right: np.ndarray, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 5), dpi=110)
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect calibration")
    edges = np.linspace(0, 1, BINS + 1)
    for conf, label, marker in ((raw, f"raw posterior (ECE {ece(raw, right):.3f})", "o"),
                                (calibrated, f"calibrated, cross-validated (ECE {ece(calibrated, right):.3f})", "s")):
        xs, ys = [], []
        for lo, hi in pairwise(edges):
            inside = (conf >= lo) & ((conf < hi) | (hi == 1.0))
            if inside.sum() >= 3:
                xs.append(conf[inside].mean())
                ys.append(right[inside].mean())
        ax.plot(xs, ys, marker=marker, label=label)
    ax.set_xlabel("stated confidence")
    ax.set_ylabel("share read exactly right")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title(f"Reliability on our own validation plates (n = {len(raw)})", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data/train"))
    ap.add_argument("--write", action="store_true", help="store the map in models.json and draw the diagram")
    a = ap.parse_args()
    crops = read_crops(own_validation(a.data))
    raw, right = [], []
    for c in crops:
        for hint in ("auto", c.hint):
            r = reading(c, hint, *_settings())
            raw.append(r.best.posterior if r else 0.0)
            right.append(float(r is not None and r.best.text == c.truth))
    raw_a, right_a = np.array(raw), np.array(right)
    model = fit(raw_a, right_a)
    cv = cross_validated(raw_a, right_a)
    record = {"x": knots(model)[0], "y": knots(model)[1], "n": len(raw_a),
              "sets": ", ".join(f"{n} {sum(c.set == n for c in crops)}" for n in dict.fromkeys(c.set for c in crops))
              + "; each read with no hint and with its country as the hint",
              "exact": round(float(right_a.mean()), 4), "ece_before": round(ece(raw_a, right_a), 4),
              "ece_after": round(ece(cv, right_a), 4), "figure": str(FIGURE),
              "script": "training/ocr/calibrate_confidence.py"}
    print(json.dumps({k: v for k, v in record.items() if k not in ("x", "y")}, indent=1))
    if a.write:
        diagram(raw_a, cv, right_a, FIGURE)
        path = model_path("models.json")
        info = json.loads(path.read_text())
        info["ocr"]["confidence_calibration"] = record
        path.write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n")
        print(f"written: {path}, {FIGURE}")


def _settings() -> tuple[float, float]:
    from platewarden.recognition.formats import plate_formats
    from platewarden.recognition.reading import FORMAT_WEIGHT

    return FORMAT_WEIGHT, plate_formats().off_format_weight


if __name__ == "__main__":
    main()
