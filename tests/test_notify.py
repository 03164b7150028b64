"""Notifications against a real local HTTP server and the real Mosquitto broker."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from platewarden.alerts.notify import DeliveringNotifier, MqttPublisher, WebhookRegistry
from platewarden.domain.clock import ManualClock
from platewarden.domain.users import User
from platewarden.policy.model import NotificationPolicy
from platewarden.runtime import Platform
from tests.conftest import reachable
from tests.factories import make_entry, make_read, people


class Hook:
    def __init__(self, fail_first: int = 0, always_fail: bool = False) -> None:
        self.received: list[dict[str, Any]] = []
        self.calls = 0
        self.fail_first = fail_first
        self.always_fail = always_fail


@pytest.fixture
def hook_server() -> Iterator[tuple[str, Hook]]:
    state = Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            state.calls += 1
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if state.always_fail or state.calls <= state.fail_first:
                self.send_response(503)
            else:
                state.received.append(body)
                self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", state
    server.shutdown()


_PEOPLE: dict[int, dict[str, User]] = {}


def _who(platform: Platform) -> dict[str, User]:
    if id(platform) not in _PEOPLE:
        _PEOPLE[id(platform)] = people(platform)
    return _PEOPLE[id(platform)]


def notifier(platform: Platform, **policy: Any) -> DeliveringNotifier:
    return DeliveringNotifier(WebhookRegistry(platform.engine), NotificationPolicy(**policy), sleep=lambda s: None)


def raise_alert(platform: Platform, clock: ManualClock, n: DeliveringNotifier, plate: str, k: int = 0) -> None:
    entry = make_entry(plate, clock.now())
    platform.hotlist.propose(entry, _who(platform)["officer"])
    platform.hotlist.approve(entry.id, _who(platform)["head"])
    from platewarden.alerts.service import AlertService

    svc = AlertService(platform.hotlist, platform.alert_store, platform.policy.alerts, clock, platform.ledger, n)
    assert svc.check(make_read(plate, clock.now(), n=k)).alert is not None


def test_webhook_delivery_with_retries(platform: Platform, clock: ManualClock,
                                       hook_server: tuple[str, Hook]) -> None:
    url, state = hook_server
    state.fail_first = 2
    platform.webhooks.add(url)
    n = notifier(platform, max_attempts=5)
    raise_alert(platform, clock, n, "HOOK123")
    n.flush()
    assert state.calls == 3 and len(state.received) == 1
    msg = state.received[0]
    assert msg["read_text"] == "HOOK123" and msg["reason"] == "stolen vehicle"
    assert "confirm" in msg["notice"].lower()
    n.close()


def test_failing_webhook_is_disabled_and_reported(platform: Platform, clock: ManualClock,
                                                  hook_server: tuple[str, Hook]) -> None:
    url, state = hook_server
    state.always_fail = True
    platform.webhooks.add(url)
    n = notifier(platform, max_attempts=2, disable_after_failures=2)
    for k, plate in enumerate(["FAIL001", "FAIL002", "FAIL003"]):
        raise_alert(platform, clock, n, plate, k)
    n.flush()
    [(_u, enabled, failures, reason)] = platform.webhooks.status()
    assert not enabled and failures == 2 and "503" in (reason or "")
    assert state.calls == 4  # the third alert no longer tries the disabled hook
    n.close()


def test_webhook_rejects_non_http(platform: Platform) -> None:
    with pytest.raises(ValueError):
        platform.webhooks.add("file:///etc/passwd")


@pytest.mark.mqtt
def test_mqtt_delivery(platform: Platform, clock: ManualClock) -> None:
    if not reachable("127.0.0.1", 1883):
        pytest.skip("Mosquitto is not reachable on 127.0.0.1:1883")
    import paho.mqtt.client as mqtt

    got: list[dict[str, Any]] = []
    ready = threading.Event()
    sub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    sub.on_message = lambda c, u, m: got.append(json.loads(m.payload))
    sub.on_subscribe = lambda *a: ready.set()
    sub.connect("127.0.0.1", 1883)
    sub.subscribe("platewarden/test-alerts", qos=1)
    sub.loop_start()
    assert ready.wait(5)
    pub = MqttPublisher("127.0.0.1", topic="platewarden/test-alerts")
    n = DeliveringNotifier(WebhookRegistry(platform.engine), NotificationPolicy(), mqtt=pub, sleep=lambda s: None)
    raise_alert(platform, clock, n, "MQTT42")
    n.flush()
    for _ in range(50):
        if got:
            break
        threading.Event().wait(0.1)
    sub.loop_stop()
    pub.close()
    n.close()
    assert got and got[0]["read_text"] == "MQTT42"
