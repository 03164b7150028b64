"""Choose the detector's operating point on our own validation split (never on the evaluation sets).

    python -m training.detector.calibrate [--data ../shared/data/train] | tee training/logs/detector-calibration.log

The operating point is the first pass's input width, whether and at what plate width candidates get a second look
(``platewarden.recognition.detector``), the score a first-pass peak needs to get one, and the score threshold. Each
combination is judged by what the product delivers: the share of plates the whole recogniser reads exactly on our
validation photos (``training.ocr.validate_reader --end-to-end``: the transcribed andrewmvd photos and RO dash-cam
frames held out from training, and the Open Images validation photos' legible plates) minus 0.2 x the false plates
per image the detector reports on all validation scenes. One false plate per image costs a fifth of a missed read:
false plates become junk reads that should not be stored. Ties go to fewer false plates. Recall at IoU 0.5 and 0.3
are logged beside it.

The choice is written into the package's models.json, where the recogniser reads its defaults; the whole table goes
to standard output (commit it as the log named above). Widths stop at 800 px: beyond that the detector alone takes
more than half of the 50 ms per photo we allow on a 2-core machine.
"""
from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from platewarden.domain.observations import PlateObservation
from platewarden.evaluation.accuracy import READ_MATCH_IOU, best_match
from platewarden.evaluation.labels import LabelledPlate
from platewarden.recognition.detector import Detection, PlateDetector
from platewarden.recognition.imageio import read_image
from platewarden.recognition.pipeline import Recognizer
from training.detector.data import Scene, load_scenes
from training.detector.train import iou
from training.ocr.own_validation import openimages_val
from training.ocr.validate_reader import frame_labels

MODELS = Path("src/platewarden/recognition/models")
WIDTHS = (640, 720, 800)
REFINE_PLATE_WIDTHS = (None, 80, 96, 128, 160)
CANDIDATE_THRESHOLDS = (0.05, 0.1, 0.15)
THRESHOLDS = tuple(round(float(t), 2) for t in np.arange(0.05, 0.61, 0.05))
FALSE_PLATE_COST = 0.2


@dataclass(frozen=True)
class OperatingPoint:
    input_width: int
    refine_plate_width: int | None
    candidate_threshold: float | None
    threshold: float
    val_exact_reads: float
    val_recall_iou05: float
    val_recall_iou03: float
    val_false_positives_per_image: float

    def merit(self) -> tuple[float, float]:
        """Exact reads minus the cost of false plates; ties go to fewer false plates."""
        return (self.val_exact_reads - FALSE_PLATE_COST * self.val_false_positives_per_image,
                -self.val_false_positives_per_image)


def detection_figures(val: list[Scene], found: list[list[Detection]], threshold: float
                      ) -> tuple[float, float, float]:
    """(recall at IoU 0.5, recall at IoU 0.3, false positives per image) of the detections at or above threshold."""
    hit5 = hit3 = total = fp = 0
    for sc, dets in zip(val, found, strict=True):
        dets = [d for d in dets if d.score >= threshold]
        used: set[int] = set()
        for b in sc.boxes:
            total += 1
            k = max(range(len(dets)), key=lambda i: iou(b, dets[i].box), default=None)
            if k is not None and k not in used and iou(b, dets[k].box) >= 0.3:
                used.add(k)
                hit3 += 1
                hit5 += iou(b, dets[k].box) >= 0.5
        fp += len(dets) - len(used)
    return hit5 / max(1, total), hit3 / max(1, total), fp / max(1, len(val))


def exact_reads(photos: dict[Path, list[LabelledPlate]], reads: dict[Path, list[PlateObservation]],
                threshold: float) -> int:
    """Plates read exactly by the observations at or above threshold, matched to labels as ``bench accuracy`` matches
    them (``evaluation.accuracy.best_match``)."""
    exact = 0
    for path, plates in photos.items():
        obs = [o for o in reads[path] if o.detector_score >= threshold]
        for p in plates:
            best, overlap = best_match(p.box, obs)
            exact += best is not None and overlap >= READ_MATCH_IOU and best.text == p.text
    return exact


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data/train"))
    ap.add_argument("--labels", type=Path, default=Path("training/labels/real_crops.tsv"))
    ap.add_argument("--openimages", type=Path, default=Path("training/labels/openimages.tsv"),
                    help="the Open Images validation photos' legible plates count among the exact reads too")
    a = ap.parse_args()
    _, val = load_scenes(a.data)
    photos: dict[Path, list[LabelledPlate]] = {}
    for plate in frame_labels(a.labels, a.data) + openimages_val(a.openimages, a.data):
        photos.setdefault(plate.image, []).append(plate)
    images = {path: read_image(path) for path in photos}
    n_plates = sum(len(p) for p in photos.values())
    print(f"{len(val)} validation scenes; {n_plates} transcribed plates on {len(photos)} of the validation photos")
    recognizer = Recognizer()
    rows: list[OperatingPoint] = []
    for width in WIDTHS:
        for refine in REFINE_PLATE_WIDTHS:
            for candidate in (CANDIDATE_THRESHOLDS if refine else (None,)):
                # detect and read once at the lowest score that can pass, then sweep the threshold over the scores
                lowest = candidate or THRESHOLDS[0]
                det = PlateDetector(input_width=width, threshold=lowest, refine_plate_width=refine,
                                    candidate_threshold=candidate)
                found = [det.detect(sc.image) for sc in val]
                reads = {path: recognizer.read_plates(img, det.detect(img)) for path, img in images.items()}
                for thr in THRESHOLDS:
                    if thr < lowest:
                        continue
                    r5, r3, fp = detection_figures(val, found, thr)
                    exact = exact_reads(photos, reads, thr) / max(1, n_plates)
                    rows.append(OperatingPoint(width, refine, candidate, thr, round(exact, 4), round(r5, 4),
                                               round(r3, 4), round(fp, 3)))
                    print(f"width {width} second look {refine or '-'} candidates {candidate or '-'} threshold {thr}: "
                          f"exact reads {exact:.3f}, recall@0.5 {r5:.3f}, recall@0.3 {r3:.3f}, "
                          f"false positives/image {fp:.2f}", flush=True)
    best = max(rows, key=OperatingPoint.merit)
    info_path = MODELS / "models.json"
    info = json.loads(info_path.read_text())
    info["detector"]["calibration"] = {
        **asdict(best), "val_scenes": len(val), "val_transcribed_plates": n_plates,
        "criterion": f"exact reads - {FALSE_PLATE_COST} x false positives per image, own validation split",
        "table": "training/logs/detector-calibration.log"}
    info_path.write_text(json.dumps(info, indent=2) + "\n")
    print(f"chosen: {asdict(best)}")


if __name__ == "__main__":
    main()
