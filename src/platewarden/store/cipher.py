"""Authenticated encryption (AES-256-GCM from ``cryptography``) and keyed blind indexes (HMAC-SHA-256).

The associated data binds each ciphertext to its row and purpose, so a ciphertext moved to another row or column
fails to decrypt instead of decrypting to the wrong person's data.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
KEY_BYTES = 32


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


@lru_cache(maxsize=64)
def _aead(key: bytes) -> AESGCM:
    return AESGCM(key)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Random 96-bit nonce per message: safe for far more messages per key than a day of reads."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + _aead(key).encrypt(nonce, plaintext, aad)


def unseal(key: bytes, blob: bytes, aad: bytes) -> bytes:
    """Raises ``cryptography.exceptions.InvalidTag`` when the blob was altered or belongs elsewhere."""
    return _aead(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)


def blind_index(index_key: bytes, normalized_plate: str) -> bytes:
    """A keyed digest of a plate: equal plates on the same day match, nothing else can be learned without the key."""
    return hmac.new(index_key, normalized_plate.encode(), hashlib.sha256).digest()[:16]


def fingerprint(key: bytes) -> str:
    """A public identifier of a key (for destruction receipts); reveals nothing usable about the key."""
    return hashlib.sha256(b"platewarden-key-fingerprint|" + key).hexdigest()[:32]
