"""Image → plate observations: detector, rectification, OCR and plate grammars, on ONNX Runtime and OpenCV."""

from platewarden.recognition.imageio import ImageError, decode_image, read_image
from platewarden.recognition.pipeline import Recognizer

__all__ = ["ImageError", "Recognizer", "decode_image", "read_image"]
