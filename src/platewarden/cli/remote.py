"""The command line as a client of the server. With ``PLATEWARDEN_URL`` set, the governed acts of people (searches,
hotlist, alerts, tokens) go through the server's API under the person's token or sign-in, so officers, approvers and
auditors never need the data directory: whoever can read the data directory holds the master key and can do
everything, which is why it belongs to the operators alone (docs/security.md).

The token crosses the network, so the URL must be ``https://`` (verified against the system's CAs, or the private CA
in ``PLATEWARDEN_CA``); plain ``http://`` is accepted only to this machine's loopback address."""

from __future__ import annotations

import http.cookiejar
import ipaddress
import json
import os
import ssl
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

import click

URL_ENV = "PLATEWARDEN_URL"
CA_ENV = "PLATEWARDEN_CA"
TOKEN_ENV = "PLATEWARDEN_TOKEN"
MAX_ANSWER_BYTES = 64 * 1024 * 1024  # a search answer is bounded by its scope; this only stops a runaway server


class ServerRefused(click.ClickException):
    """The server said no (or could not be reached): its own words, with the HTTP status."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"the server refused ({status}): {detail}" if status else detail)
        self.status = status


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> str:
    """The server's base URL, refused where a token would cross the network in clear or the URL is not one."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise click.ClickException(f"{URL_ENV} must be an https:// URL, e.g. https://platewarden.example.org")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise click.ClickException(f"{URL_ENV} is plain http to {parts.hostname}: the token would cross the network "
                                   "in clear; use https:// (with PLATEWARDEN_CA for a private CA)")
    if parts.query or parts.fragment or parts.username:
        raise click.ClickException(f"{URL_ENV} must be the server's base URL, without query, fragment or user")
    return url.rstrip("/")


@dataclass
class Server:
    """One server, one person: a bearer token, or a session opened by signing in (cookie plus CSRF token)."""

    base_url: str
    token: str | None = None
    cafile: str | None = None
    _csrf: str | None = field(default=None, init=False)
    _opener: urllib.request.OpenerDirector = field(init=False, repr=False)

    def __post_init__(self) -> None:
        context = ssl.create_default_context(cafile=self.cafile)
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                   urllib.request.HTTPSHandler(context=context))

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """One API call; the parsed JSON answer (None for an empty one). A refusal raises ServerRefused."""
        raw, _ = self.fetch(method, path, body)
        return json.loads(raw) if raw else None

    def fetch(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[bytes, dict[str, str]]:
        """One API call; the raw answer and its headers (for a file such as an evidence package)."""
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self._csrf:
            headers["X-CSRF-Token"] = self._csrf
        req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with self._opener.open(req, timeout=60) as resp:
                raw = resp.read(MAX_ANSWER_BYTES + 1)
                headers = {k.lower(): v for k, v in resp.headers.items()}
        except urllib.error.HTTPError as exc:
            raise ServerRefused(exc.code, _detail(exc.read(65536))) from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServerRefused(0, f"cannot reach the server at {self.base_url}: {reason}") from exc
        if len(raw) > MAX_ANSWER_BYTES:
            raise ServerRefused(0, "the server's answer is larger than any answer it should give")
        return raw, headers

    def sign_in(self, username: str, password: str, code: str | None, enrolling: bool = False) -> None:
        """Open a session as a person signing in at the console would (throttled and ledgered by the server). A
        session still owing its second factor serves only to enrol it (``enrolling``)."""
        out = self.call("POST", "/api/session", {"username": username, "password": password, "code": code or None})
        if out.get("second_factor") == "enrol" and not enrolling:
            raise click.ClickException(f"enrol a second factor first: platewarden --as {username} user mfa enrol")
        self._csrf = str(out["csrf_token"])


def _detail(raw: bytes) -> str:
    try:
        detail = json.loads(raw).get("detail", "")
    except (ValueError, AttributeError):
        return raw.decode("utf-8", "replace")[:500] or "no reason given"
    if isinstance(detail, list):  # a validation error: say which field and why
        return "; ".join(f"{'.'.join(str(x) for x in d.get('loc', [])[1:])}: {d.get('msg', '')}" for d in detail)
    return str(detail)


def path_id(value: str, what: str) -> str:
    """An id as the server's paths take it (a UUID), checked here so that a typo is not a confusing 422."""
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not {'an' if what[0] in 'aeiou' else 'a'} {what} id") from exc


def configured() -> bool:
    return bool(os.environ.get(URL_ENV))


def server_for(ctx: click.Context, enrolling: bool = False) -> Server | None:
    """The configured server with the person at the keyboard signed in (``--as``) or their token; None when no
    server is configured and the command runs on the data directory. ``enrolling``: a sign-in that still owes its
    second factor is accepted (to enrol it, and nothing else: the server holds to that)."""
    url = os.environ.get(URL_ENV)
    if not url:
        return None
    server = Server(check_url(url), os.environ.get(TOKEN_ENV) or None, os.environ.get(CA_ENV) or None)
    username = (ctx.find_root().obj or {}).get("as_user")
    if username:
        server.token = None
        password = click.prompt(f"password for {username}", hide_input=True, err=True)
        code = click.prompt("code from your authenticator (or a recovery code; empty if none)", default="",
                            show_default=False, err=True)
        server.sign_in(username, password, code.strip() or None, enrolling)
    elif not server.token:
        raise click.ClickException(f"{URL_ENV} is set: set {TOKEN_ENV} or pass --as USERNAME")
    return server
