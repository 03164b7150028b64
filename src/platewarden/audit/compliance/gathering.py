"""Gathering a compliance snapshot as a governed act: who may (an auditor, the ethics board or a department head),
ledgered whether refused or done (gathering unseals alert and search data to count them), and signed with the
ledger's key so that an outside auditor can check that the figures are the agency's. One service for the command
line on the data directory and for ``POST /api/reports/compliance``: the rule is written once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from platewarden.audit.compliance.snapshot import Snapshot
from platewarden.domain.errors import Invalid, Refused
from platewarden.domain.roles import Role
from platewarden.domain.users import User
from platewarden.ledger.entries import Event, EventKind

if TYPE_CHECKING:
    from platewarden.runtime import Platform

GATHERERS = frozenset({Role.AUDITOR, Role.ETHICS_BOARD, Role.DEPARTMENT_HEAD})


class GatheringRefused(Refused):
    """Not a person who gathers compliance snapshots; the refusal is ledgered."""


class BadPeriod(Invalid):
    """A period the snapshot cannot cover (reversed, in the future, too long)."""


@dataclass(frozen=True)
class GatheredSnapshot:
    snapshot: Snapshot
    sha256: str  # of the snapshot's JSON, as the ledger records it
    signed: bytes  # the export: the snapshot with the ledger key's signature


class ComplianceGathering:
    def __init__(self, platform: Platform) -> None:
        self._platform = platform

    def gather(self, user: User, first: date, last: date) -> GatheredSnapshot:
        from platewarden.audit.compliance.gather import PeriodError, gather
        from platewarden.audit.compliance.report import snapshot_bytes

        p = self._platform
        if not user.roles & GATHERERS:
            p.ledger.append([Event(EventKind.REPORT, p.clock.now(), user.label,
                                   {"action": "compliance_snapshot_refused"})])
            raise GatheringRefused("a compliance snapshot is gathered by an auditor, the ethics board or a "
                                   "department head (refused, and ledgered)")
        try:
            snap = gather(p, first, last, gathered_by=user.label)
        except PeriodError as exc:
            raise BadPeriod(str(exc)) from exc
        digest = hashlib.sha256(snapshot_bytes(snap)).hexdigest()
        p.ledger.append([Event(EventKind.REPORT, p.clock.now(), user.label, {
            "action": "compliance_snapshot", "from": str(snap.period_from), "to": str(snap.period_to),
            "snapshot_sha256": digest})])
        return GatheredSnapshot(snap, digest, snap.signed(p.ledger.sign, p.ledger.public_key))
