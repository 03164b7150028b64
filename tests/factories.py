"""Builders for domain objects in tests."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import cv2
import numpy as np
import pyotp
from fastapi.testclient import TestClient
from nacl.signing import SigningKey

from platewarden.domain.cameras import Camera
from platewarden.domain.clock import ManualClock
from platewarden.domain.deployment import RoadSegment
from platewarden.domain.hotlist import HotlistEntry
from platewarden.domain.observations import Alternative, Box, CharConfidence, PlateObservation
from platewarden.domain.plates import Region
from platewarden.domain.reads import Read, read_id_for
from platewarden.domain.users import User
from platewarden.edge.identity import central_identity, public_key_text
from platewarden.edge.pipeline import ReadSealer
from platewarden.policy.model import Role
from platewarden.runtime import Platform

CAMERA = Camera("cam-1", "Main St northbound", 52.37, 4.89, 90.0, "main-st")


def jpeg(seed: int = 0, size: tuple[int, int] = (40, 120)) -> bytes:
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 255, (*size, 3), dtype=np.uint8)
    return cv2.imencode(".jpg", img)[1].tobytes()


def make_read(text: str, at: datetime, camera: Camera = CAMERA, n: int = 0, confidence: float = 0.9,
              region: Region = Region.US, observations: int = 3, agreeing: int = 3,
              alternatives: tuple[Alternative, ...] = ()) -> Read:
    return Read(id=read_id_for(camera.id, at, n), camera_id=camera.id, text=text, region=region, country=None,
                confidence=confidence, chars=tuple(CharConfidence(c, 0.98) for c in text),
                alternatives=alternatives, first_seen=at, last_seen=at + timedelta(seconds=1),
                observations=observations, agreeing=agreeing, latitude=camera.latitude,
                longitude=camera.longitude, plate_crop_jpeg=jpeg(n), vehicle_crop_jpeg=jpeg(n + 1, (80, 100)))


def make_entry(plate: str, now: datetime, region: Region = Region.US, country: str | None = None,
               days: int = 7) -> HotlistEntry:
    return HotlistEntry(id=str(uuid.uuid4()), plate=plate, region=region, country=country, reason="stolen vehicle",
                        source="NCIC", make="Toyota", colour="blue", added_by="sgt.jones", added_at=now,
                        expires_at=now + timedelta(days=days))


DEFAULT_BOX = Box(100, 100, 120, 40)


def observation(text: str, conf: float = 0.9, box: Box = DEFAULT_BOX,
                region: Region = Region.US) -> PlateObservation:
    per = conf ** (1 / max(1, len(text)))
    return PlateObservation(text=text, confidence=conf, region=region, country=None, box=box, corners=None,
                            chars=tuple(CharConfidence(c, per) for c in text), alternatives=(),
                            detector_score=0.9, crop=np.full((40, 120, 3), 200, np.uint8))


PEOPLE = {
    "admin": {Role.ADMINISTRATOR}, "officer": {Role.OFFICER}, "officer2": {Role.OFFICER},
    "head": {Role.DEPARTMENT_HEAD}, "head2": {Role.DEPARTMENT_HEAD}, "prosecutor": {Role.PROSECUTOR},
    "prosecutor2": {Role.PROSECUTOR}, "operator": {Role.OPERATOR}, "auditor": {Role.AUDITOR},
    "ethics": {Role.ETHICS_BOARD},
}
PASSWORD = "correct horse battery staple"


def people(platform: Platform) -> dict[str, User]:
    """One account per role (two officers, heads and prosecutors), created through the real account service."""
    out = {"admin": platform.accounts.create(None, "admin", "Ada Admin", "City IT", {Role.ADMINISTRATOR}, PASSWORD)}
    for name, roles in PEOPLE.items():
        if name != "admin":
            out[name] = platform.accounts.create(out["admin"], name, name.title(), "City Police", roles, PASSWORD)
    # the roles take effect once a second person approves them (the first head, set up before any approver
    # existed, approves the rest; the head itself was approved by nobody, and the ledger says so)
    for account in platform.accounts.awaiting_grant(out["head"]):
        platform.accounts.approve_grant(out["head"], account.user.id)
    return out


def approve_camera(platform: Platform, camera: Camera, who: dict[str, User], length_km: float = 2.0,
                   area: str = "centre", edge_key: str | None = None) -> None:
    """A camera on a recorded road segment, registered by the ethics board citing an earlier public decision (the
    full propose / comment / decide path has its own tests in tests/governance/test_deployment.py)."""
    segment = camera.road_segment or "unnamed"
    if segment not in {s.id for s in platform.deployments.segments()}:
        platform.deployments.add_segment(RoadSegment(segment, segment.title(), length_km, area), who["head"])
    platform.deployments.import_existing(camera, "council resolution 2026-17", who["ethics"], edge_key=edge_key)


def enrolled_edge(platform: Platform, camera: Camera, who: dict[str, User]) -> ReadSealer:
    """An edge camera as deployed: its own signing key, registered with its approval, and the central's identity.
    Returns what the edge seals and signs its reads with."""
    key = SigningKey.generate()
    approve_camera(platform, camera, who, edge_key=public_key_text(key.verify_key))
    return ReadSealer(key, central_identity(platform.keyring).public())


def activate(platform: Platform, entry: HotlistEntry, who: dict[str, User]) -> HotlistEntry:
    """An entry proposed by an officer and approved by a department head, as the policy requires."""
    platform.hotlist.propose(entry, who["officer"])
    return platform.hotlist.approve(entry.id, who["head"])


def enrol_second_factor(platform: Platform, user: User) -> str:
    """Enrol a TOTP authenticator for ``user`` through the real account service; returns its secret."""
    uri = platform.accounts.start_mfa(user)
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    platform.accounts.confirm_mfa(user, pyotp.TOTP(secret).at(platform.clock.now()))
    return secret


def fresh_code(clock: ManualClock, secret: str) -> str:
    """The authenticator's next code: the clock moves on a 30-second step first (a code is accepted once)."""
    clock.advance(timedelta(seconds=30))
    return str(pyotp.TOTP(secret).at(clock.now()))


def console_sign_in(client: TestClient, platform: Platform, clock: ManualClock, name: str,
                    secrets: dict[str, str]) -> None:
    """Sign in to the console as ``name`` (enrolling a second factor the first time, as the console would)."""
    user = platform.accounts.by_username(name)
    if name not in secrets:
        secrets[name] = enrol_second_factor(platform, user)
    r = client.post("/login", data={"username": name, "password": PASSWORD, "code": fresh_code(clock, secrets[name])})
    assert r.status_code in (200, 303) and "Wrong username" not in r.text, r.text[:300]
