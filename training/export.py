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
        model.load_state_dict(torch.load(run / "best.pt", map_location="cpu"))
        out = MODELS / f"{name}.onnx"
        diff = export(model, out)
        if diff > 1e-3:
            raise SystemExit(f"{name}: ONNX differs from torch by {diff}")
        best = json.loads((run / "best.json").read_text()) if (run / "best.json").exists() else {}
        info[name] = {"file": out.name, "sha256": sha256(out), "bytes": out.stat().st_size,
                      "parameters": sum(p.numel() for p in model.parameters()),
                      "onnx_vs_torch_max_abs_diff": diff, "selected_checkpoint": best}
        log = run / "train.log"
        if log.exists():
            dest = Path("training/logs") / f"{name}-train.log"
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(log, dest)
        print(f"{name}: {out} ({out.stat().st_size / 1e6:.2f} MB), max |onnx - torch| = {diff:.2e}")
    info_path.write_text(json.dumps(info, indent=2) + "\n")


if __name__ == "__main__":
    main()
