"""The dispatcher's live queue: the alert page learns of a new alert without a reload.

``/alerts/stream`` is a server-sent event stream that carries only the number of pending alerts and the newest one's
opaque id (no plate, no crop); on a change the page fetches ``/alerts/queue``, the same governed, ledgered listing the
page itself shows. The stream re-checks the person's session at every poll and ends when it ends (sign-out,
deactivation, expiry), so a stolen or forgotten tab does not keep listening. The server polls the database once a
second per open stream: alerts are written by ingest workers in other processes, and the database is what they share.
Also here: the vehicle crop beside the plate crop (the read's own, opened through governance and ledgered).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from platewarden.domain.alerts import UnknownAlert
from platewarden.domain.errors import PlatewardenError
from platewarden.http.common import GovernanceDep
from platewarden.web.console import LoginRequired, SecondFactorRequired, UserDep, allow, render, session_user

router = APIRouter(include_in_schema=False)

POLL_SECONDS = 1.0
KEEPALIVE_SECONDS = 15.0
RETRY_MS = 3000  # how soon a browser reconnects a dropped stream


@router.get("/alerts/stream")
async def alert_stream(request: Request, user: UserDep, p: GovernanceDep) -> StreamingResponse:
    allow(user, "/alerts")
    await run_in_threadpool(p.alert_review.queue_state, user)  # other roles are refused before anything streams

    async def events() -> AsyncIterator[str]:
        yield f"retry: {RETRY_MS}\n\n"
        last: tuple[int, str | None] | None = None
        quiet = 0.0
        while not await request.is_disconnected():
            try:
                person = await run_in_threadpool(session_user, request, p)
                allow(person, "/alerts")
                state = await run_in_threadpool(p.alert_review.queue_state, person)
            except (LoginRequired, SecondFactorRequired, HTTPException, PlatewardenError):
                yield "event: end\ndata: {}\n\n"  # the session ended: the page says so and stops listening
                return
            if state != last:
                yield f"event: queue\ndata: {json.dumps({'pending': state[0], 'newest': state[1]})}\n\n"
                last, quiet = state, 0.0
            elif quiet >= KEEPALIVE_SECONDS:
                yield ": keepalive\n\n"  # proxies close silent connections
                quiet = 0.0
            await asyncio.sleep(POLL_SECONDS)
            quiet += POLL_SECONDS

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@router.get("/alerts/queue", response_class=HTMLResponse)
def alert_queue(request: Request, user: UserDep, p: GovernanceDep) -> HTMLResponse:
    """The queue's cards alone (what the live page swaps in); listed through governance, each look ledgered."""
    allow(user, "/alerts")
    views = p.alert_review.pending(user)
    return render(request, "alert_cards.html", user, views=views, now=p.clock.now())


@router.get("/alerts/{alert_id}/vehicle.jpg")
def vehicle_crop(alert_id: str, user: UserDep, p: GovernanceDep) -> Response:
    allow(user, "/alerts")
    try:
        crop = p.alert_review.vehicle_crop(user, alert_id)
    except UnknownAlert as exc:
        raise HTTPException(404, str(exc)) from exc
    if crop is None:
        raise HTTPException(404, "no vehicle crop: the read is gone, kept for a case, or had none")
    return Response(crop, media_type="image/jpeg", headers={"Cache-Control": "no-store"})
