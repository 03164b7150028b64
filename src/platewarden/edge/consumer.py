"""The MQTT side of central ingest: a shared subscription, batches, acknowledgement only after the commit, then a
receipt signed by the central to each edge (platewarden/stored/<camera>) so that it may forget the reads.

Several workers started with the same ``group`` share the load (``$share/<group>/platewarden/reads/+``): the broker
hands each message to one of them. Each worker keeps a persistent session under a stable client id, so messages it
received but had not acknowledged when it died are redelivered to it when it comes back.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

from sqlalchemy.exc import OperationalError

from platewarden.edge.broker import Broker
from platewarden.edge.ingest import ReadIngest
from platewarden.edge.message import TOPIC_PREFIX, ReceiptBody, receipt_topic, sign_receipt

log = logging.getLogger(__name__)


class MqttIngest:
    def __init__(self, ingest: ReadIngest, broker: Broker, client_id: str, group: str = "platewarden",
                 batch_size: int = 500, batch_wait: float = 0.05) -> None:
        self.ingest = ingest
        self._batch_size = batch_size
        self._batch_wait = batch_wait
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._topic = f"$share/{group}/{TOPIC_PREFIX}+"
        self.connected = threading.Event()
        self._client = broker.client(client_id, manual_ack=True)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = lambda *_a: self.connected.clear()
        self._client.on_message = lambda _c, _u, msg: self._queue.put(msg)
        broker.connect(self._client, persistent=True)

    def _on_connect(self, client: Any, _u: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if reason.is_failure:
            log.error("broker refused the connection: %s", reason)
            return
        client.subscribe(self._topic, qos=1)
        self.connected.set()

    def _take(self, timeout: float) -> list[Any]:
        try:
            batch = [self._queue.get(timeout=timeout)]
        except queue.Empty:
            return []
        end = time.monotonic() + self._batch_wait
        while len(batch) < self._batch_size:
            try:
                batch.append(self._queue.get(timeout=max(0.0, end - time.monotonic())))
            except queue.Empty:
                break
        return batch

    def run(self, stop: threading.Event, exit_when_idle: float | None = None) -> None:
        """Consume until ``stop`` is set (or nothing arrived for ``exit_when_idle`` seconds)."""
        last = time.monotonic()
        backoff = 1.0
        while not stop.is_set():
            batch = self._take(0.2)
            if not batch:
                if exit_when_idle is not None and time.monotonic() - last > exit_when_idle:
                    return
                continue
            receipts: dict[str, ReceiptBody] = {}
            while not stop.is_set():
                try:
                    receipts = self.ingest.handle([(m.topic, m.payload) for m in batch])
                    break
                except OperationalError as exc:  # the database is away: keep the batch unacknowledged, retry
                    log.warning("database unavailable, retrying in %.0fs: %s", backoff, str(exc).splitlines()[0])
                    stop.wait(backoff)
                    backoff = min(30.0, backoff * 2)
            else:
                return  # stopped while the database was away: the broker redelivers the batch later
            backoff = 1.0
            for m in batch:  # only now: everything the batch decided is committed
                self._client.ack(m.mid, m.qos)
            for cam, receipt in receipts.items():  # lost receipts only cost a re-send, which is idempotent
                self._client.publish(receipt_topic(cam), sign_receipt(receipt, self.ingest.central), qos=1)
            last = time.monotonic()

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
