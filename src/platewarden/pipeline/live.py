"""Frames in, reads and alerts out, with counters for a status line."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import cv2
import numpy as np

from platewarden.alerts.service import AlertService
from platewarden.domain.alerts import Alert
from platewarden.domain.observations import PlateObservation
from platewarden.domain.reads import Read
from platewarden.fusion.fuser import Fuser, TimedObservation
from platewarden.governance.zones import ZoneAlert, ZoneWatch
from platewarden.pipeline.writer import BufferedReadWriter
from platewarden.recognition.pipeline import Recognizer
from platewarden.sources.base import Frame


@dataclass
class PipelineStats:
    frames: int = 0
    observations: int = 0
    reads: int = 0
    alerts: int = 0
    zone_alerts: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def fps(self) -> float:
        return self.frames / max(1e-6, time.monotonic() - self.started)


def vehicle_crop(image: np.ndarray, obs: PlateObservation, max_width: int = 320) -> np.ndarray:
    """A small picture of the vehicle around the plate (never the full frame)."""
    b = obs.box
    x0, x1 = max(0, b.x - 2 * b.w), min(image.shape[1], b.x + 3 * b.w)
    y0, y1 = max(0, b.y - 4 * b.h), min(image.shape[0], b.y + 2 * b.h)
    crop = image[y0:y1, x0:x1]
    if crop.shape[1] > max_width:
        s = max_width / crop.shape[1]
        crop = cv2.resize(crop, (max_width, max(1, int(crop.shape[0] * s))), interpolation=cv2.INTER_AREA)
    return crop


class LivePipeline:
    def __init__(self, recognizer: Recognizer, fuser: Fuser, writer: BufferedReadWriter, alerts: AlertService,
                 on_read: Callable[[Read], None] | None = None,
                 on_alert: Callable[[Alert, Read], None] | None = None, zones: ZoneWatch | None = None,
                 on_zone_alert: Callable[[ZoneAlert], None] | None = None) -> None:
        self.zones = zones
        self.on_zone_alert = on_zone_alert
        self.recognizer = recognizer
        self.fuser = fuser
        self.writer = writer
        self.alerts = alerts
        self.on_read = on_read
        self.on_alert = on_alert
        self.stats = PipelineStats()

    def process(self, frame: Frame) -> None:
        obs = self.recognizer.recognize(frame.image)
        self.stats.frames += 1
        self.stats.observations += len(obs)
        timed = [TimedObservation(frame.at, o, vehicle_crop(frame.image, o)) for o in obs]
        self._emit(self.fuser.push(frame.at, timed))
        if frame.still:  # a photo is a complete sighting on its own
            self._emit(self.fuser.flush())

    def _emit(self, reads: list[Read]) -> None:
        self._emit_stored(self.writer.write(reads) if reads else self.writer.retry())

    def _emit_stored(self, stored: list[Read]) -> None:
        for r in stored:
            self.stats.reads += 1
            if self.on_read:
                self.on_read(r)
            decision = self.alerts.check(r)
            if decision.alert is not None:
                self.stats.alerts += 1
                if self.on_alert:
                    self.on_alert(decision.alert, r)
            for zone_alert in self.zones.observe(r) if self.zones is not None else []:
                self.stats.zone_alerts += 1
                if self.on_zone_alert:
                    self.on_zone_alert(zone_alert)

    def run(self, frames: Iterable[Frame], on_frame: Callable[[PipelineStats], None] | None = None) -> PipelineStats:
        for f in frames:
            self.process(f)
            if on_frame:
                on_frame(self.stats)
        self._emit(self.fuser.flush())
        self._emit_stored(self.writer.retry(force=True))
        return self.stats
