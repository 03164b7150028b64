"""What the HTTP adapters are handed: the governance services, and the policy, clock, ledger and camera registry
(none of which holds personal data in the clear). Never a store of reads or alerts, a key or the engine.

A ``Protocol``, so the runtime's ``Platform`` satisfies it as it is, while mypy (strict) refuses any route or page
that reaches for ``p.reads``, ``p.alert_store``, ``p.keyring`` or ``p.engine``: the rule "governance is the only
door" is checked by the type checker as well as by ``tests/test_architecture.py``."""

from __future__ import annotations

from typing import Protocol

from platewarden.alerts.service import HotlistService
from platewarden.domain.clock import Clock
from platewarden.governance.accounts import Accounts
from platewarden.governance.alert_review import AlertReview
from platewarden.governance.deployment import DeploymentReview
from platewarden.governance.outlets import NotificationOutlets
from platewarden.governance.policy_change import PolicyChanges
from platewarden.governance.redress import Redress
from platewarden.governance.retention import Retention
from platewarden.governance.search import SearchGovernance
from platewarden.governance.sharing import Sharing
from platewarden.governance.single_sign_on import SingleSignOn
from platewarden.governance.zones import ZoneWatch
from platewarden.investigation.evidence import EvidenceExport
from platewarden.ledger.log import Ledger
from platewarden.policy import Policy
from platewarden.store.cameras import CameraRegistry


class Governance(Protocol):
    policy: Policy
    clock: Clock
    ledger: Ledger
    cameras: CameraRegistry
    accounts: Accounts
    sso: SingleSignOn
    searches: SearchGovernance
    retention: Retention
    redress: Redress
    deployments: DeploymentReview
    zones: ZoneWatch
    sharing: Sharing
    hotlist: HotlistService
    alert_review: AlertReview
    evidence: EvidenceExport
    outlets: NotificationOutlets
    policy_changes: PolicyChanges
