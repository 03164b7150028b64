"""Export trained checkpoints into the package (ONNX) and record what they are in ``models.json``.

    python -m training.export --ocr training/runs/ocr --detector training/runs/detector

Each export is checked: ONNX Runtime's output must equal torch's (max abs difference printed and recorded).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from pathlib import Path

import torch

from training.detector.model import PlateDetector
from training.detector.train import export_onnx as export_detector
from training.ocr.model import PlateCRNN
from training.ocr.train import export_onnx as export_ocr

MODELS = Path("src/platewarden/recognition/models")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ocr", type=Path)
    ap.add_argument("--detector", type=Path)
    a = ap.parse_args()
    MODELS.mkdir(parents=True, exist_ok=True)
    info_path = MODELS / "models.json"
    info = json.loads(info_path.read_text()) if info_path.exists() else {}
    for name, run, model, export in (("ocr", a.ocr, PlateCRNN(), export_ocr),
                                     ("detector", a.detector, PlateDetector(), export_detector)):
        if run is None:
            continue
        weights, record = checkpoint_files(run)
        best = json.loads(record.read_text()) if record.exists() else {}
        if best.get("width", 1.0) != 1.0:
            model = type(model)(width=best["width"])
        model.load_state_dict(torch.load(weights, map_location="cpu"))
        out = MODELS / f"{name}.onnx"
        diff = export(model, out)
        if diff > 1e-3:
            raise SystemExit(f"{name}: ONNX differs from torch by {diff}")
        info[name] = {"file": out.name, "sha256": sha256(out), "bytes": out.stat().st_size,
                      "parameters": sum(p.numel() for p in model.parameters()),
                      "onnx_vs_torch_max_abs_diff": diff, "selected_checkpoint": best}
        for log in sorted(weights.parent.glob("*.log")):
            dest = Path("training/logs") / log_name(name, log.name, best)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(log, dest)
        print(f"{name}: {out} ({out.stat().st_size / 1e6:.2f} MB), max |onnx - torch| = {diff:.2e}")
    info["training_data"] = {"sources": training_sources(info)}
    info_path.write_text(json.dumps(info, indent=2) + "\n")


def log_name(model: str, log: str, record: dict) -> str:  # type: ignore[type-arg]
    """Where a run's log is kept in ``training/logs``: a fine-tune's beside, not over, the first run's log, by the
    rule the model card links it with."""
    from platewarden.audit.model_card import training_log

    if log == "train.log":
        return f"{model}-train.log"
    if log == f"{model}-stream.log":
        return Path(training_log(model, record)).name
    return log


def checkpoint_files(run: Path) -> tuple[Path, Path]:
    """A run folder of ``train.py`` (``best.pt`` + ``best.json``) or one candidate of a streamed run (``NAME.pt`` +
    ``NAME.json``) → (weights, record)."""
    if run.is_dir():
        return run / "best.pt", run / "best.json"
    return run, run.with_suffix(".json")


def training_sources(info: dict) -> list[str]:  # type: ignore[type-arg]
    """Plain-language lines for the model card: every source, with counts and licences."""
    import csv

    from training.ocr.data import is_validation
    from training.synth.fonts import CJK_FONTS, HERSHEY_LICENCE, LATIN_FONTS, STROKE_LICENCE

    with open("training/labels/real_crops.tsv", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    ok = [r for r in rows if r[6] == "ok"]
    ro = [r for r in ok if "ro-dashcam" in r[0]]
    am = [r for r in ok if "andrewmvd" in r[0]]
    det = info.get("detector", {}).get("selected_checkpoint", {})
    ocr = info.get("ocr", {}).get("selected_checkpoint", {})
    with open("training/labels/openimages.tsv", newline="") as f:
        oi = list(csv.DictReader(f, delimiter="\t"))
    oi_ok = [r for r in oi if r["status"] == "ok"]
    oi_photos = {r["source"] for r in oi}
    oi_val_photos = {r["source"] for r in oi if r["split"] == "val"}
    by_country: dict[str, list[int]] = {}
    for r in oi_ok:
        by_country.setdefault(r["country"] or "unknown", [0, 0])[r["split"] == "val"] += 1
    top = sorted(by_country.items(), key=lambda kv: -sum(kv[1]))
    countries = ", ".join(f"{c} {t}/{v}" for c, (t, v) in top[:12])
    rest = sum(sum(n) for _, n in top[12:])
    fonts = sorted({f"{Path(p).name} ({lic})" for p, lic in {**LATIN_FONTS, **CJK_FONTS}.items() if Path(p).exists()})
    return [
        f"Detector: `train/ro-dashcam` frames (RobertLucian/license-plate-dataset, MIT), split by video "
        f"(`dayride_type1_002` held out), and `train/andrewmvd` photos (andrewmvd / MakeML, published as CC0 via "
        f"GeorgeVasile04/Car-plate-detection; weak provenance, some stock-photo watermarks), every fifth photo held "
        f"out: {det.get('train_scenes', '?')} training and {det.get('val_scenes', '?')} validation images; plus "
        f"synthetic plates composited onto those same training images (about 60 % of samples)."
        + (" The Open Images photos below were added to the detector's training in a later fine-tune that lost "
           "recall on our validation split and was not shipped (`training/logs/detector-openimages-not-kept.log`)."
           if int(det.get("train_scenes", 0) or 0) < len(oi_photos) else
           f" With the `train/openimages` photos below ({len(oi_photos)}, every fifth held out)."),
        f"Open Images: `train/openimages` (Google Open Images V7, class \"Vehicle registration plate\"; annotations "
        f"CC BY 4.0 by Google, images CC BY 2.0 by their Flickr authors, taken as Open Images lists their licences; "
        f"IDs of the photos used in `training/labels/openimages_ids.txt`; see `NOTICE`): {len(oi_photos)} photos, "
        f"every fifth in file-name order held out ({len(oi_val_photos)}).",
        f"OCR, real, Open Images: the {len(oi)} plate boxes of those photos transcribed by two independent readers "
        f"with a third look where they differed (`training/labels/openimages/`, protocol in "
        f"`training/labels/PROTOCOL.md`): {len(oi_ok)} legible, "
        + ", ".join(f"{sum(r['status'] == s for r in oi)} {s.replace('_', ' ')}"
                    for s in ("uncertain", "illegible", "erased", "non_latin", "not_a_plate"))
        + f" left out; {sum(r['split'] == 'train' for r in oi_ok)} for training, "
        f"{sum(r['split'] == 'val' for r in oi_ok)} held out. Legible plates per country (training/held out): "
        f"{countries}{f', {rest} more from other countries' if rest else ''}.",
        f"OCR, real: {len(rows)} plate crops from those two sets transcribed by hand under "
        f"`training/labels/PROTOCOL.md` ({len(ok)} legible: {len(ro)} Romanian dash-cam, {len(am)} web photos; "
        f"{sum(r[6] == 'uncertain' for r in rows)} uncertain and {sum(r[6] == 'illegible' for r in rows)} "
        f"illegible ones left out); {sum(not is_validation(r[0]) for r in ok)} used for training, "
        f"{sum(is_validation(r[0]) for r in ok)} held out.",
        f"OCR, Chinese: `train/ccpd-crops` (CCPD via sirius-ai/LPRNet_Pytorch, Apache-2.0 / MIT): "
        f"{ocr.get('ccpd_train_n', '?')} for training, {ocr.get('ccpd_val_n', '?')} (every fifth) held out.",
        f"OCR, synthetic: {ocr.get('synthetic_pool', 'fresh')} plates rendered by `training/synth` (styles: US of many "
        f"colours with state names, slogans, logos, faint pictures behind the characters, emblems between the "
        f"character groups, registration stickers "
        f"and dealer frames, in desktop fonts and in our own stamped plate face; EU DE/FR/IT/ES/NL/RO/UK and "
        f"generic with country strips and seals; BR grey and Mercosul; CN blue, green and yellow; one- and "
        f"two-row; serial letters as issuers use them: no I, O or Q on most US plates, no vowels in ES and NL, "
        f"none of I, O, U in FR or of I, O, Q, U in IT), warped in perspective on car-body backgrounds, degraded "
        f"with blur, low resolution, noise, JPEG, night, infrared, glare, dirt and shadows. {synthetic_share(ocr)}",
        f"Fonts: {', '.join(fonts)}; {HERSHEY_LICENCE}; {STROKE_LICENCE}.",
        f"Selection: OCR checkpoint at step {ocr.get('step', '?')} (held-out real {ocr.get('real_val', 0):.1%}, "
        f"CCPD {ocr.get('ccpd_val', 0):.1%}, Open Images {ocr.get('oi_val', float('nan')):.1%}; greedy decoding); "
        f"detector at step {det.get('step', '?')} (held-out recall "
        f"{det.get('val_recall', 0):.1%} at IoU 0.5). Seeds fixed; logs in `training/logs/`.{weight_average(ocr)}",
    ]


def weight_average(ocr: dict) -> str:  # type: ignore[type-arg]
    avg = ocr.get("weight_average")
    if not avg:
        return ""
    return (f" The OCR weights shipped are an {avg['kind']} of the training weights (decay {avg['decay']}), "
            "validated and selected as such.")


def synthetic_share(ocr: dict) -> str:  # type: ignore[type-arg]
    if "samples_seen" in ocr:
        real = ocr.get("real_frac", 0.25)
        return (f"Rendered on the fly while training (none reused): {ocr['samples_seen']:,} samples seen by the "
                f"selected checkpoint, {real:.0%} of each batch real crops.")
    return "Real : synthetic = 1 : 3 per batch."


if __name__ == "__main__":
    main()
