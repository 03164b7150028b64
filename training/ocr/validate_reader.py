"""Score the shipped reader, decoding and grammar ranking included, on our own OCR validation split.

    PYTHONPATH=src:. python -m training.ocr.validate_reader [--data ../shared/data/train] [--with-train] [--end-to-end]

The training loop validates the network with plain best-path decoding; a change to what happens after the network
(alternatives, grammar weights, region rules) is chosen here instead, on the same held-out real crops (RO dash-cam
video ``dayride_type1_002``, every fifth andrewmvd photo, every fifth CCPD crop), never on the evaluation sets. The
crops go through the harness of ``platewarden bench accuracy --ocr-only`` (the labelled box as the detection) with
the recogniser's default settings, so the figures are the shipped reader's. ``--with-train`` scores the training
crops too: the network has learnt them, so their figures flatter it, but with ten times the crops they show what a
decoding rule changes.

``--end-to-end`` runs the whole recogniser, detector included, on the validation photos those crops came from: the
andrewmvd photos (transcribed in photo coordinates) and the RO dash-cam frames of the validation video, each frame
plate given the text of its transcribed crop (crop ``NAME_K.jpg`` is row K of frame ``NAME.txt``). This is where a
change to the detector's crop or scale is chosen, on photos the detector never trained on.
"""
from __future__ import annotations

import argparse
import csv
from pathlib import Path

from platewarden.domain.plates import normalize_plate
from platewarden.evaluation.accuracy import AccuracyReport, evaluate_labels
from platewarden.evaluation.labels import LabelledPlate, ccpd_split
from platewarden.recognition.pipeline import Recognizer
from training.ocr.data import is_validation


def real_labels(labels: Path, data: Path) -> tuple[list[LabelledPlate], list[LabelledPlate]]:
    """The transcribed crops with status ok, as (training, validation) plates of their source photos."""
    train: list[LabelledPlate] = []
    val: list[LabelledPlate] = []
    with open(labels, newline="") as f:
        for row in csv.reader(f, delimiter="\t"):
            if len(row) < 7 or row[6] != "ok" or not row[5]:
                continue
            plate = LabelledPlate(data / row[0], (int(row[1]), int(row[2]), int(row[3]), int(row[4])),
                                  normalize_plate(row[5]))
            (val if is_validation(row[0]) else train).append(plate)
    return train, val


def frame_labels(labels: Path, data: Path) -> list[LabelledPlate]:
    """The validation photos with the text of their transcribed plates, in photo coordinates."""
    text_of_crop: dict[str, str] = {}
    photos: list[LabelledPlate] = []
    with open(labels, newline="") as f:
        for row in csv.reader(f, delimiter="\t"):
            if len(row) < 7 or row[6] != "ok" or not row[5] or not is_validation(row[0]):
                continue
            if "/crops/" in row[0]:
                text_of_crop[row[0]] = normalize_plate(row[5])
            else:
                photos.append(LabelledPlate(data / row[0], (int(row[1]), int(row[2]), int(row[3]), int(row[4])),
                                            normalize_plate(row[5])))
    for crop, text in sorted(text_of_crop.items()):
        stem, _, k = Path(crop).stem.rpartition("_")
        frame_txt = data / Path(crop).parent.parent / "frames" / f"{stem}.txt"
        if not frame_txt.exists() or not k.isdigit():
            continue
        rows = [r.split("\t") for r in frame_txt.read_text().splitlines() if r.strip()]
        if int(k) < len(rows):
            r = rows[int(k)]
            photos.append(LabelledPlate(frame_txt.parent / r[0], (int(float(r[1])), int(float(r[2])),
                                                                  int(float(r[3])), int(float(r[4]))), text))
    return photos


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data/train"))
    ap.add_argument("--labels", type=Path, default=Path("training/labels/real_crops.tsv"))
    ap.add_argument("--with-train", action="store_true", help="score the training crops as well")
    ap.add_argument("--end-to-end", action="store_true", help="also run the detector on the validation photos")
    ap.add_argument("--failures", action="store_true",
                    help="list every plate read wrong: two models' lists, compared, give the plates only one reads "
                         "right (on 78 crops, a paired count says more than two rates)")
    a = ap.parse_args()
    real_train, real_val = real_labels(a.labels, a.data)
    ccpd_train, ccpd_val = ccpd_split(a.data / "ccpd-crops")
    sets = [("real", real_val), ("ccpd", ccpd_val)]
    if a.with_train:
        sets += [("real (training crops)", real_train), ("ccpd (training crops)", ccpd_train)]
    rec = Recognizer()
    for name, plates in sets:
        rep = evaluate_labels(name, plates, rec, ocr_only=True)
        s = rep.summary()
        print(f"{name}: {round(s['exact'] * s['plates'])}/{s['plates']} = {s['exact']:.1%} exact, "
              f"{s['within_alternatives']:.1%} within alternatives, CER {s['cer']:.1%}")
        if a.failures:
            _print_failures(rep)
    if a.end_to_end:
        photos = frame_labels(a.labels, a.data)
        rep = evaluate_labels("photos", photos, rec)
        s = rep.summary()
        print(f"end to end, {s['images']} validation photos: {round(s['exact'] * s['plates'])}/{s['plates']} = "
              f"{s['exact']:.1%} exact, detection recall {s['detection_recall']:.1%}, "
              f"{s['within_alternatives']:.1%} within alternatives, CER {s['cer']:.1%}, "
              f"median {s['latency_median_ms']:.1f} ms")
        if a.failures:
            _print_failures(rep)


def _print_failures(rep: AccuracyReport) -> None:
    for image, truth, read in rep.failures:
        print(f"  wrong: {rep.dataset} {image} {truth} -> {read or '(nothing)'}")


if __name__ == "__main__":
    main()
