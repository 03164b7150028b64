"""Who is who on the wire between edge cameras and the central store.

- **The camera** signs every read it publishes with its own Ed25519 key (``platewarden edge enroll`` makes it; the
  private half never leaves the edge, 0600). The public half is registered with the camera through the deployment
  review, so a broker client without that key cannot put a read in a camera's name.
- **The central** has two keys, both derived from its master key (nothing more to back up or leak): an X25519 key
  that reads are sealed to (libsodium sealed boxes: the broker and anyone subscribed see ciphertext only), and an
  Ed25519 key that signs receipts (an edge deletes from its outbox only what a receipt it verified covers). Their
  public halves are the central's identity file, handed to each edge (``platewarden ingest identity``).

All primitives come from PyNaCl (libsodium); nothing here is home-made.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.signing import SigningKey, VerifyKey

KEY_PREFIX = "ed25519:"
IDENTITY_FORMAT = "platewarden-central/1"


class IdentityError(ValueError):
    """A key or identity file that cannot be used, with what to do about it."""


def public_key_text(key: VerifyKey) -> str:
    """The form a camera's public key is registered and printed in: ``ed25519:`` + base64 of its 32 bytes."""
    return KEY_PREFIX + base64.b64encode(bytes(key)).decode()


def parse_public_key(text: str) -> VerifyKey:
    """A registered camera key back into a verifier; a clear error for anything else."""
    t = (text or "").strip()
    if not t.startswith(KEY_PREFIX):
        raise IdentityError(f"a camera key is written {KEY_PREFIX}BASE64 (platewarden edge enroll prints it)")
    try:
        raw = base64.b64decode(t[len(KEY_PREFIX):], validate=True)
    except ValueError:
        raise IdentityError("the camera key is not valid base64") from None
    if len(raw) != 32:
        raise IdentityError(f"an Ed25519 public key has 32 bytes, this one {len(raw)}")
    return VerifyKey(raw)


def fingerprint(text: str) -> str:
    """A short, stable name for a public key (what the ledger and the console show)."""
    return hashlib.sha256(bytes(parse_public_key(text))).hexdigest()[:16]


def enroll(path: Path, replace: bool = False) -> VerifyKey:
    """Make the camera's key pair; the private key is written 0600 in a 0700 folder. Refuses to overwrite an existing
    key unless ``replace`` (a rotation: register the new public key before the edge uses it)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.exists() and not replace:
        raise IdentityError(f"{path} already holds a camera key; --rotate makes a new one (register it first)")
    key = SigningKey.generate()
    tmp = path.with_name(path.name + ".new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(bytes(key))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return key.verify_key


def load_camera_key(path: Path) -> SigningKey:
    """The edge's signing key; refused when others may read it (a copied key is a camera anyone can impersonate)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise IdentityError(f"no camera key at {path}: run platewarden edge enroll --camera ID first") from None
    if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise IdentityError(f"{path} is readable by others (mode {stat.S_IMODE(st.st_mode):o}); chmod 600 it")
    raw = path.read_bytes()
    if len(raw) != 32:
        raise IdentityError(f"{path} is not a camera key (32 bytes expected, {len(raw)} found)")
    return SigningKey(raw)


@dataclass(frozen=True)
class CentralPublic:
    """What an edge needs to know of the central: whom to seal reads to, whose receipts to believe."""

    seal_key: PublicKey
    receipt_key: VerifyKey

    def to_json(self) -> str:
        return json.dumps({"format": IDENTITY_FORMAT,
                           "seal_key": base64.b64encode(bytes(self.seal_key)).decode(),
                           "receipt_key": public_key_text(self.receipt_key)}, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> CentralPublic:
        try:
            raw = json.loads(text)
            if raw.get("format") != IDENTITY_FORMAT:
                raise IdentityError(f"not a central identity file (format {raw.get('format')!r})")
            seal = base64.b64decode(raw["seal_key"], validate=True)
            if len(seal) != 32:
                raise IdentityError("the central's sealing key has 32 bytes")
            return cls(PublicKey(seal), parse_public_key(raw["receipt_key"]))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            if isinstance(exc, IdentityError):
                raise
            raise IdentityError(f"not a central identity file: {exc}") from None

    @classmethod
    def load(cls, path: Path) -> CentralPublic:
        try:
            return cls.from_json(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise IdentityError(f"cannot read the central identity {path}: {exc}") from None

    def seal(self, plaintext: bytes) -> bytes:
        return bytes(SealedBox(self.seal_key).encrypt(plaintext))


class CentralIdentity:
    """The central's private halves, derived from its master key (``Keyring.derived``)."""

    def __init__(self, seal_seed: bytes, receipt_seed: bytes) -> None:
        self._box = SealedBox(PrivateKey(seal_seed))
        self._seal_public = PrivateKey(seal_seed).public_key
        self._signer = SigningKey(receipt_seed)

    def public(self) -> CentralPublic:
        return CentralPublic(self._seal_public, self._signer.verify_key)

    def unseal(self, ciphertext: bytes) -> bytes | None:
        """The plaintext, or None when it was not sealed to us (or was altered)."""
        try:
            return bytes(self._box.decrypt(ciphertext))
        except CryptoError:
            return None

    def sign(self, message: bytes) -> bytes:
        return bytes(self._signer.sign(message).signature)


class DerivesKeys(Protocol):
    def derived(self, purpose: str) -> bytes: ...


def central_identity(keyring: DerivesKeys) -> CentralIdentity:
    """The central's identity from its keyring (``store.keyring.Keyring``)."""
    return CentralIdentity(keyring.derived("edge-read-sealing"), keyring.derived("edge-receipt-signing"))
