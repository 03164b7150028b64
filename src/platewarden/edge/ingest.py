"""Central ingest: verify, open and check published reads, quarantine bad ones, store the rest idempotently.

``ReadIngest.handle`` takes one batch of (topic, payload) messages and returns only after everything it decided is
committed: the stored reads with their ledger entry (one transaction), the refusals with theirs. Only then does
the MQTT loop acknowledge the batch (paho manual ack), so a crash at any point before means redelivery, and the
idempotent insert (deterministic read ids) means no read is stored twice.

The order of checks is the order of trust: bounded parsing of the clear envelope (size, topic, schema), the camera
approved by the deployment review, the signature by a key registered for it, then decryption, then the read itself
(plate text, crops, times: ``edge.admission``). A message that fails any of them is refused: counted (read_refusals,
per day, camera and reason), ledgered once per batch, camera and reason, quarantined by digest (never its content),
logged, and acknowledged — and the rest of the batch goes on. No payload can stop the worker: an unexpected error
while checking one message refuses that message ("internal") and nothing else.

Receipts name only reads whose signature verified: a forged message cannot make an edge forget a real read.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from nacl.signing import VerifyKey
from sqlalchemy import insert

from platewarden.domain.cameras import Camera, CameraKey
from platewarden.domain.reads import Read
from platewarden.edge.admission import check_key_window, check_read
from platewarden.edge.identity import CentralIdentity, central_identity, parse_public_key
from platewarden.edge.message import (
    MAX_MESSAGE_BYTES,
    MessageRefused,
    ReadBody,
    ReceiptBody,
    camera_of_topic,
    open_read,
    parse_envelope,
    payload_digest,
    to_read,
    verify_signature,
)
from platewarden.governance.deployment import filter_admitted
from platewarden.ledger.recorder import ReadBatchRecorder
from platewarden.runtime import Platform
from platewarden.store.cameras import UnknownCamera
from platewarden.store.schema import quarantined_messages

log = logging.getLogger(__name__)

INVALID_CAMERA = "(invalid)"  # the refusal counter's camera for a topic that names none


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


@dataclass
class _Batch:
    """What one batch decided, before it is committed."""

    reads: dict[str, Read] = field(default_factory=dict)
    refusals: Counter[tuple[str, str]] = field(default_factory=Counter)
    quarantine: list[dict[str, object]] = field(default_factory=list)
    refused_ids: dict[str, list[str]] = field(default_factory=dict)  # authentic reads refused for good


@dataclass(frozen=True)
class PreparedBatch:
    """A batch checked and sealed, not yet stored: no plaintext beyond the reads the alert check needs."""

    at: datetime
    reads: list[Read]
    rows: list[dict[str, Any]]
    refused_ids: dict[str, list[str]]


class ReadIngest:
    def __init__(self, platform: Platform, max_bytes: int = MAX_MESSAGE_BYTES, source: str = "mqtt-ingest",
                 central: CentralIdentity | None = None) -> None:
        self._p = platform
        self.platform = platform
        self._max_bytes = max_bytes
        self._source = source
        self.central = central or central_identity(platform.keyring)
        self._recorder = ReadBatchRecorder(platform.ledger, platform.clock)
        self._cameras: dict[str, Camera] = {}
        self.stats = IngestStats()

    @property
    def store_is_remote(self) -> bool:
        """Whether storing waits on a database server (PostgreSQL), rather than working in this process (SQLite)."""
        return self._p.engine.dialect.name != "sqlite"

    def handle(self, messages: list[tuple[str, bytes]]) -> dict[str, ReceiptBody]:
        """Check and store one batch; returns, per camera, the receipt for its edge: the reads now stored (now or
        before) and those refused for good. Only reads whose camera signature verified are named."""
        return self.commit(self.prepare(messages))

    def prepare(self, messages: list[tuple[str, bytes]]) -> PreparedBatch:
        """Everything before the database write of the reads: parse, verify, open, check, seal (refusals are
        committed here). ``commit`` then stores it; a worker may prepare the next batch meanwhile (``OneAhead``)."""
        self.stats.messages += len(messages)
        self.stats.batches += 1
        now = self._p.clock.now()
        b = _Batch()
        envelopes = []
        for topic, payload in messages:
            try:
                envelopes.append((parse_envelope(payload, topic, self._max_bytes), payload))
            except MessageRefused as exc:
                self._refuse(b, camera_of_topic(topic) or INVALID_CAMERA, exc, payload)
        admitted = filter_admitted(self._p.deployments, [e.camera_id for e, _ in envelopes], self._source) \
            if envelopes else []
        keys: dict[str, tuple[list[CameraKey], list[VerifyKey]]] = {}
        cutoff = self._p.retention.cutoff(now)
        for (env, payload), ok in zip(envelopes, admitted, strict=True):
            if not ok:  # counted and ledgered by the deployment review itself
                self.stats.refused["unapproved_camera"] += 1
                self._quarantine(b, env.camera_id, "unapproved_camera", payload)
                continue
            body: ReadBody | None = None
            try:
                if env.camera_id not in keys:
                    known = self._p.deployments.keys.for_camera(env.camera_id)
                    keys[env.camera_id] = (known, [parse_public_key(k.public_key) for k in known])
                cam_keys, verifiers = keys[env.camera_id]
                if not cam_keys:
                    raise MessageRefused("no_key", f"camera {env.camera_id} has no registered signing key")
                signer = verify_signature(env, verifiers)
                body = open_read(env, self.central)
                check_key_window(cam_keys, signer, body)
                check_read(body, now, self._p.policy.edge, cutoff)
                camera = self._camera(env.camera_id)
                if camera is None:
                    raise MessageRefused("unknown_camera", f"camera {env.camera_id} is not in the registry")
                b.reads.setdefault(env.id, to_read(body, camera))
            except MessageRefused as exc:
                self._refuse(b, env.camera_id, exc, payload)
                if body is not None and exc.reason not in ("retired_key", "revoked_key"):
                    b.refused_ids.setdefault(env.camera_id, []).append(env.id)  # authentic: never resend it
            except Exception as exc:  # no payload may stop the worker: this one is refused, the rest go on
                log.exception("refused a message of camera %s after an unexpected error", env.camera_id)
                self._refuse(b, env.camera_id, MessageRefused("internal", type(exc).__name__), payload)
        self._commit_refusals(b)
        batch = list(b.reads.values())
        return PreparedBatch(now, batch, self._p.reads.seal_rows(batch) if batch else [], b.refused_ids)

    def commit(self, prepared: PreparedBatch) -> dict[str, ReceiptBody]:
        """Store a prepared batch (reads and their ledger entry in one transaction), then check each read against
        the hotlist and the zones; the receipts per camera. Safe to retry: ingest is idempotent."""
        batch, now = prepared.reads, prepared.at
        if batch:
            new = self._p.reads.insert_rows(prepared.rows, [r.camera_id for r in batch], self._recorder)
            self.stats.stored += new
            self.stats.duplicates += len(batch) - new
            for r in batch:  # idempotent: a redelivered read raises no second alert, leaves no second sighting
                self._p.alerts.check(r)
                self._p.zones.observe(r)
        stored: dict[str, list[str]] = {}
        for r in batch:
            stored.setdefault(r.camera_id, []).append(r.id)
        return {cam: ReceiptBody.model_validate({"camera_id": cam, "stored": stored.get(cam, []),
                                                 "refused": prepared.refused_ids.get(cam, []),
                                                 "issued_at": now})
                for cam in stored.keys() | prepared.refused_ids.keys()}

    def _refuse(self, b: _Batch, camera_id: str, exc: MessageRefused, payload: bytes) -> None:
        b.refusals[(camera_id, exc.reason)] += 1
        self._quarantine(b, camera_id, exc.reason, payload)
        log.warning("refused a message of %.64s: %.300s", camera_id, exc)

    def _quarantine(self, b: _Batch, camera_id: str, reason: str, payload: bytes) -> None:
        b.quarantine.append({"received_at": self._p.clock.now(), "camera_id": camera_id[:64], "reason": reason,
                             "digest": payload_digest(payload), "size": len(payload)})

    def _commit_refusals(self, b: _Batch) -> None:
        if b.quarantine:
            with self._p.engine.begin() as conn:
                conn.execute(insert(quarantined_messages), b.quarantine)
        for (cam, reason), n in b.refusals.items():
            self._p.deployments.record_refusal(cam, reason, n, self._source)
            self.stats.refused[reason] += n

    def _camera(self, camera_id: str) -> Camera | None:
        cam = self._cameras.get(camera_id)
        if cam is None:
            try:
                cam = self._p.cameras.get(camera_id)
            except UnknownCamera:
                return None
            self._cameras[camera_id] = cam
        return cam
