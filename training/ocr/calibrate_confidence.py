"""Fit the confidence calibration on our own validation crops and record it in models.json, with a reliability
diagram for the model card.

    PYTHONPATH=src:. python -m training.ocr.calibrate_confidence [--data ../shared/data/train] [--write]

Each validation plate (``own_validation``: held-out real crops, Open Images validation photos, CCPD's held-out
fifth; never an evaluation set) is read by the shipped reader twice, with no hint and with its country as the hint,
as deployments read; its raw posterior and whether the text was exactly right are the samples. Three monotone
maps from posterior to the chance of being right are compared by their cross-validated expected calibration error
(10 equal-width bins; 5 folds, each fold's samples mapped by a fit on the other four, so no map is judged on the
samples it was fitted to): the identity (the raw posterior), Platt scaling (a logistic curve on the posterior's
log-odds) and isotonic regression (scikit-learn). The best is kept, stored as monotone points the reader
interpolates, so that a read's ``confidence`` means that chance. ``--write`` stores the map and the figures under
``ocr.confidence_calibration`` in models.json and the diagram in ``docs/reliability.png``.
"""
from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from platewarden.recognition.models import model_path
from training.ocr.own_validation import own_validation, read_crops
from training.ocr.tune_decoder import reading

FIGURE = Path("docs/reliability.png")
BINS = 10
KNOTS = 40  # the stored map keeps about this many points
METHODS = ("identity", "platt", "isotonic")


def ece(conf: np.ndarray, right: np.ndarray, bins: int = BINS) -> float:
    """Expected calibration error: |accuracy - mean confidence| per bin, weighted by the bin's share."""
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in pairwise(edges):
        inside = (conf >= lo) & ((conf < hi) | (hi == 1.0))
        if inside.any():
            total += inside.mean() * abs(right[inside].mean() - conf[inside].mean())
    return float(total)


Map = Callable[[np.ndarray], np.ndarray]


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))[:, None]


def fit(method: str, raw: np.ndarray, right: np.ndarray) -> Map:
    """A monotone map from raw posterior to calibrated confidence, fitted on these samples."""
    if method == "identity":
        return lambda x: np.clip(x, 0.0, 1.0)
    if method == "platt":
        model = LogisticRegression(C=1e4).fit(_logit(raw), right.astype(int))
        if model.coef_[0][0] <= 0:  # a decreasing fit would reverse the order of readings: not a calibration
            return lambda x: np.clip(x, 0.0, 1.0)
        return lambda x: model.predict_proba(_logit(x))[:, 1]
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip").fit(raw, right)
    return lambda x: np.asarray(iso.predict(x), float)


def cross_validated(method: str, raw: np.ndarray, right: np.ndarray, folds: int = 5, seed: int = 0) -> np.ndarray:
    order = np.random.default_rng(seed).permutation(len(raw))
    out = np.empty(len(raw))
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        out[test] = fit(method, raw[train], right[train])(raw[test])
    return out


def knots(mapping: Map) -> tuple[list[float], list[float]]:
    """The map as KNOTS monotone points over [0, 1] (denser near 1, where most readings lie)."""
    xs = np.unique(np.concatenate([np.linspace(0, 0.9, KNOTS // 2), 1 - np.geomspace(0.1, 1e-4, KNOTS // 2), [1.0]]))
    ys = np.maximum.accumulate(np.clip(mapping(xs), 0.0, 1.0))
    return [round(float(x), 6) for x in xs], [round(float(y), 6) for y in ys]


def diagram(raw: np.ndarray, calibrated: np.ndarray, right: np.ndarray, path: Path, method: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 5), dpi=110)
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect calibration")
    edges = np.linspace(0, 1, BINS + 1)
    for conf, label, marker in ((raw, f"raw posterior (ECE {ece(raw, right):.3f})", "o"),
                                (calibrated, f"shipped map ({method}), cross-validated (ECE "
                                             f"{ece(calibrated, right):.3f})", "s")):
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
    eces = {m: ece(cross_validated(m, raw_a, right_a), right_a) for m in METHODS}
    chosen = min(METHODS, key=lambda m: (round(eces[m], 4), METHODS.index(m)))  # ties: the simpler map
    cv = cross_validated(chosen, raw_a, right_a)
    xs, ys = knots(fit(chosen, raw_a, right_a))
    record = {"x": xs, "y": ys, "n": len(raw_a), "method": chosen,
              "cross_validated_ece": {m: round(v, 4) for m, v in eces.items()},
              "sets": ", ".join(f"{n} {sum(c.set == n for c in crops)}" for n in dict.fromkeys(c.set for c in crops))
              + "; each read with no hint and with its country as the hint",
              "exact": round(float(right_a.mean()), 4), "ece_before": round(ece(raw_a, right_a), 4),
              "ece_after": round(ece(cv, right_a), 4), "figure": str(FIGURE),
              "script": "training/ocr/calibrate_confidence.py"}
    print(json.dumps({k: v for k, v in record.items() if k not in ("x", "y")}, indent=1))
    if a.write:
        diagram(raw_a, cv, right_a, FIGURE, chosen)
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
