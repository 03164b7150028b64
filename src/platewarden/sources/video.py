"""Video files and live streams (RTSP, HTTP MJPEG) through OpenCV.

A bad frame is skipped and counted, never fatal. A stream that drops is reopened with exponential backoff; a file
that cannot be opened at all is an error at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import cv2

from platewarden.domain.clock import Clock
from platewarden.sources.base import Frame, SourceStats


class SourceError(RuntimeError):
    pass


class VideoFileSource:
    """Frames of a video file, timed from ``start`` by the file's frame rate (so replays give the same times)."""

    MAX_CONSECUTIVE_FAILURES = 25

    def __init__(self, path: Path, camera_id: str, start: datetime, every: int = 1) -> None:
        if not path.is_file():
            raise SourceError(f"{path}: no such video file")
        self.path = path
        self.camera_id = camera_id
        self.start = start
        self.every = max(1, every)
        self.stats = SourceStats()
        cap = cv2.VideoCapture(str(path))
        ok = cap.isOpened() and cap.read()[0]
        cap.release()
        if not ok:
            raise SourceError(f"{path}: not a readable video (corrupt or unsupported)")

    def frames(self) -> Iterator[Frame]:
        cap = cv2.VideoCapture(str(self.path))
        fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
        total = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        index, failures = 0, 0
        try:
            while True:
                ok, img = cap.read()
                if not ok or img is None:
                    if total and index < total - 1 and failures < self.MAX_CONSECUTIVE_FAILURES:
                        failures += 1
                        self.stats.bad_frames += 1
                        index += 1
                        continue
                    break
                failures = 0
                if index % self.every == 0:
                    self.stats.frames += 1
                    yield Frame(self.camera_id, self.start + timedelta(seconds=index / fps), img, index)
                index += 1
        finally:
            cap.release()


class StreamSource:
    """A live stream; reconnects with backoff (1 s doubling to ``max_backoff``) until ``should_stop``."""

    def __init__(self, url: str, camera_id: str, clock: Clock, should_stop: Callable[[], bool] = lambda: False,
                 max_backoff: float = 30.0, sleep: Callable[[float], None] = time.sleep,
                 max_reconnects: int | None = None) -> None:
        self.url = url
        self.camera_id = camera_id
        self.clock = clock
        self.should_stop = should_stop
        self.max_backoff = max_backoff
        self.sleep = sleep
        self.max_reconnects = max_reconnects
        self.stats = SourceStats()

    def frames(self) -> Iterator[Frame]:
        backoff = 1.0
        index = 0
        while not self.should_stop():
            cap = cv2.VideoCapture(self.url)
            if not cap.isOpened():
                self.stats.last_error = f"cannot open {self.url}"
            else:
                backoff = 1.0
                bad = 0
                while not self.should_stop():
                    ok, img = cap.read()
                    if not ok or img is None:
                        bad += 1
                        self.stats.bad_frames += 1
                        if bad >= 10:
                            self.stats.last_error = "stream stopped delivering frames"
                            break
                        continue
                    bad = 0
                    self.stats.frames += 1
                    yield Frame(self.camera_id, self.clock.now(), img, index)
                    index += 1
            cap.release()
            if self.max_reconnects is not None and self.stats.reconnects >= self.max_reconnects:
                return
            self.stats.reconnects += 1
            self.sleep(backoff)
            backoff = min(self.max_backoff, backoff * 2)


def open_source(spec: str, camera_id: str, clock: Clock, start: datetime | None = None,
                should_stop: Callable[[], bool] = lambda: False) -> VideoFileSource | StreamSource:
    """A URL (rtsp://, http(s)://) becomes a stream; anything else must be a video file."""
    if spec.startswith(("rtsp://", "rtsps://", "http://", "https://")):
        return StreamSource(spec, camera_id, clock, should_stop)
    return VideoFileSource(Path(spec), camera_id, start or clock.now())
