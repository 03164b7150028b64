"""Cross-border sharing (seed §5): agreements with other agencies naming the jurisdiction, the purposes (offence
categories) and how long the partner may keep what it receives. Pure rules; the service is governance/sharing.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from platewarden.domain.approvals import Step
from platewarden.domain.errors import Refused


class SharingRefused(Refused):
    """A sharing step the agreement or the policy does not allow; ledgered."""


class AgreementStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"
    ENDED = "ended"


@dataclass(frozen=True)
class SharingAgreement:
    id: str
    partner: str  # the other agency's name
    jurisdiction: str  # e.g. "NL", "DE-NW", "US-CA"
    purposes: tuple[str, ...]  # offence categories the partner may ask about
    retention_days: int  # how long the partner may keep shared reads
    valid_until: datetime
    partner_key: str  # the partner's ledger verifier key: packages it sends us are checked against it
    requested_by: str
    requested_at: datetime
    status: AgreementStatus
    status_reason: str | None
    steps: tuple[Step, ...] = ()

    def active_at(self, now: datetime) -> bool:
        return self.status is AgreementStatus.ACTIVE and now < self.valid_until


def normalize_jurisdiction(code: str) -> str:
    return code.strip().upper()


def check_agreement(partner: str, jurisdiction: str, purposes: list[str], retention_days: int,
                    valid_until: datetime, now: datetime, offences: list[str], forbidden: list[str],
                    max_retention_days: int, max_days: int) -> None:
    if not partner.strip():
        raise SharingRefused("name the partner agency")
    check_jurisdiction(jurisdiction, forbidden)
    if not purposes:
        raise SharingRefused("an agreement names the offence categories it covers")
    unknown = sorted(set(purposes) - set(offences))
    if unknown:
        raise SharingRefused(f"purposes {unknown} are not offence categories of the policy")
    if not 1 <= retention_days <= max_retention_days:
        raise SharingRefused(f"the partner may keep shared reads 1 to {max_retention_days} days (policy)")
    if not now < valid_until <= now + timedelta(days=max_days):
        raise SharingRefused(f"an agreement runs for at most {max_days} days (policy)")


def check_jurisdiction(jurisdiction: str, forbidden: list[str]) -> None:
    code = normalize_jurisdiction(jurisdiction)
    if not code:
        raise SharingRefused("name the partner's jurisdiction")
    blocked = {normalize_jurisdiction(f) for f in forbidden}
    if code in blocked or code.split("-")[0] in blocked:
        raise SharingRefused(f"the policy forbids sharing with jurisdiction {code}")


def check_shared_query(agreement: SharingAgreement, offence: str, now: datetime, forbidden: list[str]) -> None:
    if not agreement.active_at(now):
        raise SharingRefused(f"agreement with {agreement.partner} is not active")
    check_jurisdiction(agreement.jurisdiction, forbidden)
    if offence not in agreement.purposes:
        raise SharingRefused(f"offence {offence!r} is not among the agreement's purposes "
                             f"({', '.join(agreement.purposes)})")
