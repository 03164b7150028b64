"""Alert notifications to the governed outlets, by webhook (HTTPS POST of JSON) or MQTT over TLS, with retries and
exponential backoff.

A webhook that keeps failing is disabled after ``disable_after_failures`` consecutive failed notifications and the
reason is stored and logged, so that a dead endpoint is noticed rather than silently dropping alerts.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import queue
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from sqlalchemy import Engine, select, update

from platewarden.domain.alerts import Alert
from platewarden.domain.hotlist import HotlistEntry
from platewarden.edge.broker import Broker
from platewarden.policy.model import NotificationPolicy
from platewarden.store.schema import webhooks
from platewarden.store.seals import RecordSeal, row_holds

log = logging.getLogger(__name__)


class Notifier(Protocol):
    def alert_raised(self, alert: Alert, entry: HotlistEntry, camera_id: str) -> None: ...


def alert_message(alert: Alert, entry: HotlistEntry, camera_id: str) -> dict[str, Any]:
    """What an outlet receives: that an alert exists, where and when, and where to look. Never the plate, the
    hotlist record or the crop: those are seen in the console, where each look is authorised and ledgered."""
    return {
        "type": "hotlist_alert", "alert_id": alert.id, "camera_id": camera_id,
        "seen_at": alert.created_at.isoformat(), "region_verified": alert.region_verified,
        "open": f"/alerts#{alert.id}",
        "notice": "Unconfirmed match: open the alert in the console and compare the crop with the hotlist record "
                  "before any action.",
    }


class WebhookRegistry:
    """Delivery's view of the outlets: which URLs receive alerts now, and their failures. Outlets are added, approved
    and removed only through governance (``governance/outlets.py``); a row without its seal receives nothing."""

    def __init__(self, engine: Engine, seal: RecordSeal,
                 bears_out: Callable[[Mapping[str, Any]], bool] | None = None) -> None:
        """``bears_out``: whether the signed ledger's last word on an outlet is its row's status
        (``governance.last_word``): an old copy of a removed outlet put back receives nothing."""
        self._engine = engine
        self._seal = seal
        self._bears_out = bears_out

    def enabled(self) -> list[str]:
        with self._engine.connect() as conn:
            return [r.url for r in conn.execute(select(webhooks).where(webhooks.c.enabled.is_(True),
                                                                       webhooks.c.status == "active"))
                    if row_holds(self._seal, "webhooks", r)
                    and (self._bears_out is None or self._bears_out(dict(r._mapping)))]

    def record(self, url: str, ok: bool, disable_after: int, error: str = "") -> None:
        with self._engine.begin() as conn:
            if ok:
                conn.execute(update(webhooks).where(webhooks.c.url == url).values(consecutive_failures=0))
                return
            row = conn.execute(select(webhooks).where(webhooks.c.url == url)).first()
            if row is None:
                return
            failures = row.consecutive_failures + 1
            values: dict[str, Any] = {"consecutive_failures": failures}
            if failures >= disable_after:
                values |= {"enabled": False, "disabled_reason": f"{failures} consecutive failures; last: {error}"}
                log.error("webhook %s disabled after %d consecutive failures: %s", url, failures, error)
            conn.execute(update(webhooks).where(webhooks.c.url == url).values(**values))


WEBHOOK_CA_ENV = "PLATEWARDEN_WEBHOOK_CA"  # a private CA's certificate (PEM) for outlets inside the agency


def post_json(url: str, body: dict[str, Any], timeout: float = 5.0) -> None:
    """POST over https only, verifying the certificate (against the system's CAs, or PLATEWARDEN_WEBHOOK_CA)."""
    if not url.startswith("https://"):
        raise ValueError("alert webhooks are https only")
    context = ssl.create_default_context(cafile=os.environ.get(WEBHOOK_CA_ENV) or None)
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout, context=context) as resp:
        if not 200 <= resp.status < 300:
            raise urllib.error.HTTPError(url, resp.status, "unexpected status", resp.headers, None)


OUTLET_MQTT_PASSWORD_ENV = "PLATEWARDEN_OUTLET_MQTT_PASSWORD"  # the MQTT outlets' account password, never stored


def publish_mqtt(url: str, body: dict[str, Any], timeout: float = 5.0) -> None:
    """Publish one alert message at QoS 1 to ``mqtts://[USER@]HOST[:PORT]/TOPIC`` over TLS (the system's CAs, or
    PLATEWARDEN_WEBHOOK_CA), waiting for the broker's acknowledgement. Needs the ``mqtt`` extra. One connection per
    alert: alerts are rare, and no idle connection is left open."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "mqtts" or not parts.hostname:
        raise ValueError("MQTT alert outlets are mqtts only")
    broker = Broker(parts.hostname, parts.port or 8883, tls=True,
                    username=urllib.parse.unquote(parts.username) if parts.username else None,
                    password=os.environ.get(OUTLET_MQTT_PASSWORD_ENV), ca_file=os.environ.get(WEBHOOK_CA_ENV) or None)
    client = broker.client(client_id="")
    client.connect(broker.host, broker.port)
    client.loop_start()
    try:
        info = client.publish(parts.path.lstrip("/"), json.dumps(body), qos=1)
        info.wait_for_publish(timeout)
        if not info.is_published():
            raise TimeoutError("the broker did not acknowledge the alert")
    finally:
        client.disconnect()
        client.loop_stop()


def deliver(url: str, body: dict[str, Any]) -> None:
    """To a governed outlet, by its scheme."""
    if url.startswith("mqtts://"):
        publish_mqtt(url, body)
    else:
        post_json(url, body)


class DeliveringNotifier:
    """Delivers in a background thread so a slow endpoint never stalls recognition; ``flush`` waits for it."""

    def __init__(self, registry: WebhookRegistry, policy: NotificationPolicy,
                 post: Callable[[str, dict[str, Any]], None] = deliver,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._registry = registry
        self._policy = policy
        self._post = post
        self._sleep = sleep
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.delivered = 0
        self.failed = 0
        self._thread = threading.Thread(target=self._run, name="notifier", daemon=True)
        self._thread.start()

    def alert_raised(self, alert: Alert, entry: HotlistEntry, camera_id: str) -> None:
        self._queue.put(alert_message(alert, entry, camera_id))

    def _attempt(self, send: Callable[[], None]) -> str:
        delay = self._policy.backoff_seconds
        error = ""
        for attempt in range(self._policy.max_attempts):
            try:
                send()
                return ""
            except Exception as exc:  # any transport failure is retried
                error = f"{type(exc).__name__}: {exc}"
                if attempt + 1 < self._policy.max_attempts:
                    self._sleep(delay)
                    delay *= 2
        return error or "failed"

    def _deliver(self, msg: dict[str, Any]) -> None:
        for url in self._registry.enabled():
            err = self._attempt(functools.partial(self._post, url, msg))
            self._registry.record(url, not err, self._policy.disable_after_failures, err)
            self.delivered += not err
            self.failed += bool(err)

    def _run(self) -> None:
        while True:
            msg = self._queue.get()
            try:
                if msg is None:
                    return
                self._deliver(msg)
            finally:
                self._queue.task_done()

    def flush(self) -> None:
        self._queue.join()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)
