"""The master key that wraps every day key. Generated on first run (file mode 0600) or given by the environment.

Losing it makes all stored reads unreadable; leaking it exposes them. Production deployments should pass it from a
secret store through ``PLATEWARDEN_MASTER_KEY`` (base64 of 32 bytes) rather than keep it beside the database.
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
from pathlib import Path

from platewarden.store.cipher import KEY_BYTES, new_key

ENV_VAR = "PLATEWARDEN_MASTER_KEY"


class MasterKeyError(RuntimeError):
    pass


def _decode(value: str, where: str) -> bytes:
    try:
        key = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MasterKeyError(f"{where}: not valid base64") from exc
    if len(key) != KEY_BYTES:
        raise MasterKeyError(f"{where}: the master key must be {KEY_BYTES} bytes, got {len(key)}")
    return key


def load_or_create_master_key(path: Path, environ: dict[str, str] | None = None) -> bytes:
    env = os.environ if environ is None else environ
    if env.get(ENV_VAR):
        return _decode(env[ENV_VAR], ENV_VAR)
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise MasterKeyError(f"{path}: master key file is readable by others (mode {mode:o}); chmod 600 it")
        return _decode(path.read_text(), str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    key = new_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(base64.b64encode(key).decode() + "\n")
    return key
