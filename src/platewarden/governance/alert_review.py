"""Alert review: an operator (or supervisor) sees the crop beside the hotlist record and records a disposition.

Each opening of an alert is recorded in the ledger (who, which alert, why), because it reveals a plate.
"""

from __future__ import annotations

from dataclasses import dataclass

from platewarden.alerts.service import AlertService, HotlistService
from platewarden.domain.alerts import Disposition, DispositionRecord
from platewarden.domain.clock import Clock
from platewarden.domain.errors import Refused
from platewarden.domain.hotlist import HotlistEntry
from platewarden.domain.users import User
from platewarden.ledger import events
from platewarden.ledger.log import Ledger
from platewarden.policy.model import Role
from platewarden.store.alerts import AlertDetail, AlertStore
from platewarden.store.reads import ReadStore

REVIEWERS = frozenset({Role.OPERATOR, Role.OFFICER, Role.DEPARTMENT_HEAD})


@dataclass(frozen=True)
class AlertView:
    detail: AlertDetail
    entry: HotlistEntry | None


class AlertReview:
    """The only way to see an alert's plate, crop and hotlist record, and to record what a person concluded."""

    def __init__(self, alert_store: AlertStore, alerts: AlertService, hotlist: HotlistService, ledger: Ledger,
                 clock: Clock, reads: ReadStore | None = None) -> None:
        self._store = alert_store
        self._reads = reads
        self._alerts = alerts
        self._hotlist = hotlist
        self._ledger = ledger
        self._clock = clock

    def pending_count(self) -> int:
        """How many alerts wait for a disposition (a count for the console's home page: nothing is decrypted and
        nothing personal is shown, so it is not ledgered)."""
        return self._store.count_pending()

    def queue_state(self, user: User) -> tuple[int, str | None]:
        """For a live queue: how many alerts wait and the newest one's id (reviewers only; no plate, no crop, so
        not ledgered: the ledger records the look when the queue is then shown)."""
        self._check(user)
        return self._store.queue_state()

    def vehicle_crop(self, user: User, alert_id: str) -> bytes | None:
        """The vehicle crop of the read that raised the alert, beside the plate crop (make and colour are what a
        dispatcher compares with the hotlist record); None once the read is gone or kept for a case. Ledgered."""
        view = self.open(user, alert_id, "vehicle crop shown")
        read = self._reads.get(view.detail.alert.read_id) if self._reads is not None else None
        return None if read is None else read.vehicle_crop_jpeg

    def pending(self, user: User) -> list[AlertView]:
        return self._views(user, pending_only=True)

    def all(self, user: User) -> list[AlertView]:
        return self._views(user, pending_only=False)

    def _check(self, user: User) -> None:
        if not user.roles & REVIEWERS:
            raise Refused("alert review is for operators, officers and department heads")

    def _views(self, user: User, pending_only: bool) -> list[AlertView]:
        self._check(user)
        details = self._store.list(pending_only=pending_only)
        now = self._clock.now()
        self._ledger.append([events.alert_viewed(d.alert.id, user.label, now, "alert review") for d in details])
        return [AlertView(d, self._hotlist.get(d.alert.entry_id)) for d in details]

    def open(self, user: User, alert_id: str, purpose: str = "alert review") -> AlertView:
        """One alert with its crop and hotlist record; the look is ledgered."""
        self._check(user)
        d = self._store.get(alert_id)
        self._ledger.append([events.alert_viewed(alert_id, user.label, self._clock.now(), purpose)])
        return AlertView(d, self._hotlist.get(d.alert.entry_id))

    def dispose(self, user: User, alert_id: str, disposition: Disposition, note: str) -> DispositionRecord:
        self._check(user)
        return self._alerts.dispose(alert_id, disposition, user.label, note)
