"""Group observations of one vehicle seen by one camera into tracks, and close each track into a Read.

An observation joins the open track whose latest text is most similar (≥ ``similarity``) or, when the text is
too garbled to compare, whose latest box overlaps it in the previous moment. A track that has not been seen for
``gap`` seconds is closed. Times come from the frames, never from the wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import cv2
import numpy as np

from platewarden.domain.cameras import Camera
from platewarden.domain.observations import PlateObservation
from platewarden.domain.plates import Region
from platewarden.domain.reads import Read, read_id_for
from platewarden.fusion.similarity import similarity
from platewarden.fusion.vote import vote


@dataclass(frozen=True)
class TimedObservation:
    at: datetime
    observation: PlateObservation
    vehicle_crop: np.ndarray | None = None


@dataclass
class _Track:
    number: int
    items: list[TimedObservation] = field(default_factory=list)

    @property
    def last(self) -> TimedObservation:
        return self.items[-1]


def encode_jpeg(img: np.ndarray, quality: int = 85) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("could not encode crop as JPEG")
    return buf.tobytes()


def _majority_region(obs: list[PlateObservation]) -> tuple[Region, str | None]:
    weights: dict[tuple[Region, str | None], float] = {}
    for o in obs:
        if o.region is not Region.UNKNOWN:
            weights[(o.region, o.country)] = weights.get((o.region, o.country), 0) + o.confidence + 1e-6
    if not weights:
        return Region.UNKNOWN, None
    return max(weights, key=lambda k: weights[k])


class Fuser:
    def __init__(self, camera: Camera, gap_seconds: float = 2.0, min_similarity: float = 0.6) -> None:
        self.camera = camera
        self.gap = timedelta(seconds=gap_seconds)
        self.min_similarity = min_similarity
        self._open: list[_Track] = []
        self._next = 0

    def push(self, at: datetime, observations: list[TimedObservation]) -> list[Read]:
        """Add one frame's observations (all at time ``at``); returns reads of tracks that ended before it."""
        closed = self._close_idle(at)
        taken: set[int] = set()
        for item in sorted(observations, key=lambda t: -t.observation.confidence):
            track = self._assign(item, taken)
            if track is None:
                track = _Track(self._next)
                self._next += 1
                self._open.append(track)
            taken.add(track.number)
            track.items.append(item)
        return closed

    def _assign(self, item: TimedObservation, taken: set[int]) -> _Track | None:
        best, best_score = None, 0.0
        for tr in self._open:
            if tr.number in taken:
                continue
            score = max(similarity(item.observation.text, t.observation.text) for t in tr.items[-3:])
            recent = item.at - tr.last.at <= timedelta(seconds=0.5)
            if score < self.min_similarity and recent and tr.last.observation.box.iou(item.observation.box) > 0.3:
                score = self.min_similarity
            if score >= self.min_similarity and score > best_score:
                best, best_score = tr, score
        return best

    def _close_idle(self, now: datetime) -> list[Read]:
        done = [t for t in self._open if now - t.last.at > self.gap]
        self._open = [t for t in self._open if t not in done]
        return [self._to_read(t) for t in done]

    def flush(self) -> list[Read]:
        done, self._open = self._open, []
        return [self._to_read(t) for t in done]

    def _to_read(self, track: _Track) -> Read:
        obs = [i.observation for i in track.items]
        v = vote(obs)
        region, country = _majority_region(obs)
        best = max(track.items, key=lambda i: i.observation.confidence)
        crop = best.observation.crop
        plate_jpeg = encode_jpeg(crop) if crop is not None else b""
        vehicle = encode_jpeg(best.vehicle_crop, 70) if best.vehicle_crop is not None else None
        first = track.items[0].at
        return Read(id=read_id_for(self.camera.id, first, track.number), camera_id=self.camera.id, text=v.text,
                    region=region, country=country, confidence=v.confidence, chars=v.chars,
                    alternatives=v.alternatives, first_seen=first, last_seen=track.last.at, observations=len(obs),
                    agreeing=v.agreeing, latitude=self.camera.latitude, longitude=self.camera.longitude,
                    plate_crop_jpeg=plate_jpeg, vehicle_crop_jpeg=vehicle)
