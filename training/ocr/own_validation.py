"""Our own OCR validation crops, read once by the shipped network, for choosing what happens after it.

The decoder's settings (``tune_decoder.py``) and the confidence calibration (``calibrate_confidence.py``) are fitted
here and only here: the held-out real crops (RO dash-cam video ``dayride_type1_002``, every fifth andrewmvd photo),
the Open Images validation photos (every fifth photo, ``openimages.tsv``) and CCPD's held-out fifth. Never an
evaluation set. Each plate is cut from its labelled box as ``bench accuracy --ocr-only`` cuts it, and both cuts the
recogniser may read (one row; rows side by side for a squarish plate) are kept with the network's outputs, so that
a setting is tried without running the network again.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from platewarden.domain.plates import normalize_plate
from platewarden.evaluation.labels import LabelledPlate, ccpd_split
from platewarden.recognition.appearance import PlateLook, look_of
from platewarden.recognition.detector import Detection
from platewarden.recognition.formats import plate_formats
from platewarden.recognition.imageio import read_image
from platewarden.recognition.layout import find_row_split, join_rows
from platewarden.recognition.ocr import PlateReader
from platewarden.recognition.pipeline import TWO_ROW_MAX_ASPECT
from platewarden.recognition.rectify import crop_plate
from training.ocr.validate_reader import real_labels


@dataclass(frozen=True)
class ReadCrop:
    """One validation plate as the network saw it."""

    set: str
    truth: str
    hint: str  # the plate's country where the format table knows it ("auto" otherwise): a deployment's hint
    look: PlateLook
    shape: tuple[int, int]  # (width, height) of the cut
    one_row: np.ndarray
    two_row: np.ndarray | None


def openimages_val(labels: Path, data: Path) -> list[LabelledPlate]:
    out = []
    with open(labels, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["status"] == "ok" and row["text"] and row["split"] == "val":
                box = (int(row["x"]), int(row["y"]), int(row["w"]), int(row["h"]))
                out.append(LabelledPlate(data / row["source"], box, normalize_plate(row["text"]), row["group"]))
    return out


def own_validation(data: Path, labels_dir: Path = Path("training/labels")) -> dict[str, list[LabelledPlate]]:
    return {"real": real_labels(labels_dir / "real_crops.tsv", data)[1],
            "openimages": openimages_val(labels_dir / "openimages.tsv", data),
            "ccpd": ccpd_split(data / "ccpd-crops")[1]}


def _hint_for(name: str, group: str) -> str:
    codes = set(plate_formats().codes())
    if name == "ccpd":
        return "cn"
    if name == "real":
        return "ro"  # the dash-cam crops are Romanian; andrewmvd's are mixed, but mostly Indian/European
    code = group.split("-")[0] if group else ""
    return code if code in codes else "auto"


def read_crops(sets: dict[str, list[LabelledPlate]]) -> list[ReadCrop]:
    reader = PlateReader()
    out = []
    for name, plates in sets.items():
        for p in plates:
            img = read_image(p.image)
            x, y, w, h = p.box
            corners = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float32)
            crop = crop_plate(img, Detection((x, y, w, h), corners, 1.0))
            one = reader.logprobs([crop])[0]
            two = None
            if crop.shape[1] / max(1, crop.shape[0]) < TWO_ROW_MAX_ASPECT:
                two = reader.logprobs([join_rows(crop, find_row_split(crop))])[0]
            out.append(ReadCrop(name, p.text, _hint_for(name, p.group), look_of(crop),
                                (crop.shape[1], crop.shape[0]), one, two))
    return out
