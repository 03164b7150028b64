"""Wiring: one object that holds the opened database, keys, policy and services, built from Settings.

Adapters (CLI, server, tests) create a Platform and pass it (or parts of it) on; nothing reaches for globals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from platewarden.alerts.notify import DeliveringNotifier, WebhookRegistry
from platewarden.alerts.service import AlertService, HotlistService
from platewarden.config import Settings
from platewarden.domain.clock import Clock, SystemClock
from platewarden.edge.identity import CentralPublic, central_identity
from platewarden.governance.accounts import Accounts
from platewarden.governance.alert_review import AlertReview
from platewarden.governance.deployment import DeploymentReview, filter_admitted
from platewarden.governance.last_word import LastWord
from platewarden.governance.outlets import NotificationOutlets
from platewarden.governance.policy_change import PolicyChanges
from platewarden.governance.redress import Redress
from platewarden.governance.retention import Receipt, Retention
from platewarden.governance.search import SearchGovernance
from platewarden.governance.sharing import Sharing
from platewarden.governance.single_sign_on import SingleSignOn
from platewarden.governance.zones import ZoneWatch
from platewarden.investigation.evidence import EvidenceExport
from platewarden.ledger.high_water import HighWaterMark
from platewarden.ledger.keys import load_or_create_signer
from platewarden.ledger.log import Ledger
from platewarden.ledger.recorder import ReadBatchRecorder
from platewarden.pipeline.writer import BufferedReadWriter
from platewarden.policy import Policy, PolicyError, load_policy
from platewarden.store.alerts import AlertStore
from platewarden.store.cameras import CameraRegistry
from platewarden.store.case_keys import CaseKeys
from platewarden.store.database import DatabaseError, open_database
from platewarden.store.hotlists import HotlistStore
from platewarden.store.keyring import KeyRing
from platewarden.store.master_key import MasterKeyError, load_or_create_master_key
from platewarden.store.permissions import PermissionsError, secure_data_dir, secure_sqlite_file
from platewarden.store.reads import ReadStore


@dataclass(frozen=True)
class TimePassed:
    receipts: list[Receipt]
    expired_zones: list[str]
    deleted_shares: int


# Why ``Platform.open`` can refuse to start (a bad policy, an unreachable or unupgraded database, a master key that
# does not load, a data directory open to others): adapters catch these and say so, without importing the stores.
OPEN_ERRORS: tuple[type[Exception], ...] = (PolicyError, DatabaseError, MasterKeyError, PermissionsError)


@dataclass
class Platform:
    settings: Settings
    policy: Policy
    clock: Clock
    engine: Engine
    keyring: KeyRing
    case_keys: CaseKeys
    ledger: Ledger
    last_word: LastWord  # the signed ledger's last word on each governed object, checked at every use
    reads: ReadStore
    cameras: CameraRegistry
    hotlist: HotlistService
    alert_store: AlertStore
    alerts: AlertService
    webhooks: WebhookRegistry
    outlets: NotificationOutlets
    policy_changes: PolicyChanges
    accounts: Accounts
    sso: SingleSignOn
    searches: SearchGovernance
    retention: Retention
    redress: Redress
    deployments: DeploymentReview
    zones: ZoneWatch
    sharing: Sharing
    alert_review: AlertReview
    evidence: EvidenceExport
    notifier: DeliveringNotifier | None = field(default=None)

    @classmethod
    def open(cls, settings: Settings, clock: Clock | None = None, notify: bool = True) -> Platform:
        clock = clock or SystemClock()
        policy = load_policy(settings.policy_file)
        secure_data_dir(settings.data_dir)
        secure_sqlite_file(settings.effective_database_url)
        engine = open_database(settings.effective_database_url, settings.db_pool_size, settings.db_max_overflow)
        master = load_or_create_master_key(settings.data_dir / "master.key")
        keyring = KeyRing(engine, master)
        ledger = Ledger(engine, load_or_create_signer(settings.data_dir, policy.agency), clock,
                        HighWaterMark(settings.data_dir / "ledger-high-water.json"))
        last_word = LastWord(ledger)
        webhooks = WebhookRegistry(engine, keyring.record_seal(),
                                   bears_out=lambda row: last_word.bears_out("webhooks", row))
        notifier = DeliveringNotifier(webhooks, policy.notifications) if notify else None
        hotlist = HotlistService(HotlistStore(engine, keyring), clock, ledger, keyring.derived("ledger-plate-ref"),
                                 policy.approvals.hotlist_entry, policy.recognition.min_plate_length,
                                 policy.alerts.hotlist_max_days,
                                 bears_out=lambda e: last_word.bears_out("hotlist_entries",
                                                                         {"id": e.id, "status": e.status.value}))
        alert_store = AlertStore(engine, keyring)
        case_keys = CaseKeys(engine, master)
        reads = ReadStore(engine, keyring, clock, case_keys)
        accounts = Accounts(engine, clock, ledger, policy.accounts, keyring.derived("accounts"), keyring.record_seal(),
                            policy.agency, last_word)
        searches = SearchGovernance(engine, keyring, reads, accounts, ledger, policy, clock)
        alerts = AlertService(hotlist, alert_store, policy.alerts, clock, ledger, notifier)
        return cls(settings=settings, policy=policy, clock=clock, engine=engine, keyring=keyring,
                   case_keys=case_keys, ledger=ledger, last_word=last_word,
                   reads=reads, cameras=CameraRegistry(engine), accounts=accounts,
                   sso=SingleSignOn(engine, clock, accounts, policy.accounts, keyring.record_seal(), policy.agency),
                   searches=searches, sharing=Sharing(engine, searches, ledger, policy, clock, keyring, last_word),
                   retention=Retention(engine, keyring, case_keys, ledger, policy, clock, reads.partitions,
                                       holds_borne_out=lambda row: last_word.bears_out("holds", row)),
                   deployments=DeploymentReview(engine, ledger, policy, clock, keyring.record_seal(), last_word),
                   zones=ZoneWatch(engine, keyring, ledger, policy, clock, last_word),
                   redress=Redress(engine, keyring, alert_store, hotlist, ledger, policy, clock),
                   hotlist=hotlist, alert_store=alert_store, alerts=alerts,
                   alert_review=AlertReview(alert_store, alerts, hotlist, ledger, clock, reads),
                   evidence=EvidenceExport(engine, keyring, case_keys, ledger, clock,
                                           holds_borne_out=lambda row: last_word.bears_out("holds", row)),
                   webhooks=webhooks, notifier=notifier,
                   outlets=NotificationOutlets(engine, ledger, policy, clock, keyring.record_seal()),
                   policy_changes=PolicyChanges(ledger, policy, clock))

    def read_writer(self, spool_name: str) -> BufferedReadWriter:
        """A durable writer whose batches are ledgered in the same transaction as the reads, and which refuses
        (counts and ledgers) reads from cameras that are not approved."""
        return BufferedReadWriter(self.reads, self.settings.data_dir / "spool" / f"{spool_name}.jsonl",
                                  on_insert=ReadBatchRecorder(self.ledger, self.clock),
                                  admit=lambda cams: filter_admitted(self.deployments, cams, f"writer:{spool_name}"))

    def central_public_identity(self) -> CentralPublic:
        """The keys every edge is given: the one reads are sealed to and the one receipts are verified with (public
        keys only; the private halves are derived from the master key and never leave this process)."""
        return central_identity(self.keyring).public()

    def pass_time(self) -> TimePassed:
        """Everything that ends when its time is up, in one pass (``retention run`` and the scheduler): days past
        the retention limit destroyed, zones past their expiry ended, received shares past their delete-by date
        deleted. Each step ledgers what it does."""
        return TimePassed(self.retention.run(), self.zones.expire(), self.sharing.purge_received())

    def close(self) -> None:
        if self.notifier is not None:
            self.notifier.flush()
            self.notifier.close()
        self.engine.dispose()
