"""Plate detection with the shipped CenterNet-style network (see training/detector/model.py)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from platewarden.recognition.models import session

STRIDE = 4


@dataclass(frozen=True)
class Detection:
    """Box (x, y, w, h) and four corners (clockwise from top-left) in source pixels, and the detector's score."""

    box: tuple[float, float, float, float]
    corners: np.ndarray
    score: float


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)))


def _iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / max(1e-6, a[2] * a[3] + b[2] * b[3] - inter)


class PlateDetector:
    def __init__(self, input_width: int = 640, threshold: float = 0.35, max_plates: int = 20, threads: int = 1):
        self.input_width = input_width
        self.threshold = threshold
        self.max_plates = max_plates
        self._sess = session("detector.onnx", threads)

    def detect(self, image: np.ndarray) -> list[Detection]:
        h0, w0 = image.shape[:2]
        scale = self.input_width / max(w0, h0 * 16 / 9)  # fit into a 16:9 canvas of input_width
        w, h = max(32, round(w0 * scale)), max(32, round(h0 * scale))
        W, H = int(np.ceil(w / 32) * 32), int(np.ceil(h / 32) * 32)
        resized = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)
        canvas = cv2.copyMakeBorder(resized, 0, H - h, 0, W - w, cv2.BORDER_CONSTANT, value=(0, 0, 0))
        # BGR uint8 HWC → RGB float NCHW in [0, 1], in one pass of OpenCV's C++ rather than four numpy copies
        x = cv2.dnn.blobFromImage(canvas, scalefactor=1.0 / 255.0, swapRB=True)
        maps = self._sess.run(None, {"image": x})[0][0]
        heat = _sigmoid(maps[0])
        peaks = (heat == cv2.dilate(heat, np.ones((3, 3), np.uint8))) & (heat >= self.threshold)
        ys, xs = np.nonzero(peaks)
        order = np.argsort(-heat[ys, xs])[: self.max_plates * 3]
        dets: list[Detection] = []
        sx, sy = w0 / w, h0 / h
        for k in order:
            iy, ix = int(ys[k]), int(xs[k])
            bw, bh = float(np.exp(maps[1, iy, ix]) * STRIDE), float(np.exp(maps[2, iy, ix]) * STRIDE)
            cx, cy = (ix + float(maps[3, iy, ix])) * STRIDE, (iy + float(maps[4, iy, ix])) * STRIDE
            rel = maps[5:13, iy, ix].reshape(4, 2)
            centre, size = np.array([cx, cy], np.float32), np.array([bw, bh], np.float32)
            corners = (centre + rel * size) * np.array([sx, sy], np.float32)
            box = ((cx - bw / 2) * sx, (cy - bh / 2) * sy, bw * sx, bh * sy)
            if any(_iou(box, d.box) > 0.4 for d in dets):
                continue
            dets.append(Detection(box, corners.astype(np.float32), float(heat[iy, ix])))
            if len(dets) == self.max_plates:
                break
        return dets
