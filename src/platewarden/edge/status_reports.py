"""Central side of the edges' outbox reports (``edge.message.StatusBody``): verified with the camera's active key,
from an approved camera, not from the future, and kept only when newer than the last (``store.edge_status``).
Refused reports are counted and ledgered like refused reads (``read_refusals``), once per camera and reason."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from platewarden.edge.identity import parse_public_key
from platewarden.edge.message import STATUS_PREFIX, MessageRefused, open_status
from platewarden.runtime import Platform
from platewarden.store.edge_status import EdgeReport

MAX_CLOCK_AHEAD = timedelta(minutes=5)  # an edge clock this far ahead of the central's is refused, not believed


class EdgeStatusRecorder:
    def __init__(self, platform: Platform, source: str = "mqtt-ingest") -> None:
        self._p = platform
        self._source = source

    def record(self, messages: list[tuple[str, bytes]]) -> int:
        """Check and keep a batch of reports; returns how many were kept."""
        now = self._p.clock.now()
        kept, refused = 0, Counter[tuple[str, str]]()
        for topic, payload in messages:
            camera_id = topic[len(STATUS_PREFIX):][:64] if topic.startswith(STATUS_PREFIX) else "(invalid)"
            try:
                if camera_id not in self._p.deployments.approved_ids():
                    raise MessageRefused("unapproved_camera", f"status report of camera {camera_id!r}")
                keys = [parse_public_key(k.public_key) for k in self._p.deployments.keys.for_camera(camera_id)
                        if k.revoked_at is None and k.retired_at is None]
                body, at = open_status(payload, topic, keys)
                if at > now + MAX_CLOCK_AHEAD:
                    raise MessageRefused("future_status", f"reported at {at.isoformat()}, central time "
                                                          f"{now.isoformat()}")
                report = EdgeReport(camera_id, at, body.unsent, body.awaiting_receipt, now)
                if not self._p.deployments.keep_edge_report(report):
                    raise MessageRefused("stale_status", "not newer than the report already kept (replayed?)")
                kept += 1
            except MessageRefused as exc:
                refused[(camera_id, exc.reason)] += 1
        for (camera_id, reason), n in refused.items():
            self._p.deployments.record_refusal(camera_id, reason, n, self._source)
        return kept
