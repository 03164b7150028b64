"""Publish the outbox at QoS 1, mark each message sent on its PUBACK, delete it on the central's receipt.

paho's callbacks run on its network thread; they only queue events here, and ``pump`` (called by the owner's
thread) publishes, records acknowledgements and receipts, and forgets in-flight messages after a disconnect, so
they are published again on reconnect. Messages sent but without a receipt after ``receipt_timeout`` seconds are
published again. At most ``window`` messages are in flight: a long outage costs disk, not memory.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

from nacl.signing import SigningKey

from platewarden.domain.clock import Clock, SystemClock
from platewarden.edge.broker import Broker
from platewarden.edge.identity import CentralPublic
from platewarden.edge.message import (
    ReceiptBody,
    ReceiptRefused,
    encode_status,
    open_receipt,
    receipt_topic,
    status_topic,
)
from platewarden.edge.outbox import Outbox

log = logging.getLogger(__name__)


class EdgePublisher:
    def __init__(self, broker: Broker, outbox: Outbox, client_id: str, camera_id: str, central: CentralPublic,
                 window: int = 200, receipt_timeout: float = 60.0, camera_key: SigningKey | None = None,
                 status_every: float = 60.0, clock: Clock | None = None) -> None:
        """``camera_key``: with it, the outbox's backlog is reported to the central every ``status_every`` seconds
        (counts only, signed: ``edge.message.StatusBody``), so the central's home shows what it cannot see."""
        self._outbox = outbox
        self._camera_key = camera_key
        self._clock = clock or SystemClock()
        self._status_every = status_every
        self._last_status = float("-inf")
        self.status_reports = 0
        self._camera_id = camera_id
        self._central = central
        self._seen_receipts: set[bytes] = set()
        self.receipts_ignored = 0  # forged, replayed, for another camera, malformed
        self._window = window
        self._receipt_timeout = receipt_timeout
        self._receipts_topic = receipt_topic(camera_id)
        self._inflight: dict[int, int] = {}  # paho mid -> outbox seq
        self._acks: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._receipts: queue.SimpleQueue[ReceiptBody] = queue.SimpleQueue()
        self._connected = threading.Event()
        self._epoch = 0  # bumped on each disconnect: in-flight messages of an older connection are re-sent
        self._seen_epoch = 0
        self.published = 0
        self.acknowledged = 0  # PUBACKs
        self.confirmed = 0  # reads the central store confirmed it stored
        self.refused = 0  # reads the central store refused for good (they leave the outbox too)
        self._client = broker.client(client_id)
        self._client.max_inflight_messages_set(window)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_publish = self._on_publish
        self._client.on_message = self._on_receipt
        broker.connect(self._client, persistent=False)

    def _on_connect(self, client: Any, _u: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if not reason.is_failure:
            client.subscribe(self._receipts_topic, qos=1)
            self._connected.set()

    def _on_disconnect(self, _c: Any, _u: Any, _flags: Any, _reason: Any, _props: Any) -> None:
        self._connected.clear()
        self._epoch += 1

    def _on_publish(self, _c: Any, _u: Any, mid: int, _reason: Any, _props: Any) -> None:
        self._acks.put(mid)

    def _on_receipt(self, _c: Any, _u: Any, msg: Any) -> None:
        """Only a receipt signed by the central, for this camera, and not seen before deletes anything."""
        try:
            receipt = open_receipt(msg.payload, self._central)
            if receipt.camera_id != self._camera_id:
                raise ReceiptRefused(f"a receipt for camera {receipt.camera_id}, not {self._camera_id}")
            tag = bytes(msg.payload)
            if tag in self._seen_receipts:
                raise ReceiptRefused("a receipt seen before (replayed)")
            self._seen_receipts.add(tag)
            if len(self._seen_receipts) > 10_000:
                self._seen_receipts.clear()
        except ReceiptRefused as exc:
            self.receipts_ignored += 1
            log.warning("ignored a receipt on %.100s: %s", msg.topic, exc)
            return
        self._receipts.put(receipt)

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def pump(self) -> int:
        """Record acknowledgements and receipts, then publish what the window allows; returns how many reads
        are still waiting for their receipt."""
        sent = []
        while True:
            try:
                mid = self._acks.get_nowait()
            except queue.Empty:
                break
            seq = self._inflight.pop(mid, None)
            if seq is not None:
                sent.append(seq)
        self._outbox.sent(sent, time.time())
        self.acknowledged += len(sent)
        while True:
            try:
                r = self._receipts.get_nowait()
            except queue.Empty:
                break
            self.confirmed += self._outbox.confirm([str(i) for i in r.stored])
            self.refused += self._outbox.confirm([str(i) for i in r.refused])
            if r.refused:
                log.warning("the central store refused %d reads for good (see its refusal counts)", len(r.refused))
        if self._seen_epoch != self._epoch:  # a disconnect: nothing in flight is known to have arrived
            self._seen_epoch = self._epoch
            self._inflight.clear()
        if self.connected and len(self._inflight) < self._window:
            for seq, topic, msg in self._outbox.peek(self._window - len(self._inflight), set(self._inflight.values()),
                                                     time.time() - self._receipt_timeout):
                info = self._client.publish(topic, msg, qos=1)
                if info.rc != 0:  # not connected after all: try again on the next pump
                    break
                self._inflight[info.mid] = seq
                self.published += 1
        if time.monotonic() - self._last_status >= self._status_every:
            self.report_backlog()
        return len(self._outbox)

    def report_backlog(self) -> bool:
        """Publish the outbox's backlog now (``pump`` does every ``status_every`` seconds); False when there is no
        key to sign it with or no connection (a lost report is replaced by the next)."""
        if not self.connected or self._camera_key is None:
            return False
        waiting, unsent = len(self._outbox), self._outbox.unsent()
        report = encode_status(self._camera_id, unsent, waiting - unsent, self._clock.now(), self._camera_key)
        if self._client.publish(status_topic(self._camera_id), report, qos=0).rc != 0:
            return False
        self._last_status = time.monotonic()
        self.status_reports += 1
        return True

    def drain(self, timeout: float) -> int:
        """Pump until every read has its receipt or ``timeout`` seconds pass; returns how many are left."""
        end = time.monotonic() + timeout
        left = self.pump()
        while left and time.monotonic() < end:
            time.sleep(0.02)
            left = self.pump()
        return left

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
