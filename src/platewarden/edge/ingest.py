"""Central ingest: validate published reads, refuse and count bad ones, store the rest idempotently.

``ReadIngest.handle`` takes one batch of (topic, payload) messages and returns only after everything it decided is
committed: the stored reads with their ledger entry (one transaction), the refusals with theirs. Only then does
the MQTT loop acknowledge the batch (paho manual ack), so a crash at any point before means redelivery, and the
idempotent insert (deterministic read ids) means no read is stored twice.

Refused, counted (read_refusals, per day, camera and reason), ledgered once per batch and camera, logged:
oversized, malformed or off-schema messages, a camera other than the topic's, cameras not approved through the
deployment review, and replays older than the retention window (their day may already be destroyed).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from platewarden.domain.cameras import Camera
from platewarden.domain.reads import Read
from platewarden.edge.message import (
    MAX_MESSAGE_BYTES,
    MessageRefused,
    ReadMessage,
    Receipt,
    camera_of_topic,
    decode,
    to_read,
)
from platewarden.governance.deployment import filter_admitted
from platewarden.ledger.recorder import ReadBatchRecorder
from platewarden.runtime import Platform
from platewarden.store.cameras import UnknownCamera

log = logging.getLogger(__name__)

INVALID_CAMERA = "(invalid)"  # the refusal counter's camera for a topic that names none
FUTURE_SKEW = timedelta(hours=1)  # edge clocks drift; a read from further ahead is not believed


@dataclass
class IngestStats:
    messages: int = 0
    stored: int = 0
    duplicates: int = 0
    batches: int = 0
    refused: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        refused = ", ".join(f"{k} {v}" for k, v in sorted(self.refused.items())) or "none"
        return (f"{self.messages} messages, {self.stored} reads stored, {self.duplicates} duplicates skipped, "
                f"refused: {refused}")


class ReadIngest:
    def __init__(self, platform: Platform, max_bytes: int = MAX_MESSAGE_BYTES, source: str = "mqtt-ingest") -> None:
        self._p = platform
        self._max_bytes = max_bytes
        self._source = source
        self._recorder = ReadBatchRecorder(platform.ledger, platform.clock)
        self._cameras: dict[str, Camera] = {}
        self.stats = IngestStats()

    def handle(self, messages: list[tuple[str, bytes]]) -> dict[str, Receipt]:
        """Validate and store one batch; returns, per camera, the receipt for its edge: the reads now stored
        (now or before) and those refused for good (messages too broken to name a read get none)."""
        self.stats.messages += len(messages)
        self.stats.batches += 1
        refusals: Counter[tuple[str, str]] = Counter()
        good: list[ReadMessage] = []
        refused_ids: dict[str, list[str]] = {}
        now = self._p.clock.now()
        cutoff = self._p.retention.cutoff(now)
        for topic, payload in messages:
            try:
                msg = decode(payload, topic, self._max_bytes)
                if msg.first_seen.date() < cutoff:
                    refused_ids.setdefault(msg.camera_id, []).append(str(msg.id))
                    raise MessageRefused("stale", f"read of {msg.first_seen.date()} is past the retention window")
                if msg.first_seen > now + FUTURE_SKEW:
                    raise MessageRefused("future", f"read claims {msg.first_seen.isoformat()}")
                good.append(msg)
            except MessageRefused as exc:
                cam = camera_of_topic(topic) or INVALID_CAMERA
                refusals[(cam, exc.reason)] += 1
                log.warning("refused a message on %.100s: %s", topic, exc)
        allowed = filter_admitted(self._p.deployments, [m.camera_id for m in good], self._source) if good else []
        reads: dict[str, Read] = {}
        for msg, ok in zip(good, allowed, strict=True):
            if not ok:  # counted and ledgered by the deployment review itself
                self.stats.refused["unapproved_camera"] += 1
                refused_ids.setdefault(msg.camera_id, []).append(str(msg.id))
                continue
            camera = self._camera(msg.camera_id)
            if camera is None:
                refusals[(msg.camera_id, "unknown_camera")] += 1
                continue
            reads.setdefault(str(msg.id), to_read(msg, camera))
        for (cam, reason), n in refusals.items():
            self._p.deployments.record_refusal(cam, reason, n, self._source)
            self.stats.refused[reason] += n
        batch = list(reads.values())
        if batch:
            rows = self._p.reads.seal_rows(batch)
            new = self._p.reads.insert_rows(rows, [r.camera_id for r in batch], self._recorder)
            self.stats.stored += new
            self.stats.duplicates += len(messages) - sum(refusals.values()) - new - \
                (len(good) - sum(allowed))
            for r in batch:  # idempotent: a redelivered read raises no second alert, leaves no second sighting
                self._p.alerts.check(r)
                self._p.zones.observe(r)
        stored: dict[str, list[str]] = {}
        for r in batch:
            stored.setdefault(r.camera_id, []).append(r.id)
        return {cam: Receipt.model_validate({"stored": stored.get(cam, []), "refused": refused_ids.get(cam, [])})
                for cam in stored.keys() | refused_ids.keys()}

    def _camera(self, camera_id: str) -> Camera | None:
        cam = self._cameras.get(camera_id)
        if cam is None:
            try:
                cam = self._p.cameras.get(camera_id)
            except UnknownCamera:
                return None
            self._cameras[camera_id] = cam
        return cam
