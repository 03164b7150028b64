"""Fixtures for the console in a real headless Chromium (Debian's, driven by Playwright): a live server with two
approved cameras and one account per role, a browser, signing in as a person would (enrolling the authenticator
the first time), and screenshots kept for a person to look at (PLATEWARDEN_SCREENSHOTS=DIR)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest

from platewarden.domain.cameras import Camera
from platewarden.domain.clock import ManualClock
from platewarden.runtime import Platform
from tests.factories import PASSWORD, approve_camera, fresh_code, people
from tests.live_server import live_server

CHROMIUM = "/usr/bin/chromium"
CAMS = [Camera("cam-north", "North gate", 52.380, 4.890, 0.0, "main"),
        Camera("cam-south", "South bridge", 52.360, 4.900, 180.0, "main")]


@pytest.fixture
def server(platform: Platform, clock: ManualClock) -> Iterator[tuple[str, Platform, dict, ManualClock]]:  # type: ignore[type-arg]
    who = people(platform)
    for c in CAMS:
        approve_camera(platform, c, who)
    with live_server(platform, session_secret="browser-test") as base:
        yield base, platform, who, clock


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    folder = os.environ.get("PLATEWARDEN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


_SECRETS: dict[tuple[int, str], str] = {}  # the authenticator each test's people enrolled


def sign_in(browser, base: str, username: str, clock: ManualClock, width: int = 1280):  # type: ignore[no-untyped-def]
    """Sign in as a person would: the first time, enrol the authenticator from the page's key (and see the recovery
    codes); afterwards, password and the authenticator's current code."""
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    secret = _SECRETS.get((id(clock), username))
    if secret:
        page.fill("input[name=code]", fresh_code(clock, secret))
    page.click("button[type=submit]")
    if secret is None:
        page.wait_for_url(f"{base}/account/mfa")
        assert page.locator("#qr svg").count() == 1  # the QR code, as inline SVG (no script)
        secret = page.inner_text("#totp-secret").strip()
        page.fill("input[name=code]", pyotp.TOTP(secret).at(clock.now()))
        page.click("button[type=submit]")
        assert len(page.inner_text("#recovery-codes").split()) == 10
        shot(page, f"00-enrolled-{username}")
        _SECRETS[(id(clock), username)] = secret
        page.click("text=Continue")
    page.wait_for_url(f"{base}/")
    return page
