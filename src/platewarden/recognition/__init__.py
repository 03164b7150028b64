"""Image → plate observations: detector, rectification, OCR and plate grammars, on ONNX Runtime and OpenCV.

The reader is imported on first use (PEP 562), so that ``platewarden.recognition.alphabet`` and the other plain-data
modules can be imported where ONNX Runtime and pydantic are not installed: the training machines.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from platewarden.recognition.imageio import ImageError, decode_image, read_image

if TYPE_CHECKING:
    from platewarden.recognition.pipeline import Recognizer

__all__ = ["ImageError", "Recognizer", "decode_image", "read_image"]


def __getattr__(name: str) -> Any:
    if name == "Recognizer":
        from platewarden.recognition.pipeline import Recognizer

        return Recognizer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
