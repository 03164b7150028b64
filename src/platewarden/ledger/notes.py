"""Signed notes (C2SP signed-note), checkpoints (C2SP tlog-checkpoint) and cosignatures (C2SP tlog-cosignature),
with Ed25519 from ``cryptography``.

A note is text, a blank line, then signature lines ``— <name> <base64(key id || signature)>``. The key id is the
first 4 bytes of SHA-256(name || "\\n" || type || public key); type 0x01 for Ed25519 log signatures, 0x04 for
cosignatures, whose signed message is ``cosignature/v1\\ntime <t>\\n`` followed by the checkpoint body.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
DASH = "\u2014"


class NoteError(ValueError):
    pass


MAX_TREE_SIZE = 2**64 - 1


def check_key_name(name: str) -> str:
    """C2SP signed-note key names: non-empty, no Unicode spaces, no '+'."""
    if not name or "+" in name or any(c.isspace() for c in name) or any(ord(c) < 32 for c in name):
        raise NoteError(f"key name {name!r}: non-empty, without spaces or '+'")
    return name


def key_id(name: str, key_type: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([key_type]) + public).digest()[:4]


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class Verifier:
    """A public key with its name and type; text form ``name+hexid+base64(type||key)`` (a note verifier key)."""

    name: str
    key_type: int
    public: bytes

    @property
    def id(self) -> bytes:
        return key_id(self.name, self.key_type, self.public)

    def encode(self) -> str:
        return f"{self.name}+{self.id.hex()}+{base64.b64encode(bytes([self.key_type]) + self.public).decode()}"

    @classmethod
    def decode(cls, text: str) -> Verifier:
        try:
            name, hexid, b64 = text.strip().split("+", 2)  # names never contain "+"; base64 may
            raw = base64.b64decode(b64, validate=True)
        except ValueError as exc:
            raise NoteError(f"not a verifier key: {text!r}") from exc
        check_key_name(name)
        if not raw:
            raise NoteError(f"verifier key {name!r} is empty")
        v = cls(name, raw[0], raw[1:])
        if len(v.public) != 32 or v.id.hex() != hexid:
            raise NoteError(f"verifier key {name!r} is malformed (id or length)")
        return v

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, message)
            return True
        except InvalidSignature:
            return False


@dataclass(frozen=True)
class Signer:
    name: str
    private: Ed25519PrivateKey
    key_type: int = ED25519

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.name, self.key_type, _raw_public(self.private.public_key()))

    @classmethod
    def generate(cls, name: str, key_type: int = ED25519) -> Signer:
        return cls(check_key_name(name), Ed25519PrivateKey.generate(), key_type)

    def private_pem(self) -> bytes:
        return self.private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption())

    @classmethod
    def from_pem(cls, name: str, pem: bytes, key_type: int = ED25519) -> Signer:
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise NoteError("the key file does not hold an Ed25519 private key")
        return cls(name, key, key_type)


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        lines = body.split("\n")
        if len(lines) < 4 or lines[-1] != "" or not lines[0]:
            raise NoteError("checkpoint body must be origin, size, root hash, each on its own line")
        if any(line == "" for line in lines[3:-1]):
            raise NoteError("checkpoint extension lines may not be empty")
        try:
            size = int(lines[1])
            root = base64.b64decode(lines[2], validate=True)
        except ValueError as exc:
            raise NoteError(f"checkpoint size or root is malformed: {exc}") from exc
        if size < 0 or size > MAX_TREE_SIZE or len(root) != 32 or str(size) != lines[1]:
            raise NoteError("checkpoint size or root is malformed")
        return cls(lines[0], size, root)


@dataclass(frozen=True)
class SignedNote:
    text: str  # the body, ending in a newline
    signatures: tuple[tuple[str, bytes], ...]  # (name, key id || signature bytes)

    def render(self) -> str:
        sigs = "".join(f"{DASH} {n} {base64.b64encode(s).decode()}\n" for n, s in self.signatures)
        return f"{self.text}\n{sigs}"

    @classmethod
    def parse(cls, note: str) -> SignedNote:
        if any((ord(c) < 32 and c != "\n") or ord(c) == 127 for c in note):
            raise NoteError("a note holds no control characters other than newline")
        head, sep, tail = note.rpartition("\n\n")
        if not sep or not tail.endswith("\n"):
            raise NoteError("malformed note: no blank line before the signatures")
        sigs = []
        for line in tail[:-1].split("\n"):
            parts = line.split(" ")
            if len(parts) != 3 or parts[0] != DASH:
                raise NoteError(f"malformed signature line: {line!r}")
            try:
                sigs.append((check_key_name(parts[1]), base64.b64decode(parts[2], validate=True)))
            except ValueError as exc:
                raise NoteError(f"malformed signature line: {line!r}") from exc
        return cls(head + "\n", tuple(sigs))

    def with_signature(self, name: str, blob: bytes) -> SignedNote:
        return SignedNote(self.text, (*self.signatures, (name, blob)))


def sign_checkpoint(cp: Checkpoint, signer: Signer) -> SignedNote:
    body = cp.body()
    return SignedNote(body, ((signer.name, signer.verifier.id + signer.private.sign(body.encode())),))


def verify_log_signature(note: SignedNote, log_key: Verifier) -> Checkpoint:
    """The checkpoint, if ``log_key`` signed it and no line claiming to be its signature fails; otherwise NoteError.
    Its origin must be the log key's name."""
    good = False
    for name, blob in note.signatures:
        if name == log_key.name and blob[:4] == log_key.id:
            if not log_key.verify(note.text.encode(), blob[4:]):
                raise NoteError(f"a signature by the log key {log_key.name!r} does not verify")
            good = True
    if not good:
        raise NoteError(f"checkpoint is not signed by the log key {log_key.name!r}")
    cp = Checkpoint.parse(note.text)
    if cp.origin != log_key.name:
        raise NoteError(f"checkpoint origin {cp.origin!r} is not the log key's name {log_key.name!r}")
    return cp


def cosignature_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + body.encode()


def cosign(note: SignedNote, witness: Signer, timestamp: int) -> SignedNote:
    if witness.key_type != COSIGNATURE_V1:
        raise NoteError("a witness key must be of the cosignature/v1 type")
    sig = witness.private.sign(cosignature_message(note.text, timestamp))
    return note.with_signature(witness.name, witness.verifier.id + struct.pack(">Q", timestamp) + sig)


def verify_cosignatures(note: SignedNote, witnesses: list[Verifier]) -> list[tuple[str, int]]:
    """(witness name, timestamp) of each valid cosignature by a known witness; unknown or bad ones are ignored."""
    valid = []
    for name, blob in note.signatures:
        for w in witnesses:
            if w.name == name and w.key_type == COSIGNATURE_V1 and blob[:4] == w.id and len(blob) == 4 + 8 + 64:
                ts = struct.unpack(">Q", blob[4:12])[0]
                if w.verify(cosignature_message(note.text, ts), blob[12:]):
                    valid.append((name, ts))
    return valid
