"""The second factor: TOTP (RFC 6238, through pyotp) and one-time recovery codes. No IO here: the account service
stores the sealed secret, the last accepted time step and the codes' hashes.

Why TOTP: it works offline on any phone or hardware token an agency already issues, needs no third-party service,
and is "something you have" as CJIS's advanced authentication asks. A code is accepted once (the last accepted time
step is kept), within one step of clock drift either way.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import pyotp

ISSUER = "platewarden"
RECOVERY_CODES = 10
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str, agency: str) -> str:
    """The otpauth:// URI an authenticator app takes (as a QR code in the console, as text on the command line)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=f"{ISSUER} ({agency})")


def accepted_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step ``code`` belongs to, if it is valid now (± drift) and later than the last one accepted."""
    code = (code or "").strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if (last_step is None or step > last_step) and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten one-time codes (60 random bits each), shown once; only their hashes are kept."""
    return ["-".join(secrets.token_hex(5)[i:i + 5] for i in (0, 5)) for _ in range(RECOVERY_CODES)]


def recovery_hash(code: str) -> bytes:
    return hashlib.sha256(code.strip().lower().encode()).digest()
