"""A private Mosquitto for one test: on a free port, with persistence, so a test can stop, kill and restart it."""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mosquitto:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.conf = folder / "mosquitto.conf"
        # ``user``: as root, mosquitto would switch to its own user and could not write here.
        # Unlimited queues: a central outage must not make the broker drop acknowledged reads.
        self.conf.write_text(f"""listener {self.port} 127.0.0.1
allow_anonymous true
persistence true
persistence_location {folder}/
autosave_interval 1
max_queued_messages 0
max_inflight_messages 1000
log_dest file {folder}/mosquitto.log
user {getpass.getuser()}
""")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen(["mosquitto", "-c", str(self.conf)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        end = time.monotonic() + 10
        while time.monotonic() < end:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"mosquitto did not start; see {self.folder}/mosquitto.log")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """SIGTERM: a clean shutdown that saves the persistence file; SIGKILL: a crash."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            self.proc.wait(10)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


def have_mosquitto() -> bool:
    return shutil.which("mosquitto") is not None


ACL_FILE = Path(__file__).resolve().parents[1] / "docs" / "mosquitto" / "acl"
INGEST_USER = "platewarden-ingest"


def private_ca(folder: Path) -> None:
    """A CA and a broker certificate for 127.0.0.1/localhost, made with ``cryptography`` (nothing downloaded)."""
    from datetime import UTC, datetime, timedelta
    from ipaddress import IPv4Address

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.now(UTC)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("platewarden test CA")).issuer_name(name("platewarden test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(name("localhost")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(IPv4Address("127.0.0.1"))]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    (folder / "ca.crt").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "broker.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "broker.key").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                          serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    (folder / "broker.key").chmod(0o600)


class SecureMosquitto(Mosquitto):
    """As deployed (docs/mosquitto/): TLS with a private CA, no anonymous clients, one account per camera and one
    for the central, and the shipped ACL."""

    def __init__(self, folder: Path, accounts: dict[str, str]) -> None:
        super().__init__(folder)
        private_ca(folder)
        pw = folder / "passwd"
        pw.write_text("".join(f"{user}:{password}\n" for user, password in accounts.items()))
        subprocess.run(["mosquitto_passwd", "-U", str(pw)], check=True, capture_output=True)
        self.accounts = accounts
        self.ca = folder / "ca.crt"
        self.conf.write_text(f"""per_listener_settings false
allow_anonymous false
password_file {pw}
acl_file {ACL_FILE}
listener {self.port} 127.0.0.1
cafile {folder}/ca.crt
certfile {folder}/broker.crt
keyfile {folder}/broker.key
persistence true
persistence_location {folder}/
max_queued_messages 0
log_dest file {folder}/mosquitto.log
log_type all
user {getpass.getuser()}
""")

    def url_for(self, user: str) -> str:
        return f"mqtts://{user}@127.0.0.1:{self.port}"

    def env_for(self, user: str) -> dict[str, str]:
        return {"PLATEWARDEN_MQTT_PASSWORD": self.accounts[user], "PLATEWARDEN_MQTT_CA": str(self.ca)}
