"""Plate detection with the shipped CenterNet-style network (see training/detector/model.py).

Two passes. The whole photo is scanned once at a fixed width; every candidate peak is then looked at again in a
small window scaled so that the candidate plate is ``refine_plate_width`` pixels wide. The network was trained on
plates 16 to 200 px wide, and its score and box are far better in the middle of that range than at its ends: in a
1280 x 720 street photo scanned at 800 px a US plate is about 35 px wide, where the score is weak and the box too
wide; close-up photos give plates wider than the range. The second look puts every plate at the size the network
knows best, for about 1 ms a candidate.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from platewarden.recognition.models import session

STRIDE = 4
REFINE_WINDOW = (256, 128)  # w, h of the second look, in network input pixels (multiples of 32)
REFINE_MAX_SCALE = 4.0  # never enlarge a candidate more than this: beyond it there is nothing left to read


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


def _decode(maps: np.ndarray, iy: int, ix: int) -> tuple[tuple[float, float, float, float], np.ndarray]:
    """Box (x, y, w, h) and corners, in the pixels of the network's input, of the peak at output cell (iy, ix)."""
    bw, bh = float(np.exp(maps[1, iy, ix]) * STRIDE), float(np.exp(maps[2, iy, ix]) * STRIDE)
    cx, cy = (ix + float(maps[3, iy, ix])) * STRIDE, (iy + float(maps[4, iy, ix])) * STRIDE
    rel = maps[5:13, iy, ix].reshape(4, 2)
    corners = np.array([cx, cy], np.float32) + rel * np.array([bw, bh], np.float32)
    return (cx - bw / 2, cy - bh / 2, bw, bh), corners.astype(np.float32)


class PlateDetector:
    """``threshold`` decides what is a plate; ``candidate_threshold`` (lower) what the first pass hands to the
    second look, which shows each candidate ``refine_plate_width`` px wide. Without ``refine_plate_width`` the first
    pass alone decides, at ``threshold``."""

    def __init__(self, input_width: int = 640, threshold: float = 0.35, max_plates: int = 20, threads: int = 1,
                 refine_plate_width: int | None = None, candidate_threshold: float | None = None):
        if not 0 < threshold < 1:
            raise ValueError(f"detection threshold must lie in (0, 1), got {threshold}")
        if candidate_threshold is not None and not 0 < candidate_threshold <= threshold:
            raise ValueError(f"candidate threshold must lie in (0, threshold], got {candidate_threshold}")
        if refine_plate_width is not None and not 16 <= refine_plate_width <= REFINE_WINDOW[0] * 3 // 4:
            raise ValueError(f"refine plate width must lie in [16, {REFINE_WINDOW[0] * 3 // 4}] px, "
                             f"got {refine_plate_width}")
        self.input_width = input_width
        self.threshold = threshold
        self.max_plates = max_plates
        self.refine_plate_width = refine_plate_width
        self.candidate_threshold = candidate_threshold if candidate_threshold is not None else threshold
        self._sess = session("detector.onnx", threads)

    def detect(self, image: np.ndarray) -> list[Detection]:
        if self.refine_plate_width is None:
            return self._scan(image, self.threshold, self.max_plates)
        # as many candidates as plates may be reported (a car park): each costs about 1 ms
        candidates = self._scan(image, self.candidate_threshold, self.max_plates)
        looked = self._look_again(image, candidates, self.refine_plate_width)
        kept: list[Detection] = []
        for det in sorted(looked, key=lambda d: -d.score):
            if det.score >= self.threshold and not any(_iou(det.box, k.box) > 0.4 for k in kept):
                kept.append(det)
        return kept[: self.max_plates]

    def _scan(self, image: np.ndarray, threshold: float, limit: int) -> list[Detection]:
        """The first pass: the whole photo fitted into a 16:9 canvas ``input_width`` wide."""
        h0, w0 = image.shape[:2]
        scale = self.input_width / max(w0, h0 * 16 / 9)
        w, h = max(32, round(w0 * scale)), max(32, round(h0 * scale))
        W, H = int(np.ceil(w / 32) * 32), int(np.ceil(h / 32) * 32)
        resized = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)
        canvas = cv2.copyMakeBorder(resized, 0, H - h, 0, W - w, cv2.BORDER_CONSTANT, value=(0, 0, 0))
        # BGR uint8 HWC → RGB float NCHW in [0, 1], in one pass of OpenCV's C++ rather than four numpy copies
        x = cv2.dnn.blobFromImage(canvas, scalefactor=1.0 / 255.0, swapRB=True)
        maps = self._sess.run(None, {"image": x})[0][0]
        heat = _sigmoid(maps[0])
        peaks = (heat == cv2.dilate(heat, np.ones((3, 3), np.uint8))) & (heat >= threshold)
        ys, xs = np.nonzero(peaks)
        order = np.argsort(-heat[ys, xs])[: limit * 3]
        dets: list[Detection] = []
        sx, sy = w0 / w, h0 / h
        for k in order:
            iy, ix = int(ys[k]), int(xs[k])
            (bx, by, bw, bh), corners = _decode(maps, iy, ix)
            box = (bx * sx, by * sy, bw * sx, bh * sy)
            if any(_iou(box, d.box) > 0.4 for d in dets):
                continue
            dets.append(Detection(box, corners * np.array([sx, sy], np.float32), float(heat[iy, ix])))
            if len(dets) == limit:
                break
        return dets

    def _look_again(self, image: np.ndarray, candidates: list[Detection], plate_width: int) -> list[Detection]:
        """Each candidate re-detected in a window that shows it ``plate_width`` px wide, in one batch.

        The candidate keeps the better of its two scores; its box and corners come from the strongest peak near the
        window's centre (the second look sees the plate at the size it knows best)."""
        if not candidates:
            return []
        ww, wh = REFINE_WINDOW
        windows, placements = [], []
        for det in candidates:
            x, y, w, h = det.box
            s = min(REFINE_MAX_SCALE, plate_width / max(1.0, w))
            cx, cy = x + w / 2, y + h / 2
            # the source rectangle the window shows, clipped to the photo; the window is black beyond it
            x0, y0 = max(0, int(np.floor(cx - ww / 2 / s))), max(0, int(np.floor(cy - wh / 2 / s)))
            x1 = min(image.shape[1], int(np.ceil(cx + ww / 2 / s)))
            y1 = min(image.shape[0], int(np.ceil(cy + wh / 2 / s)))
            canvas = np.zeros((wh, ww, 3), np.uint8)
            ox, oy = ww / 2 - (cx - x0) * s, wh / 2 - (cy - y0) * s  # where the rectangle's corner lands
            if x1 > x0 and y1 > y0:
                rw, rh = max(1, round((x1 - x0) * s)), max(1, round((y1 - y0) * s))
                patch = cv2.resize(image[y0:y1, x0:x1], (rw, rh),
                                   interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
                px, py = round(ox), round(oy)
                tx0, ty0 = max(0, px), max(0, py)
                tx1, ty1 = min(ww, px + rw), min(wh, py + rh)
                if tx1 > tx0 and ty1 > ty0:
                    canvas[ty0:ty1, tx0:tx1] = patch[ty0 - py:ty1 - py, tx0 - px:tx1 - px]
                ox, oy = float(px), float(py)
            windows.append(canvas)
            placements.append((s, ox, oy, x0, y0))
        blob = cv2.dnn.blobFromImages(windows, scalefactor=1.0 / 255.0, swapRB=True)
        all_maps = self._sess.run(None, {"image": blob})[0]
        # peaks are looked for within half a plate width of the centre, where the candidate was
        gh, gw = wh // STRIDE, ww // STRIDE
        ys, xs = np.mgrid[0:gh, 0:gw]
        near = ((np.abs(xs + 0.5 - gw / 2) * STRIDE <= plate_width / 2)
                & (np.abs(ys + 0.5 - gh / 2) * STRIDE <= plate_width / 4))
        out = []
        for det, maps, (s, ox, oy, x0, y0) in zip(candidates, all_maps, placements, strict=True):
            heat = np.where(near, _sigmoid(maps[0]), 0.0)  # ``near`` is never empty: plate widths are >= 16 px
            iy, ix = np.unravel_index(int(np.argmax(heat)), heat.shape)
            score = float(heat[iy, ix])
            (bx, by, bw, bh), corners = _decode(maps, int(iy), int(ix))
            box = ((bx - ox) / s + x0, (by - oy) / s + y0, bw / s, bh / s)
            src_corners = ((corners - np.array([ox, oy], np.float32)) / s + np.array([x0, y0], np.float32))
            out.append(Detection(box, src_corners.astype(np.float32), max(score, det.score)))
        return out
