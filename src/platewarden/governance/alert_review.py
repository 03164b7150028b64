"""Alert review: an operator (or supervisor) sees the crop beside the hotlist record and records a disposition.

Each opening of an alert is recorded in the ledger (who, which alert, why), because it reveals a plate.
"""

from __future__ import annotations

from dataclasses import dataclass

from platewarden.domain.alerts import Disposition, DispositionRecord
from platewarden.domain.hotlist import HotlistEntry
from platewarden.ledger import events
from platewarden.runtime import Platform
from platewarden.store.alerts import AlertDetail


@dataclass(frozen=True)
class AlertView:
    detail: AlertDetail
    entry: HotlistEntry | None


class AlertReview:
    def __init__(self, platform: Platform) -> None:
        self._p = platform

    def pending(self, actor: str) -> list[AlertView]:
        return self._views(actor, pending_only=True)

    def all(self, actor: str) -> list[AlertView]:
        return self._views(actor, pending_only=False)

    def _views(self, actor: str, pending_only: bool) -> list[AlertView]:
        if not actor.strip():
            raise PermissionError("alert review needs a named person")
        details = self._p.alert_store.list(pending_only=pending_only)
        now = self._p.clock.now()
        self._p.ledger.append([events.alert_viewed(d.alert.id, actor, now, "alert review") for d in details])
        return [AlertView(d, self._p.hotlist.get(d.alert.entry_id)) for d in details]

    def dispose(self, actor: str, alert_id: str, disposition: Disposition, note: str) -> DispositionRecord:
        if not actor.strip():
            raise PermissionError("a disposition is made by a named person")
        return self._p.alerts.dispose(alert_id, disposition, actor, note)
