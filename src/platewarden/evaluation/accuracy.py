"""Accuracy of the recogniser on a labelled folder: detection recall, exact reads, alternatives, CER, latency,
commonest confusions. Exact means upper case, letters and digits only, O and 0 distinct; an O/0-merged figure is
reported beside it because published numbers differ on this (see docs/model-card.md)."""

from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from platewarden.domain.observations import PlateObservation
from platewarden.evaluation.labels import LabelledPlate, load_labels
from platewarden.fusion.similarity import levenshtein
from platewarden.recognition.detector import Detection
from platewarden.recognition.imageio import ImageError, read_image
from platewarden.recognition.pipeline import Recognizer


@dataclass
class AccuracyReport:
    dataset: str
    mode: str
    images: int = 0
    plates: int = 0
    unreadable_files: int = 0
    detected: int = 0
    exact: int = 0
    exact_o0_merged: int = 0
    in_alternatives: int = 0
    char_errors: int = 0
    chars: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (image, truth, read)
    groups: dict[str, list[int]] = field(default_factory=dict)  # group → [plates, exact]
    # the region each labelled plate was read with ("none": not read): how often the reader knows a plate's origin
    regions: Counter[str] = field(default_factory=Counter)
    hint: str = "auto"  # the jurisdiction hint the recogniser read with (--region)
    # the jurisdiction and template that contributed most to each reading ("off-format" when none fits): what the
    # format prior decided, per set
    jurisdictions: Counter[str] = field(default_factory=Counter)
    formats: Counter[str] = field(default_factory=Counter)
    # end to end, plates found by the detector and read again from their labelled box: how many only one of the two
    # cuts reads right. The labelled box is not there in use; the pair shows how much error the cut alone causes.
    right_only_from_labelled_box: int = 0
    right_only_from_detected_box: int = 0

    def by_group(self) -> dict[str, dict[str, float]]:
        """Exact rate per label group (a US state on openalpr-ocr) with its 95 % Wilson interval, weakest first: how
        accuracy differs between the plate designs of different places, i.e. whom a misread falls on."""
        rows = {}
        for g, (n, k) in self.groups.items():
            low, high = wilson_interval(k, n)
            rows[g] = {"plates": n, "exact": round(k / n, 4), "low": round(low, 4), "high": round(high, 4)}
        return dict(sorted(rows.items(), key=lambda kv: (kv[1]["exact"], -kv[1]["plates"], kv[0])))

    def rate(self, n: int) -> float:
        return n / self.plates if self.plates else 0.0

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)
        return {
            "dataset": self.dataset, "mode": self.mode, "region": self.hint, "images": self.images,
            "plates": self.plates,
            "unreadable_files": self.unreadable_files,
            "detection_recall": round(self.rate(self.detected), 4) if self.mode == "end-to-end" else None,
            "exact": round(self.rate(self.exact), 4), "exact_o0_merged": round(self.rate(self.exact_o0_merged), 4),
            "within_alternatives": round(self.rate(self.in_alternatives), 4),
            "cer": round(self.char_errors / self.chars, 4) if self.chars else 0.0,
            "latency_median_ms": round(statistics.median(lat), 1) if lat else None,
            "latency_p95_ms": round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 1) if lat else None,
            "confusions": [[a, b, n] for (a, b), n in self.confusions.most_common(10)],
            "regions": dict(self.regions.most_common()),
            "jurisdictions": dict(self.jurisdictions.most_common(8)),
            "formats": dict(self.formats.most_common(8)),
            **({"cut_sensitivity": {"right_only_from_labelled_box": self.right_only_from_labelled_box,
                                    "right_only_from_detected_box": self.right_only_from_detected_box}}
               if self.mode == "end-to-end" else {}),
            **({"by_group": self.by_group()} if self.groups else {}),
        }


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95 % for z = 1.96): honest for small groups and rates near 0 or 1,
    where the normal approximation gives bounds outside [0, 1]."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _align_confusions(truth: str, read: str) -> list[tuple[str, str]]:
    """Substitutions on an edit-distance alignment (truth char → read char)."""
    n, m = len(truth), len(read)
    d = np.zeros((n + 1, m + 1), int)
    d[:, 0] = range(n + 1)
    d[0, :] = range(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i, j] = min(d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + (truth[i - 1] != read[j - 1]))
    out, i, j = [], n, m
    while i > 0 and j > 0:
        if d[i, j] == d[i - 1, j - 1] + (truth[i - 1] != read[j - 1]):
            if truth[i - 1] != read[j - 1]:
                out.append((truth[i - 1], read[j - 1]))
            i, j = i - 1, j - 1
        elif d[i, j] == d[i - 1, j] + 1:
            out.append((truth[i - 1], "∅"))
            i -= 1
        else:
            out.append(("∅", read[j - 1]))
            j -= 1
    out += [(truth[k], "∅") for k in range(i)] + [("∅", read[k]) for k in range(j)]
    return out


def _box_iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / max(1, a[2] * a[3] + b[2] * b[3] - inter)


DETECTED_IOU = 0.5  # a labelled plate counts as detected when a reported box overlaps it this much
READ_MATCH_IOU = 0.1  # ...and the reading of the most overlapping box is scored against it from this overlap on


def best_match(box: tuple[int, int, int, int], found: list[PlateObservation]) -> tuple[PlateObservation | None, float]:
    """The reported plate whose box overlaps a labelled box most, and that overlap (IoU; 0 when nothing was found):
    how every accuracy figure pairs reads with labels."""
    best = max(found, key=lambda o: _box_iou(box, (o.box.x, o.box.y, o.box.w, o.box.h)), default=None)
    return best, (_box_iou(box, (best.box.x, best.box.y, best.box.w, best.box.h)) if best else 0.0)


def _score(report: AccuracyReport, item: LabelledPlate, obs: PlateObservation | None) -> None:
    read = obs.text if obs else ""
    report.regions[obs.region.value if obs else "none"] += 1
    if obs:
        # no jurisdiction: off-format (no template fits) or several (none holds half the reading's format mass)
        report.jurisdictions[obs.jurisdiction or ("off-format" if obs.format is None else "several")] += 1
        report.formats[obs.format or "off-format"] += 1
    if item.group:
        tally = report.groups.setdefault(item.group, [0, 0])
        tally[0] += 1
        tally[1] += read == item.text
    report.chars += len(item.text)
    report.char_errors += levenshtein(item.text, read)
    if read == item.text:
        report.exact += 1
    else:
        report.failures.append((item.image.name, item.text, read))
        report.confusions.update(_align_confusions(item.text, read))
    if read.replace("O", "0") == item.text.replace("O", "0"):
        report.exact_o0_merged += 1
    if obs and (read == item.text or any(a.text == item.text for a in obs.alternatives)):
        report.in_alternatives += 1


def _read_labelled_box(recognizer: Recognizer, img: np.ndarray, item: LabelledPlate) -> PlateObservation | None:
    x, y, w, h = item.box
    corners = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float32)
    obs = recognizer.read_plates(img, [Detection((x, y, w, h), corners, 1.0)])
    return obs[0] if obs else None


def evaluate(folder: Path, recognizer: Recognizer, ocr_only: bool = False, limit: int | None = None
             ) -> AccuracyReport:
    labels = [lab for lab in load_labels(folder) if lab.text][:limit]
    return evaluate_labels(str(folder), labels, recognizer, ocr_only)


def evaluate_labels(name: str, labels: list[LabelledPlate], recognizer: Recognizer, ocr_only: bool = False
                    ) -> AccuracyReport:
    report = AccuracyReport(name, "ocr-only" if ocr_only else "end-to-end", hint=str(recognizer.hint))
    by_image: dict[Path, list[LabelledPlate]] = {}
    for lab in labels:
        by_image.setdefault(lab.image, []).append(lab)
    for path, items in by_image.items():
        try:
            img = read_image(path)
        except ImageError:
            report.unreadable_files += 1
            continue
        report.images += 1
        report.plates += len(items)
        if ocr_only:
            for it in items:
                t0 = time.perf_counter()
                obs = _read_labelled_box(recognizer, img, it)
                report.latencies_ms.append((time.perf_counter() - t0) * 1000)
                _score(report, it, obs)
            continue
        t0 = time.perf_counter()
        found = recognizer.recognize(img)
        report.latencies_ms.append((time.perf_counter() - t0) * 1000)
        for it in items:
            best, iou = best_match(it.box, found)
            if best is not None and iou >= DETECTED_IOU:
                report.detected += 1
                from_label = _read_labelled_box(recognizer, img, it)
                label_right, detector_right = bool(from_label and from_label.text == it.text), best.text == it.text
                report.right_only_from_labelled_box += label_right and not detector_right
                report.right_only_from_detected_box += detector_right and not label_right
            _score(report, it, best if iou >= READ_MATCH_IOU else None)
    return report


