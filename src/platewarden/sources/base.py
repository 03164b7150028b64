"""Frames and the counters every source keeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np


@dataclass(frozen=True)
class Frame:
    camera_id: str
    at: datetime
    image: np.ndarray
    index: int
    still: bool = False  # a single photo rather than a frame of a video


@dataclass
class SourceStats:
    frames: int = 0
    bad_frames: int = 0
    reconnects: int = 0
    last_error: str = ""
