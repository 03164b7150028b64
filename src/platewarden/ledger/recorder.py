"""Hooks that put the rest of the system's acts into the ledger."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from platewarden.domain.clock import Clock
from platewarden.ledger import events
from platewarden.ledger.log import Ledger


class ReadBatchRecorder:
    """Passed to ``ReadStore.insert_rows``: the batch's ledger entry commits with the reads themselves."""

    def __init__(self, ledger: Ledger, clock: Clock) -> None:
        self._ledger = ledger
        self._clock = clock

    def __call__(self, conn: Connection, rows: list[dict[str, Any]], cameras: list[str]) -> int:
        [seq] = self._ledger.append([events.read_batch(rows, cameras, self._clock.now())], conn=conn)
        return seq
