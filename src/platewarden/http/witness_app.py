"""The witness's HTTP endpoint (C2SP tlog-witness): ``POST <prefix>/add-checkpoint``.

Run by the outside party, not by the agency (``platewarden ledger witness serve``): it holds no database, no
personal data and no agency key, only the witness key, the log keys it follows and its own state. Statuses are the
spec's: 404 unknown log, 403 bad log signature, 400 malformed or old > size, 409 wrong old size (body: the size the
witness is at, ``text/x.tlog.size``) or a fork at the same size, 422 a failing consistency proof.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from platewarden.ledger.witness import Witness

MAX_REQUEST_BYTES = 64 * 1024  # a checkpoint, 63 proof lines and a few signatures fit many times over


def witness_app(witness: Witness, prefix: str = "") -> Starlette:
    async def add_checkpoint(request: Request) -> Response:
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_REQUEST_BYTES:
                return Response("request too large\n", 413, media_type="text/plain")
        status, text, content_type = await run_in_threadpool(witness.handle, body)  # it waits on a file lock
        return Response(text, status, headers={"Content-Type": content_type})

    return Starlette(routes=[Route(prefix.rstrip("/") + "/add-checkpoint", add_checkpoint, methods=["POST"])])
