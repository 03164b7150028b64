"""Broker addresses and MQTT clients: ``mqtt://host[:port]`` or ``mqtts://user@host[:port]`` (TLS).

Secrets never live in the repository or on a command line that ``ps`` shows: the password comes from the URL only
if the operator insists, otherwise from ``PLATEWARDEN_MQTT_PASSWORD``; a private CA from ``PLATEWARDEN_MQTT_CA``.
Reads carry personal data: plain ``mqtt://`` to anything but the local machine is warned about.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)

SESSION_EXPIRY_SECONDS = 7 * 24 * 3600  # a stopped worker's unacknowledged reads wait for it this long


class BrokerUrlError(ValueError):
    pass


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    tls: bool
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None

    @classmethod
    def parse(cls, url: str, environ: dict[str, str] | None = None) -> Broker:
        env = os.environ if environ is None else environ
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
            raise BrokerUrlError(f"broker must be mqtt://HOST[:PORT] or mqtts://[USER@]HOST[:PORT], got {url!r}")
        if parts.path not in ("", "/") or parts.query:
            raise BrokerUrlError("a broker URL has no path or query")
        tls = parts.scheme == "mqtts"
        try:
            port = parts.port or (8883 if tls else 1883)
        except ValueError as exc:
            raise BrokerUrlError(f"bad port in {url!r}") from exc
        password = unquote(parts.password) if parts.password else env.get("PLATEWARDEN_MQTT_PASSWORD") or None
        username = unquote(parts.username) if parts.username else None
        if password and not username:
            raise BrokerUrlError("a password needs a user name (mqtts://USER@HOST)")
        if not tls and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            log.warning("broker %s is plain MQTT: reads cross the network unencrypted; use mqtts://", parts.hostname)
        return cls(parts.hostname, port, tls, username, password, env.get("PLATEWARDEN_MQTT_CA") or None)

    def __str__(self) -> str:
        user = f"{self.username}@" if self.username else ""
        return f"{'mqtts' if self.tls else 'mqtt'}://{user}{self.host}:{self.port}"

    def client(self, client_id: str, manual_ack: bool = False) -> Any:
        """A paho (2.x, MQTT 5) client with credentials and TLS set up; not yet connected."""
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5,
                        manual_ack=manual_ack)
        if self.username:
            c.username_pw_set(self.username, self.password)
        if self.tls:
            c.tls_set(ca_certs=self.ca_file)
        c.reconnect_delay_set(min_delay=1, max_delay=10)
        return c

    def connect(self, client: Any, persistent: bool) -> None:
        """Connect asynchronously (the network loop retries until the broker is there). A persistent session keeps
        the broker holding unacknowledged messages for this client id while it is away."""
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        props.SessionExpiryInterval = SESSION_EXPIRY_SECONDS if persistent else 0
        client.connect_async(self.host, self.port, keepalive=30, clean_start=not persistent, properties=props)
        client.loop_start()
