"""Camera degradations for synthetic (and real) training images: what a street camera does to a plate.

Perspective, blur, low resolution, noise, JPEG, night and IR, glare, dirt, partial occlusion. Every function takes
the random generator explicitly, so a seed reproduces a data set.
"""
from __future__ import annotations

import random

import cv2
import numpy as np


def perspective(img: np.ndarray, rng: random.Random, strength: float) -> tuple[np.ndarray, np.ndarray]:
    """Warp by moving each corner; returns the image (on a margin canvas) and the plate's four corners in it."""
    h, w = img.shape[:2]
    pad = int(0.35 * h) + 4
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = strength * np.float32([[rng.uniform(-1, 1) * w * 0.12, rng.uniform(-1, 1) * h * 0.25] for _ in range(4)])
    # a consistent rotation too
    ang = np.deg2rad(rng.uniform(-12, 12) * strength)
    c = np.float32([w / 2, h / 2])
    rot = np.float32([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]])
    dst = (src - c) @ rot.T + c + jitter + pad
    size = (w + 2 * pad, h + 2 * pad)
    M = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    out = cv2.warpPerspective(img, M, size, borderMode=cv2.BORDER_REPLICATE if rng.random() < 0.2
                              else cv2.BORDER_CONSTANT, borderValue=_rand_color(rng))
    return out, dst


def _rand_color(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255))


def car_body(h: int, w: int, rng: random.Random) -> np.ndarray:
    """A painted car surface with a bumper line, highlights and texture, for around the plate."""
    base = np.array(_rand_color(rng), np.float32) * rng.uniform(0.3, 1.0)
    img = np.ones((h, w, 3), np.float32) * base
    grad = np.linspace(rng.uniform(0.6, 1.2), rng.uniform(0.6, 1.2), h)[:, None, None]
    img = img * grad
    if rng.random() < 0.6:
        y = rng.randint(0, h - 1)
        cv2.line(img, (0, y), (w, y + rng.randint(-10, 10)), _rand_color(rng), rng.randint(1, 6))
    if rng.random() < 0.4:
        cv2.rectangle(img, (rng.randint(0, w), rng.randint(0, h)), (rng.randint(0, w), rng.randint(0, h)),
                      _rand_color(rng), -1)
    noise = np.random.default_rng(rng.randint(0, 2**31)).normal(0, rng.uniform(2, 12), (h, w, 1))
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def degrade(img: np.ndarray, rng: random.Random, level: float = 1.0) -> np.ndarray:
    """Photometric degradations; ``level`` 0 keeps the image clean, 1 is the full mix."""
    out = img.astype(np.float32)
    if rng.random() < 0.35 * level:  # dirt
        for _ in range(rng.randint(1, 6)):
            c = (rng.randint(0, out.shape[1]), rng.randint(0, out.shape[0]))
            ax = (rng.randint(2, max(3, out.shape[1] // 8)), rng.randint(2, max(3, out.shape[0] // 5)))
            mask = np.zeros(out.shape[:2], np.float32)
            cv2.ellipse(mask, c, ax, rng.uniform(0, 180), 0, 360, 1.0, -1)
            mask = cv2.GaussianBlur(mask, (0, 0), 2 + ax[0] / 3) * rng.uniform(0.2, 0.6)
            out = out * (1 - mask[..., None]) + np.float32([40, 50, 60]) * mask[..., None]
    if rng.random() < 0.2 * level:  # glare
        mask = np.zeros(out.shape[:2], np.float32)
        c = (rng.randint(0, out.shape[1]), rng.randint(0, out.shape[0]))
        cv2.ellipse(mask, c, (rng.randint(5, out.shape[1] // 3 + 6), rng.randint(3, out.shape[0] // 2 + 4)),
                    rng.uniform(0, 180), 0, 360, 1.0, -1)
        mask = cv2.GaussianBlur(mask, (0, 0), 6) * rng.uniform(0.3, 0.9)
        out = out + 255 * mask[..., None]
    if rng.random() < 0.1 * level:  # partial occlusion at an edge (tow hook, bumper, rack), never a whole character
        h, w = out.shape[:2]
        side = rng.choice(["left", "right", "top", "bottom"])
        colour = np.float32([rng.randint(0, 80)] * 3)
        if side in ("left", "right"):
            ow = int(w * rng.uniform(0.02, 0.06))
            x0 = 0 if side == "left" else w - ow
            out[:, x0: x0 + ow] = colour
        else:
            oh = int(h * rng.uniform(0.05, 0.15))
            y0 = 0 if side == "top" else h - oh
            x0 = rng.randint(0, max(1, w // 2))
            out[y0: y0 + oh, x0: x0 + w // 3] = colour
    if rng.random() < 0.15 * level:  # shadow across
        x = rng.randint(0, out.shape[1])
        out[:, x:] *= rng.uniform(0.4, 0.8)
    # illumination
    mode = rng.random()
    if mode < 0.15 * level:  # night: dark, warm light, noisy
        out = out * rng.uniform(0.15, 0.45) + np.float32([0, 10, 25])
    elif mode < 0.27 * level:  # infrared: monochrome, plate bright
        g = cv2.cvtColor(np.clip(out, 0, 255).astype(np.uint8), cv2.COLOR_BGR2GRAY).astype(np.float32)
        g = np.clip((g - g.mean()) * rng.uniform(1.2, 2.2) + rng.uniform(100, 170), 0, 255)
        out = np.repeat(g[..., None], 3, axis=2)
    else:
        out = (out - 128) * rng.uniform(0.6, 1.3) + 128 + rng.uniform(-40, 40)
        out = out * np.float32([rng.uniform(0.85, 1.15) for _ in range(3)])
    out = np.clip(out, 0, 255).astype(np.uint8)
    # resolution loss
    if rng.random() < 0.7 * level:
        h, w = out.shape[:2]
        target_h = rng.randint(12, 50)
        if target_h < h:
            s = target_h / h
            small = cv2.resize(out, (max(4, int(w * s)), target_h), interpolation=cv2.INTER_AREA)
            out = cv2.resize(small, (w, h), interpolation=rng.choice([cv2.INTER_LINEAR, cv2.INTER_CUBIC]))
    if rng.random() < 0.5 * level:  # blur
        if rng.random() < 0.5:
            k = rng.choice([3, 5])
            out = cv2.GaussianBlur(out, (k, k), 0)
        else:
            k = rng.randint(3, 9)
            kern = np.zeros((k, k), np.float32)
            kern[k // 2, :] = 1.0 / k
            M = cv2.getRotationMatrix2D((k / 2, k / 2), rng.uniform(0, 180), 1)
            kern = cv2.warpAffine(kern, M, (k, k))
            out = cv2.filter2D(out, -1, kern / max(kern.sum(), 1e-6))
    if rng.random() < 0.6 * level:  # sensor noise
        sigma = rng.uniform(2, 14)
        noise = np.random.default_rng(rng.randint(0, 2**31)).normal(0, sigma, out.shape)
        out = np.clip(out.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    if rng.random() < 0.6 * level:  # compression
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(15, 85)])
        if ok:
            out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return out
