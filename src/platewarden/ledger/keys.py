"""The log's signing key: generated on first run in the data dir (mode 0600) or given by the environment; a key file
other accounts may read is refused at start, as the master key is."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from platewarden.ledger.notes import ED25519, Signer
from platewarden.store.permissions import PermissionsError

ENV_VAR = "PLATEWARDEN_LEDGER_KEY_FILE"


def origin_for(agency: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", agency.lower()).strip("-") or "agency"
    return f"{slug}.platewarden/ledger"


def load_or_create_signer(data_dir: Path, agency: str, environ: dict[str, str] | None = None) -> Signer:
    env = os.environ if environ is None else environ
    path = Path(env[ENV_VAR]) if env.get(ENV_VAR) else data_dir / "ledger-signing.pem"
    name = origin_for(agency)
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:  # whoever reads it signs checkpoints, evidence and share packages as the agency
            raise PermissionsError(f"{path}: the ledger's signing key is readable by other accounts (mode {mode:o}): "
                                   f"chmod 600 {path}")
        return Signer.from_pem(name, path.read_bytes(), ED25519)
    signer = Signer.generate(name, ED25519)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(signer.private_pem())
    return signer
