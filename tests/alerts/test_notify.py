"""Notifications against a real local HTTPS server (a private CA made by the test) and the real Mosquitto broker;
outlets as governed acts, written as the attacks they stop: an http:// outlet, one added by whoever can run the CLI,
one approved by its own proposer, one inserted into the database, and a payload that would carry the plate."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from platewarden.alerts.notify import DeliveringNotifier, WebhookRegistry
from platewarden.domain.approvals import ApprovalRefused
from platewarden.domain.clock import ManualClock
from platewarden.domain.users import User
from platewarden.governance.outlets import OutletRefused
from platewarden.policy.model import NotificationPolicy
from platewarden.runtime import Platform
from platewarden.store.schema import webhooks
from tests.brokers import SecureMosquitto, have_mosquitto, private_ca
from tests.factories import make_entry, make_read, people


class Hook:
    def __init__(self, fail_first: int = 0, always_fail: bool = False) -> None:
        self.received: list[dict[str, Any]] = []
        self.calls = 0
        self.fail_first = fail_first
        self.always_fail = always_fail


@pytest.fixture
def hook_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Hook]]:
    """An https endpoint with a certificate from a private CA, which delivery is told to trust."""
    state = Hook()
    private_ca(tmp_path)
    monkeypatch.setenv("PLATEWARDEN_WEBHOOK_CA", str(tmp_path / "ca.crt"))

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
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "broker.crt", tmp_path / "broker.key")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://localhost:{server.server_address[1]}/hook", state
    server.shutdown()


_PEOPLE: dict[int, dict[str, User]] = {}


def _who(platform: Platform) -> dict[str, User]:
    if id(platform) not in _PEOPLE:
        _PEOPLE[id(platform)] = people(platform)
    return _PEOPLE[id(platform)]


def notifier(platform: Platform, **policy: Any) -> DeliveringNotifier:
    return DeliveringNotifier(WebhookRegistry(platform.engine, platform.keyring.record_seal()),
                              NotificationPolicy(**policy), sleep=lambda s: None)


def outlet(platform: Platform, url: str) -> int:
    """An outlet proposed by the administrator and approved by a department head, as the default policy asks."""
    who = _who(platform)
    o = platform.outlets.propose(who["admin"], url, "dispatch centre's alert screen")
    return platform.outlets.decide(who["head"], o.id, True, "dispatch needs to know").id


def raise_alert(platform: Platform, clock: ManualClock, n: DeliveringNotifier, plate: str, k: int = 0) -> None:
    entry = make_entry(plate, clock.now())
    platform.hotlist.propose(entry, _who(platform)["officer"])
    platform.hotlist.approve(entry.id, _who(platform)["head"])
    from platewarden.alerts.service import AlertService

    svc = AlertService(platform.hotlist, platform.alert_store, platform.policy.alerts, clock, platform.ledger, n)
    assert svc.check(make_read(plate, clock.now(), n=k)).alert is not None


def test_webhook_delivery_with_retries_and_nothing_personal(platform: Platform, clock: ManualClock,
                                                             hook_server: tuple[str, Hook]) -> None:
    url, state = hook_server
    state.fail_first = 2
    outlet(platform, url)
    n = notifier(platform, max_attempts=5)
    raise_alert(platform, clock, n, "HOOK123")
    n.flush()
    assert state.calls == 3 and len(state.received) == 1
    msg = state.received[0]
    assert msg["type"] == "hotlist_alert" and msg["open"] == f"/alerts#{msg['alert_id']}"
    assert "HOOK123" not in json.dumps(msg) and "stolen" not in json.dumps(msg)  # no plate, no hotlist record
    assert "compare the crop" in msg["notice"]
    n.close()


def test_failing_webhook_is_disabled_and_reported(platform: Platform, clock: ManualClock,
                                                  hook_server: tuple[str, Hook]) -> None:
    url, state = hook_server
    state.always_fail = True
    oid = outlet(platform, url)
    n = notifier(platform, max_attempts=2, disable_after_failures=2)
    for k, plate in enumerate(["FAIL001", "FAIL002", "FAIL003"]):
        raise_alert(platform, clock, n, plate, k)
    n.flush()
    o = platform.outlets.get(oid)
    assert not o.enabled and o.consecutive_failures == 2 and "503" in (o.disabled_reason or "")
    assert state.calls == 4  # the third alert no longer tries the disabled hook
    n.close()


def test_outlets_are_governed(platform: Platform, clock: ManualClock, hook_server: tuple[str, Hook]) -> None:
    url, state = hook_server
    who = _who(platform)
    for bad in ("http://127.0.0.1/hook", "file:///etc/passwd", "https://user:pw@example.org/h", "https:///nohost"):
        with pytest.raises(OutletRefused):
            platform.outlets.propose(who["admin"], bad, "dispatch centre's alert screen")
    with pytest.raises(ApprovalRefused):  # an officer is not the chain's proposer
        platform.outlets.propose(who["officer"], url, "my own phone, for convenience")
    o = platform.outlets.propose(who["admin"], url, "dispatch centre's alert screen")
    n = notifier(platform)
    raise_alert(platform, clock, n, "WAIT001")
    n.flush()
    assert state.calls == 0  # nothing before approval
    with pytest.raises(ApprovalRefused):  # the officer is no department head, and nobody approves their own
        platform.outlets.decide(who["officer"], o.id, True, "looks fine")
    platform.outlets.decide(who["head"], o.id, True, "dispatch needs to know")
    raise_alert(platform, clock, n, "LIVE001", 1)
    n.flush()
    assert state.calls == 1
    platform.outlets.remove(who["head"], o.id, "dispatch moved to the new system")
    raise_alert(platform, clock, n, "GONE001", 2)
    n.flush()
    assert state.calls == 1
    n.close()
    actions = [e["body"]["action"] for _, e in platform.ledger.parsed() if e["kind"] == "notification_outlet"]
    assert actions.count("refused") == 6 and {"propose", "approved", "remove"} <= set(actions)


def test_an_outlet_inserted_into_the_database_receives_nothing(platform: Platform, clock: ManualClock,
                                                               hook_server: tuple[str, Hook]) -> None:
    url, state = hook_server
    with platform.engine.begin() as conn:
        conn.execute(insert(webhooks).values(url=url, enabled=True, consecutive_failures=0, status="active",
                                             purpose="exfiltration", proposed_by="x", approved_by="y"))
    n = notifier(platform)
    raise_alert(platform, clock, n, "SQL0001")
    n.flush()
    n.close()
    assert state.calls == 0 and platform.outlets.all() == []


@pytest.mark.mqtt
def test_an_mqtt_outlet_is_governed_and_over_tls(platform: Platform, clock: ManualClock, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """An MQTT outlet is a governed outlet like a webhook: mqtts only (plain mqtt refused), nothing before approval,
    the broker's own account and the shipped ACL (docs/mosquitto/acl), and no plate in what crosses the broker."""
    if not have_mosquitto():
        pytest.skip("mosquitto is not installed")
    import paho.mqtt.client as mqtt

    accounts = {"platewarden-alerts": "alerts-secret", "dispatch": "dispatch-secret"}
    broker = SecureMosquitto(tmp_path / "broker", accounts)
    broker.start()
    monkeypatch.setenv("PLATEWARDEN_WEBHOOK_CA", str(broker.ca))
    monkeypatch.setenv("PLATEWARDEN_OUTLET_MQTT_PASSWORD", accounts["platewarden-alerts"])
    raw: list[bytes] = []
    ready = threading.Event()
    sub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    sub.username_pw_set("dispatch", accounts["dispatch"])
    sub.tls_set(ca_certs=str(broker.ca))
    sub.on_message = lambda c, u, m: raw.append(bytes(m.payload))
    sub.on_subscribe = lambda *a: ready.set()
    sub.connect("127.0.0.1", broker.port)
    sub.subscribe("platewarden/alerts", qos=1)
    sub.loop_start()
    try:
        assert ready.wait(5)
        who = _who(platform)
        for bad in (f"mqtt://platewarden-alerts@127.0.0.1:{broker.port}/platewarden/alerts",
                    f"mqtts://platewarden-alerts:alerts-secret@127.0.0.1:{broker.port}/platewarden/alerts",
                    f"mqtts://127.0.0.1:{broker.port}/platewarden/#", f"mqtts://127.0.0.1:{broker.port}"):
            with pytest.raises(OutletRefused):
                platform.outlets.propose(who["admin"], bad, "dispatch centre's alert screen")
        url = f"mqtts://platewarden-alerts@127.0.0.1:{broker.port}/platewarden/alerts"
        o = platform.outlets.propose(who["admin"], url, "dispatch centre's alert screen")
        n = notifier(platform)
        raise_alert(platform, clock, n, "MQTT001")
        n.flush()
        threading.Event().wait(0.5)
        assert raw == []  # nothing before a department head approves
        platform.outlets.decide(who["head"], o.id, True, "dispatch needs to know")
        raise_alert(platform, clock, n, "MQTT042", 1)
        n.flush()
        for _ in range(50):
            if raw:
                break
            threading.Event().wait(0.1)
        n.close()
        assert len(raw) == 1 and json.loads(raw[0])["type"] == "hotlist_alert"
        assert b"MQTT042" not in raw[0] and b"stolen" not in raw[0]  # no plate, no hotlist record, on the wire
        assert platform.outlets.get(o.id).consecutive_failures == 0
    finally:
        sub.loop_stop()
        sub.disconnect()
        broker.stop()
