"""Loading the shipped ONNX models from package data."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import onnxruntime as ort

MODELS = resources.files("platewarden.recognition") / "models"


class ModelMissing(FileNotFoundError):
    pass


def model_path(name: str) -> Path:
    path = Path(str(MODELS / name))
    if not path.exists():
        raise ModelMissing(f"model {name} is not in the package ({path}); reinstall platewarden or train it with "
                           "training/ (see docs/model-card.md)")
    return path


def model_info() -> dict[str, Any]:
    path = model_path("models.json")
    info: dict[str, Any] = json.loads(path.read_text())
    return info


@lru_cache(maxsize=4)
def session(name: str, threads: int = 1) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(model_path(name)), opts, providers=["CPUExecutionProvider"])
