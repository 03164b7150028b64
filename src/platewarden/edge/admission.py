"""What a signed, decrypted read must still satisfy before the central stores it: a plate's text, small valid JPEG
crops, and times the policy believes (``policy.edge``). Pure checks, no IO: each refusal names its reason.

Why, even though the camera signed it: a stolen camera key, a camera with a broken clock, or a buggy edge build
must not be able to backdate a sighting into an approved search, post-date one, or store markup as a plate.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import cv2
import numpy as np

from platewarden.domain.cameras import CameraKey
from platewarden.edge.message import MessageRefused, ReadBody
from platewarden.policy.model import EdgePolicy
from platewarden.recognition.formats import plate_text_problem

MAX_CROP_SIDE = 2048  # pixels: a plate or vehicle crop is far smaller


def check_key_window(keys: list[CameraKey], signer: int, body: ReadBody) -> None:
    """The key that signed may sign a read queued when this one says it was (see ``CameraKey.accepts``)."""
    key = keys[signer]
    if not key.accepts(body.sent_at):
        raise MessageRefused("revoked_key" if key.revoked_at else "retired_key",
                             f"key {key.fingerprint} of camera {key.camera_id} is {key.state}")


def check_read(body: ReadBody, now: datetime, policy: EdgePolicy, retention_cutoff: date) -> None:
    """Raises MessageRefused (reasons: not_a_plate, future, backdated, late, stale, bad_crop)."""
    for text in [body.text, *(a.text for a in body.alternatives)]:
        problem = plate_text_problem(text)
        if problem:
            raise MessageRefused("not_a_plate", problem)
    skew = timedelta(seconds=policy.clock_skew_seconds)
    if body.sent_at > now + skew or body.last_seen > body.sent_at + skew:
        raise MessageRefused("future", f"read claims {max(body.sent_at, body.last_seen).isoformat()}")
    if body.sent_at - body.first_seen > timedelta(seconds=policy.max_track_seconds):
        raise MessageRefused("backdated", f"first seen {body.first_seen.isoformat()}, queued "
                                          f"{body.sent_at.isoformat()}")
    if body.first_seen.date() < retention_cutoff:
        raise MessageRefused("stale", f"read of {body.first_seen.date()} is past the retention window")
    if now - body.sent_at > timedelta(hours=policy.max_delivery_hours):
        raise MessageRefused("late", f"queued {body.sent_at.isoformat()}, more than "
                                     f"{policy.max_delivery_hours} h ago")
    check_jpeg(body.plate_crop, policy.max_crop_bytes, "plate crop")
    if body.vehicle_crop is not None:
        check_jpeg(body.vehicle_crop, policy.max_crop_bytes, "vehicle crop")


def check_jpeg(data: bytes, max_bytes: int, what: str) -> None:
    """A small JPEG that decodes (never handed on otherwise: crops are shown in the console and evidence)."""
    if len(data) > max_bytes:
        raise MessageRefused("bad_crop", f"{what}: {len(data)} bytes, limit {max_bytes}")
    if not (data.startswith(b"\xff\xd8\xff") and data.rstrip(b"\x00").endswith(b"\xff\xd9")):
        raise MessageRefused("bad_crop", f"{what} is not a JPEG")
    # decoded at an eighth of its size: every block is still entropy-decoded (half the cost of a full decode)
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_REDUCED_GRAYSCALE_8)
    if image is None or image.size == 0:
        raise MessageRefused("bad_crop", f"{what} does not decode")
    if max(image.shape[:2]) * 8 > MAX_CROP_SIDE + 8:
        raise MessageRefused("bad_crop", f"{what} is about {image.shape[1] * 8}x{image.shape[0] * 8} pixels")
