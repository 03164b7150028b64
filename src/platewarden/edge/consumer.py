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
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.exc import OperationalError

from platewarden.edge.broker import Broker
from platewarden.edge.ingest import PreparedBatch, ReadIngest
from platewarden.edge.message import STATUS_PREFIX, TOPIC_PREFIX, ReceiptBody, receipt_topic, sign_receipt
from platewarden.edge.status_reports import EdgeStatusRecorder
from platewarden.pipeline.overlap import OneAhead

log = logging.getLogger(__name__)
T = TypeVar("T")
Stored = tuple[list[Any], dict[str, ReceiptBody]]  # a batch's messages and the receipts its commit produced


class MqttIngest:
    def __init__(self, ingest: ReadIngest, broker: Broker, client_id: str, group: str = "platewarden",
                 batch_size: int = 500, batch_wait: float = 0.05) -> None:
        self.ingest = ingest
        # overlap the next batch's checks with this one's write only where the write waits on a server: SQLite
        # writes in this process, holding the interpreter, and the overlap made it slower (bench/ingest.py)
        self._overlap = ingest.store_is_remote
        self._batch_size = batch_size
        self._batch_wait = batch_wait
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._topic = f"$share/{group}/{TOPIC_PREFIX}+"
        self._status_topic = f"$share/{group}/{STATUS_PREFIX}+"  # the edges' outbox reports
        self._statuses = EdgeStatusRecorder(ingest.platform)
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
        client.subscribe([(self._topic, 1), (self._status_topic, 0)])
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
        """Consume until ``stop`` is set (or nothing arrived for ``exit_when_idle`` seconds). Batch k+1 is checked
        and sealed while batch k is written (``OneAhead``); each batch is acknowledged, and its receipts sent, only
        after its own commit."""
        last = time.monotonic()
        writer: OneAhead[tuple[list[Any], PreparedBatch], Stored | None] = OneAhead(partial(self._store, stop))
        with writer:
            while not stop.is_set():
                batch = self._reads_only(self._take(0.0))
                if not batch:  # nothing waiting: finish what is in flight before blocking for more
                    self._settle(writer.drain())
                    batch = self._reads_only(self._take(0.2))
                if not batch:
                    if exit_when_idle is not None and time.monotonic() - last > exit_when_idle:
                        return
                    continue
                messages = [(m.topic, m.payload) for m in batch]
                prepared = self._retrying(stop, partial(self.ingest.prepare, messages))
                if prepared is None:
                    break  # stopped while the database was away: the broker redelivers the batch later
                self._settle(writer.submit((batch, prepared)))
                if not self._overlap:
                    self._settle(writer.drain())
                last = time.monotonic()
            self._settle(writer.drain())

    def _reads_only(self, batch: list[Any]) -> list[Any]:
        """Keep the edges' outbox reports out of the read batch: they are checked and kept at once, and
        acknowledged (a lost report is replaced by the next one within a minute)."""
        reports = [m for m in batch if m.topic.startswith(STATUS_PREFIX)]
        if not reports:
            return batch
        try:
            self._statuses.record([(m.topic, m.payload) for m in reports])
        except OperationalError as exc:
            log.warning("an edge status report was not kept (database unavailable): %s", str(exc).splitlines()[0])
        for m in reports:
            self._client.ack(m.mid, m.qos)
        return [m for m in batch if not m.topic.startswith(STATUS_PREFIX)]

    def _store(self, stop: threading.Event, item: tuple[list[Any], PreparedBatch]) -> Stored | None:
        batch, prepared = item
        receipts = self._retrying(stop, partial(self.ingest.commit, prepared))
        return None if receipts is None else (batch, receipts)

    def _retrying(self, stop: threading.Event, step: Callable[[], T]) -> T | None:
        """``step()``, tried once even when stopping (a batch in flight is finished), then retried while the
        database is away (the batch stays unacknowledged); None if stopped before it succeeded."""
        backoff = 1.0
        while True:
            try:
                return step()
            except OperationalError as exc:
                log.warning("database unavailable, retrying in %.0fs: %s", backoff, str(exc).splitlines()[0])
                if stop.wait(backoff):
                    return None
                backoff = min(30.0, backoff * 2)

    def _settle(self, done: list[Stored | None]) -> None:
        for outcome in done:
            if outcome is None:
                continue  # stopped before it was stored: left unacknowledged, so the broker redelivers it
            batch, receipts = outcome
            for m in batch:  # only now: everything the batch decided is committed
                self._client.ack(m.mid, m.qos)
            for cam, receipt in receipts.items():  # lost receipts only cost a re-send, which is idempotent
                self._client.publish(receipt_topic(cam), sign_receipt(receipt, self.ingest.central), qos=1)

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
