"""Recognition and fusion next to the camera; each fused read goes into the outbox and out to the broker.

The edge keeps no database and decides nothing: alerts, the camera registry and the deployment gate are central.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from nacl.signing import SigningKey

from platewarden.domain.clock import Clock
from platewarden.domain.reads import Read
from platewarden.edge.identity import CentralPublic
from platewarden.edge.message import encode, topic_for
from platewarden.edge.outbox import Outbox
from platewarden.edge.publisher import EdgePublisher
from platewarden.fusion.fuser import Fuser, TimedObservation
from platewarden.pipeline.live import vehicle_crop
from platewarden.recognition.pipeline import Recognizer
from platewarden.sources.base import Frame


@dataclass
class EdgeStats:
    frames: int = 0
    reads: int = 0
    waiting: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def fps(self) -> float:
        return self.frames / max(1e-6, time.monotonic() - self.started)


@dataclass(frozen=True)
class ReadSealer:
    """How this edge turns a read into a message: sealed to the central, signed with the camera's key."""

    camera_key: SigningKey
    central: CentralPublic

    def message(self, read: Read, sent_at: datetime) -> bytes:
        return encode(read, sent_at, self.camera_key, self.central)


def queue_reads(outbox: Outbox, reads: list[Read], clock: Clock, sealer: ReadSealer) -> None:
    now = clock.now()
    outbox.put([(r.id, topic_for(r.camera_id), sealer.message(r, now)) for r in reads])


class EdgePipeline:
    def __init__(self, recognizer: Recognizer, fuser: Fuser, outbox: Outbox, publisher: EdgePublisher,
                 clock: Clock, sealer: ReadSealer) -> None:
        self.sealer = sealer
        self.recognizer = recognizer
        self.fuser = fuser
        self.outbox = outbox
        self.publisher = publisher
        self.clock = clock
        self.stats = EdgeStats()

    def _emit(self, reads: list[Read]) -> None:
        if reads:
            queue_reads(self.outbox, reads, self.clock, self.sealer)
            self.stats.reads += len(reads)
        self.stats.waiting = self.publisher.pump()

    def process(self, frame: Frame) -> None:
        obs = self.recognizer.recognize(frame.image)
        self.stats.frames += 1
        timed = [TimedObservation(frame.at, o, vehicle_crop(frame.image, o)) for o in obs]
        self._emit(self.fuser.push(frame.at, timed))
        if frame.still:
            self._emit(self.fuser.flush())

    def run(self, frames: Iterable[Frame], on_frame: Callable[[EdgeStats], None] | None = None) -> EdgeStats:
        for f in frames:
            self.process(f)
            if on_frame:
                on_frame(self.stats)
        self._emit(self.fuser.flush())
        return self.stats
