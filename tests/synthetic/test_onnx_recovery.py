"""The training code recovers the shipped networks from their ONNX files exactly (needs the ``train`` extra)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")

import onnxruntime as ort  # noqa: E402

from training.from_onnx import ocr_from_onnx  # noqa: E402

MODELS = Path(__file__).resolve().parents[2] / "src/platewarden/recognition/models"


def test_shipped_ocr_is_recovered_exactly() -> None:
    width = json.loads((MODELS / "models.json").read_text())["ocr"]["selected_checkpoint"]["width"]
    model = ocr_from_onnx(MODELS / "ocr.onnx", width).eval()
    x = np.random.default_rng(0).random((3, 1, 48, 160), dtype=np.float32)
    session = ort.InferenceSession(str(MODELS / "ocr.onnx"), providers=["CPUExecutionProvider"])
    expected = session.run(None, {session.get_inputs()[0].name: x})[0]
    with torch.no_grad():
        got = model(torch.from_numpy(x)).numpy()
    assert np.abs(got - expected).max() < 1e-4


def test_a_wrong_width_is_refused() -> None:
    with pytest.raises(ValueError, match="mismatch"):
        ocr_from_onnx(MODELS / "ocr.onnx", 1.0)
