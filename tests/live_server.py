"""The real server (uvicorn, the app as ``platewarden serve`` builds it) on a free loopback port, in a thread: for the
tests that need a real HTTP client — a browser, or the command line as a client of the server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from platewarden.runtime import Platform
from platewarden.server import create_app


@contextmanager
def live_server(platform: Platform, session_secret: str = "live-server-test") -> Iterator[str]:
    """Serve ``platform`` until the block ends; yields the base URL (plain http on loopback, cookies not Secure)."""
    with serve_app(create_app(platform, session_secret=session_secret, https_only=False)) as url:
        yield url


@contextmanager
def serve_app(app: object) -> Iterator[str]:
    """Serve any ASGI ``app`` with uvicorn on a free loopback port until the block ends; yields its base URL."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    else:
        raise RuntimeError("the test server did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
