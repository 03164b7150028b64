"""Notification outlets (alert webhooks) as governed acts: whoever adds one is a person under the policy's chain
(``approvals.notification_outlet``, default an administrator proposes and a department head approves), the address
is https or mqtts only, and every proposal, decision and removal is ledgered.

Why: an outlet receives every alert from the moment it is enabled. Added silently it is an unrecorded copy of the
agency's hits leaving the building. What an outlet receives is deliberately little (``alerts/notify.py``
``alert_message``): that an alert exists, where and when — the plate, the hotlist record and the crop stay behind
the console, where every look is authorised and ledgered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import Engine, insert, select, update

from platewarden.domain.approvals import ApprovalRefused, Step, check_applicant, check_approver, next_level
from platewarden.domain.clock import Clock
from platewarden.domain.errors import Invalid, NotFound
from platewarden.domain.users import User
from platewarden.ledger.entries import Event, EventKind, digest, with_reason
from platewarden.ledger.log import Ledger
from platewarden.policy.model import Policy, Role
from platewarden.store.approval_steps import load_steps, record_step
from platewarden.store.resealing import reseal
from platewarden.store.schema import webhooks
from platewarden.store.seals import RecordSeal, row_holds

MAX_URL = 500


class OutletRefused(Invalid):
    pass


@dataclass(frozen=True)
class Outlet:
    id: int
    url: str
    purpose: str
    status: str  # pending / active / rejected / removed
    enabled: bool  # delivery works (False after repeated failures)
    consecutive_failures: int
    disabled_reason: str | None
    proposed_by: str
    proposed_at: datetime
    approved_by: str | None


def checked_url(url: str) -> str:
    """An outlet URL: ``https://HOST/...`` (a webhook) or ``mqtts://[USER@]HOST[:PORT]/TOPIC`` (a broker topic), with
    no password in it (it would be stored and ledgered in clear; it comes from the environment) and no control
    characters; a clear refusal otherwise. Alerts never travel in clear text, so neither ``http`` nor ``mqtt``."""
    url = url.strip()
    if len(url) > MAX_URL or any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise OutletRefused(f"an outlet URL has at most {MAX_URL} characters and no spaces or control characters")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "mqtts") or not parts.hostname:
        raise OutletRefused("alert outlets are https:// (a webhook) or mqtts:// (a broker topic) only: alerts never "
                            "travel in clear text")
    if parts.password or (parts.scheme == "https" and parts.username):
        raise OutletRefused("put no credentials in the URL: they would be stored and shown in clear (an MQTT "
                            "outlet's password comes from PLATEWARDEN_OUTLET_MQTT_PASSWORD)")
    try:
        parts.port  # noqa: B018  (a port that is not a number is refused here, not at the first alert)
    except ValueError as exc:
        raise OutletRefused(f"bad port in {url!r}") from exc
    if parts.scheme == "mqtts":
        topic = parts.path.lstrip("/")
        if not topic or "+" in topic or "#" in url or topic.endswith("/") or parts.query:
            raise OutletRefused("an MQTT outlet names one topic without wildcards: mqtts://[USER@]HOST[:PORT]/TOPIC")
    return url


def _step_key(outlet_id: int) -> str:
    return f"webhook-{outlet_id}"


class NotificationOutlets:
    def __init__(self, engine: Engine, ledger: Ledger, policy: Policy, clock: Clock, seal: RecordSeal) -> None:
        self._engine = engine
        self._ledger = ledger
        self._clock = clock
        self._seal = seal
        self.chain = list(policy.approvals.notification_outlet)

    def propose(self, actor: User, url: str, purpose: str) -> Outlet:
        now = self._clock.now()
        try:
            check_applicant(self.chain, actor)
            url = checked_url(url)
            if len(purpose.strip()) < 10 or any(ord(c) < 32 for c in purpose):
                raise OutletRefused("say what the outlet is for and who receives it (at least 10 characters)")
            with self._engine.connect() as conn:
                earlier = conn.execute(select(webhooks.c.id, webhooks.c.status).where(webhooks.c.url == url)).first()
            if earlier is not None:
                raise OutletRefused(f"that URL is outlet {earlier.id} already ({earlier.status}); a removed or "
                                    "rejected outlet keeps its record: use another URL (a path or query of its own)")
        except (ApprovalRefused, OutletRefused) as exc:
            self._refused(actor, None, str(exc))
            raise
        with self._engine.begin() as conn:
            conn.execute(insert(webhooks).values(
                url=url, enabled=False, consecutive_failures=0, purpose=purpose.strip(), proposed_by=actor.id,
                proposed_at=now, status="pending"))
            oid = int(conn.execute(select(webhooks.c.id).where(webhooks.c.url == url)).scalar_one())
            reseal(conn, self._seal, webhooks, webhooks.c.id == oid)
            self._record(actor, {"action": "propose", "outlet": oid, "host": urlsplit(url).hostname,
                                 "url_digest": digest(url), "purpose_digest": digest(purpose)}, conn)
        return self.get(oid)

    def decide(self, approver: User, outlet_id: int, approve: bool, reason: str) -> Outlet:
        now = self._clock.now()
        outlet = self.get(outlet_id)
        with self._engine.connect() as conn:
            steps = load_steps(conn, [_step_key(outlet_id)], self._seal)[_step_key(outlet_id)]
        try:
            if outlet.status != "pending":
                raise ApprovalRefused(f"outlet {outlet_id} is {outlet.status}, not pending")
            level, role = check_approver(self.chain, steps, outlet.proposed_by, approver)
            if len(reason.strip()) < 5:
                raise ApprovalRefused("give the reason for the decision")
        except ApprovalRefused as exc:
            self._refused(approver, outlet_id, str(exc))
            raise
        step = Step(level, role, approver.id, "approved" if approve else "rejected", reason.strip(), now)
        final = approve and next_level(self.chain, [*steps, step]) is None
        with self._engine.begin() as conn:
            record_step(conn, _step_key(outlet_id), step, self._seal)
            if final or not approve:
                done = conn.execute(update(webhooks).where(webhooks.c.id == outlet_id, webhooks.c.status == "pending")
                                    .values(status="active" if approve else "rejected", enabled=approve,
                                            approved_by=approver.id if approve else None)).rowcount
                if done != 1:
                    raise ApprovalRefused("another decision came first")
                reseal(conn, self._seal, webhooks, webhooks.c.id == outlet_id)
            self._record(approver, {"action": step.decision, "outlet": outlet_id, "level": level,
                                    "role": role.value, "active": final, "reason_digest": digest(reason)}, conn)
        return self.get(outlet_id)

    def remove(self, actor: User, outlet_id: int, reason: str) -> None:
        """Anyone of the chain ends an outlet at once (taking an outlet away needs no second person)."""
        if not actor.roles & set(self.chain):
            self._refused(actor, outlet_id, "not of the outlet's chain")
            raise ApprovalRefused("an outlet is removed by someone of its approval chain")
        with self._engine.begin() as conn:
            n = conn.execute(update(webhooks).where(webhooks.c.id == outlet_id,
                                                    webhooks.c.status.in_(["pending", "active"]))
                             .values(status="removed", enabled=False)).rowcount
            if not n:
                raise OutletRefused(f"no pending or active outlet {outlet_id}")
            reseal(conn, self._seal, webhooks, webhooks.c.id == outlet_id)
            self._record(actor, {"action": "remove", "outlet": outlet_id, "reason_digest": digest(reason)}, conn)

    def get(self, outlet_id: int) -> Outlet:
        found = [o for o in self.all() if o.id == outlet_id]
        if not found:
            raise NotFound(f"no outlet {outlet_id}")
        return found[0]

    def visible_to(self, actor: User) -> list[Outlet]:
        """The outlets, for those of their approval chain and those who oversee it (auditors, the ethics board):
        where the agency's alerts go is governance, not a secret from its overseers, but not every officer's
        business either."""
        if not actor.roles & {*self.chain, Role.AUDITOR, Role.ETHICS_BOARD}:
            raise ApprovalRefused("the outlets are listed for their approval chain, auditors and the ethics board")
        return self.all()

    def all(self) -> list[Outlet]:
        """Every outlet whose row carries its seal (one a database writer added is no outlet)."""
        with self._engine.connect() as conn:
            rows = [r for r in conn.execute(select(webhooks).order_by(webhooks.c.id))
                    if row_holds(self._seal, "webhooks", r)]
        return [Outlet(r.id, r.url, r.purpose, r.status, r.enabled, r.consecutive_failures, r.disabled_reason,
                       r.proposed_by, r.proposed_at, r.approved_by) for r in rows]

    def _record(self, actor: User, body: dict[str, object], conn: object) -> None:
        self._ledger.append([Event(EventKind.NOTIFICATION_OUTLET, self._clock.now(), actor.label, body)],
                            conn=conn)  # type: ignore[arg-type]

    def _refused(self, actor: User, outlet_id: int | None, why: str) -> None:
        self._ledger.append([Event(EventKind.NOTIFICATION_OUTLET, self._clock.now(), actor.label,
                                   with_reason({"action": "refused", "outlet": outlet_id}, why))])
