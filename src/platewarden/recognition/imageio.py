"""Reading images safely: corrupt, truncated, empty, non-image and enormous files give a clear error."""

from __future__ import annotations

import os
import struct
from pathlib import Path

# OpenCV's own decoder limit, for formats whose header we do not parse ourselves (set before cv2 reads it).
os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", str(50_000_000))

import cv2
import numpy as np

MAX_PIXELS = 50_000_000
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".ppm", ".pgm"}


class ImageError(ValueError):
    pass


def _declared_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG or JPEG header, read before decoding so a decompression bomb is refused."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return int(w), int(h)
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                h, w = struct.unpack(">HH", data[i + 5: i + 9])
                return int(w), int(h)
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            seg = struct.unpack(">H", data[i + 2: i + 4])[0]
            i += 2 + seg
    return None


def decode_image(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """Bytes → BGR image, or ImageError saying why not."""
    if not data:
        raise ImageError(f"{name}: empty file")
    size = _declared_size(data)
    if size is not None and size[0] * size[1] > MAX_PIXELS:
        raise ImageError(f"{name}: {size[0]}x{size[1]} is over the {MAX_PIXELS // 1_000_000} megapixel limit")
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise ImageError(f"{name}: not a readable image (corrupt, truncated or not an image)")
    if img.shape[0] * img.shape[1] > MAX_PIXELS:
        raise ImageError(f"{name}: {img.shape[1]}x{img.shape[0]} is over the {MAX_PIXELS // 1_000_000} MP limit")
    if img.shape[0] < 8 or img.shape[1] < 8:
        raise ImageError(f"{name}: image is too small ({img.shape[1]}x{img.shape[0]})")
    return img


def read_image(path: Path) -> np.ndarray:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImageError(f"{path}: cannot read ({exc.strerror})") from exc
    return decode_image(data, str(path))


def image_files(paths: list[Path]) -> list[Path]:
    """Expand folders (recursively) into their image files, sorted; files given directly are kept as they are."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES))
        else:
            out.append(p)
    return out
