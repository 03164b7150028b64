"""Cutting a plate out of the frame: perspective-rectified from its corners when they are plausible, otherwise the
detector's box with a margin like the one the OCR was trained with."""

from __future__ import annotations

import cv2
import numpy as np

from platewarden.recognition.detector import Detection


def _plausible(corners: np.ndarray, box: tuple[float, float, float, float]) -> bool:
    if not np.all(np.isfinite(corners)):
        return False
    area = abs(cv2.contourArea(corners.astype(np.float32)))
    box_area = box[2] * box[3]
    return bool(cv2.isContourConvex(corners.astype(np.float32))) and 0.4 * box_area < area < 1.3 * box_area


def crop_plate(image: np.ndarray, det: Detection, margin_x: float = 0.05, margin_y: float = 0.08) -> np.ndarray:
    corners = det.corners
    if _plausible(corners, det.box):
        c = corners.mean(axis=0)
        grown = c + (corners - c) * np.array([1 + 2 * margin_x, 1 + 2 * margin_y], np.float32)
        # no margin where the frame ends (a tight crop): never invent border pixels
        grown = np.clip(grown, 0, np.array([image.shape[1] - 1, image.shape[0] - 1], np.float32))
        width = float((np.linalg.norm(grown[1] - grown[0]) + np.linalg.norm(grown[2] - grown[3])) / 2)
        height = float((np.linalg.norm(grown[3] - grown[0]) + np.linalg.norm(grown[2] - grown[1])) / 2)
        out_w, out_h = max(8, round(width)), max(4, round(height))
        dst = np.array([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]], np.float32)
        M = cv2.getPerspectiveTransform(grown.astype(np.float32), dst)
        return cv2.warpPerspective(image, M, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    x, y, w, h = det.box
    x0, y0 = int(max(0, x - margin_x * w)), int(max(0, y - margin_y * h))
    x1, y1 = int(min(image.shape[1], x + w * (1 + margin_x))), int(min(image.shape[0], y + h * (1 + margin_y)))
    return image[y0:max(y0 + 2, y1), x0:max(x0 + 2, x1)].copy()
