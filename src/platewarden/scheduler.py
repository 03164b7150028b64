"""Background duties of a running server: sign a ledger checkpoint on a schedule (and have the policy's witnesses
cosign it), destroy days past the retention limit once a day, and check every governed row against its seal and
the ledger once an hour (``audit reconcile``, its outcome ledgered for the auditor's home). Each duty's failure is
logged and retried at the next tick, never fatal."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from platewarden.ledger.witness_client import Transport, http_transport
from platewarden.runtime import Platform

log = logging.getLogger(__name__)


@dataclass
class Scheduler:
    platform: Platform
    checkpoint_seconds: float = 600.0
    retention_seconds: float = 86_400.0
    reconcile_seconds: float = 3_600.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    checkpoints: int = 0
    retention_runs: int = 0
    reconciles: int = 0
    cosignatures: int = 0
    transport_for: Callable[[str], Transport] = http_transport

    def tick(self, now_s: float, last: dict[str, float]) -> None:
        """Run whatever is due at ``now_s`` (seconds on a monotonic clock)."""
        if now_s - last.get("checkpoint", -1e18) >= self.checkpoint_seconds:
            try:
                self.platform.ledger.checkpoint()
                self.checkpoints += 1
                last["checkpoint"] = now_s
            except Exception:  # logged and retried next tick
                log.exception("scheduled ledger checkpoint failed")
            else:
                self.witness()
        if now_s - last.get("retention", -1e18) >= self.retention_seconds:
            try:
                passed = self.platform.pass_time()
                self.retention_runs += 1
                last["retention"] = now_s
                for zone_id in passed.expired_zones:
                    log.info("zone %s expired: its key, presence tokens and alerts were destroyed", zone_id)
                if passed.deleted_shares:
                    log.info("%d received share packages past their delete-by date deleted", passed.deleted_shares)
                for r in passed.receipts:
                    log.info("retention destroyed %s: %d reads, receipt at ledger entry %d", r.day, r.destroyed,
                             r.ledger_seq)
            except Exception:
                log.exception("scheduled retention run failed")
        if now_s - last.get("reconcile", -1e18) >= self.reconcile_seconds:
            from platewarden.governance.reconcile import reconcile_and_record

            try:
                found = reconcile_and_record(self.platform, "scheduler")
                self.reconciles += 1
                last["reconcile"] = now_s
                for d in found:
                    log.error("audit reconcile: %s", d.line())
            except Exception:
                log.exception("scheduled reconcile failed")

    def witness(self) -> None:
        """Send the new checkpoint to the policy's witnesses (tlog-witness); one that is down is logged, not fatal:
        the compliance report says how far behind the witnessed checkpoint is."""
        lp = self.platform.policy.ledger
        if not lp.witness_urls:
            return
        from platewarden.ledger.witness_client import WitnessUnavailable, collect_cosignatures

        for outcome in collect_cosignatures(self.platform.ledger, lp.witnesses, lp.witness_urls,
                                            self.platform.clock.now(), self.transport_for):
            if isinstance(outcome, WitnessUnavailable):
                log.warning("witness: %s", outcome)
            else:
                self.cosignatures += 1

    def start(self) -> None:
        import time

        def loop() -> None:
            last: dict[str, float] = {}
            while not self._stop.is_set():
                self.tick(time.monotonic(), last)
                self._stop.wait(min(self.checkpoint_seconds, 60.0))

        self._thread = threading.Thread(target=loop, name="platewarden-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
