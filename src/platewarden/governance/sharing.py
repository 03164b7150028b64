"""Cross-border sharing: agreements (proposed by a department head, approved per the policy's chain), shared
queries approved like any search, and signed share packages that both sides ledger.

Sending: ``send`` runs the approved shared query, ledgers a SHARING "sent" entry (counts and digests only), and
returns a package signed with our log key that carries the reads, the agreement's terms (purpose, delete-by date),
and an inclusion proof of that ledger entry under a signed checkpoint — so the partner holds proof that we ledgered
the disclosure. Each read travels with a random salt; the "sent" entry commits to the reads' contents (a digest
of their salted commitments), so the partner checks every shared plate, time and position against what we
ledgered, not only the read ids: a package changed and signed again fails against the ledger proof.

Receiving: ``receive`` checks the package against the sender's key named in our own agreement with it, the proof
and the commitments, refuses a package already received, stores the reads sealed until the delete-by date the
agreement allows and ledgers a SHARING "received" entry; ``purge_received`` (run with retention) deletes them on
that date and ledgers it. Every refusal is ledgered. Jurisdictions are ISO 3166 codes, normalised before the
policy's forbidden list is checked, at every step, so a later policy change stops sharing at once.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from platewarden.domain.approvals import ApprovalRefused, Step, check_applicant, check_approver, next_level
from platewarden.domain.clock import Clock
from platewarden.domain.errors import NotFound
from platewarden.domain.sharing import (
    AgreementStatus,
    SharingAgreement,
    SharingRefused,
    check_agreement,
    check_jurisdiction,
    check_shared_query,
    normalize_jurisdiction,
)
from platewarden.domain.users import User
from platewarden.governance.scope import Query, Scope
from platewarden.governance.search import SearchGovernance, SearchRequest
from platewarden.ledger.entries import Event, EventKind, digest, with_reason
from platewarden.ledger.log import Ledger
from platewarden.ledger.merkle import ProofError, leaf_hash, root_from_inclusion
from platewarden.ledger.notes import NoteError, SignedNote, Verifier, verify_log_signature
from platewarden.policy.jurisdiction_codes import UnknownJurisdiction, iso_jurisdiction
from platewarden.policy.model import Policy, Role
from platewarden.store.approval_steps import load_steps, record_step
from platewarden.store.cipher import seal
from platewarden.store.keyring import KeyRing
from platewarden.store.resealing import reseal
from platewarden.store.schema import received_shares, sharing_agreements
from platewarden.store.seals import row_holds

if TYPE_CHECKING:
    from platewarden.governance.last_word import LastWord

FORMAT = "platewarden-share/2"  # /2: reads carry a salt and a commitment the sender's ledger entry covers


def overdue_received(conn: Connection, now: datetime) -> list[str]:
    """Received shares still holding reads past their delete-by date, one line each."""
    return [f"received share {r.id} (case {r.case_number}): delete by {r.delete_by:%Y-%m-%d %H:%M}, still stored"
            for r in conn.execute(select(received_shares).where(received_shares.c.delete_by <= now,
                                                               received_shares.c.payload.is_not(None)))]


def read_commitment(content: dict[str, Any], salt: str) -> str:
    """SHA-256 over the salt and the read's canonical content: hides the read in the ledger, binds it in the
    package."""
    return hashlib.sha256(bytes.fromhex(salt) + _canonical(content)).hexdigest()


def contents_digest(commitments: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(commitments)).encode()).hexdigest()


def _iso(jurisdiction: str) -> str:
    try:
        return iso_jurisdiction(jurisdiction)
    except UnknownJurisdiction as exc:
        raise SharingRefused(str(exc)) from exc


@dataclass(frozen=True)
class ReceivedShare:
    agreement_id: str
    sender: str
    case: str
    offence: str
    delete_by: datetime
    reads: list[dict[str, Any]]


def _canonical(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class _Lost(Exception):
    """Another decision or an ending changed the agreement's state first."""


class Sharing:
    def __init__(self, engine: Engine, searches: SearchGovernance, ledger: Ledger, policy: Policy,
                 clock: Clock, keyring: KeyRing, last_word: LastWord | None = None) -> None:
        """``last_word``: an agreement is used (a query applied for, a package sent or received) only where the
        signed ledger's last word on it is its row's status: an old copy of an ended agreement put back shares
        nothing."""
        self._engine = engine
        self._last_word = last_word
        self._received_key = keyring.derived("received-shares")
        self._seal = keyring.record_seal()
        self._searches = searches
        self._ledger = ledger
        self._policy = policy
        self._clock = clock

    @property
    def chain(self) -> list[Role]:
        return self._policy.approvals.sharing_agreement

    # --- agreements ---

    def propose(self, head: User, partner: str, jurisdiction: str, purposes: list[str], retention_days: int,
                valid_until: datetime, partner_key: str) -> SharingAgreement:
        now = self._clock.now()
        sp = self._policy.sharing
        try:
            check_applicant(self.chain, head)
            jurisdiction = _iso(jurisdiction)
            check_agreement(partner, jurisdiction, purposes, retention_days, valid_until, now,
                            self._policy.search.offences, sp.forbidden_jurisdictions, sp.max_partner_retention_days,
                            sp.max_agreement_days)
            key = Verifier.decode(partner_key)
        except NoteError as exc:
            self._refused(head, None, f"partner key: {exc}")
            raise SharingRefused(f"partner key: {exc}") from exc
        except (ApprovalRefused, SharingRefused) as exc:
            self._refused(head, None, str(exc))
            raise
        aid = str(uuid.uuid4())
        with self._engine.begin() as conn:
            conn.execute(insert(sharing_agreements).values(
                id=aid, partner=partner.strip(), jurisdiction=normalize_jurisdiction(jurisdiction),
                purposes=json.dumps(sorted(set(purposes))), retention_days=retention_days, valid_until=valid_until,
                partner_key=key.encode(), requested_by=head.id, requested_at=now,
                status=AgreementStatus.PENDING.value))
            reseal(conn, self._seal, sharing_agreements, sharing_agreements.c.id == aid)
            self._ledger.append([Event(EventKind.SHARING, now, head.label, {
                "action": "propose", "agreement_id": aid, "partner": partner.strip(),
                "jurisdiction": normalize_jurisdiction(jurisdiction), "purposes": sorted(set(purposes)),
                "retention_days": retention_days, "valid_until": valid_until.isoformat(),
                "partner_key_digest": digest(key.encode())})], conn=conn)
        return self.get(aid)

    def decide(self, agreement_id: str, approver: User, approve: bool, reason: str) -> SharingAgreement:
        now = self._clock.now()
        ag = self.get(agreement_id)
        try:
            if ag.status is not AgreementStatus.PENDING:
                raise ApprovalRefused(f"agreement is {ag.status.value}, not pending")
            level, role = check_approver(self.chain, list(ag.steps), ag.requested_by, approver)
            if approve:
                check_jurisdiction(ag.jurisdiction, self._policy.sharing.forbidden_jurisdictions)
        except (ApprovalRefused, SharingRefused) as exc:
            self._refused(approver, agreement_id, str(exc))
            raise
        step = Step(level, role, approver.id, "approved" if approve else "rejected", reason.strip(), now)
        decision = step.decision
        complete = approve and next_level(self.chain, [*ag.steps, step]) is None
        values: dict[str, object] = {"status": AgreementStatus.PENDING.value}
        if not approve or complete:
            status = AgreementStatus.ACTIVE if approve else AgreementStatus.REJECTED
            values = {"status": status.value, "status_reason": reason.strip()}
        try:
            with self._engine.begin() as conn:
                record_step(conn, agreement_id, step, self._seal)  # one step per level: a concurrent one fails here
                # only from pending: an ending or another decision that came first is never overwritten
                if conn.execute(update(sharing_agreements).where(
                        sharing_agreements.c.id == agreement_id,
                        sharing_agreements.c.status == AgreementStatus.PENDING.value).values(**values)).rowcount != 1:
                    raise _Lost
                reseal(conn, self._seal, sharing_agreements, sharing_agreements.c.id == agreement_id)
                self._ledger.append([Event(EventKind.SHARING, now, approver.label, {
                    "action": decision, "agreement_id": agreement_id, "level": level, "role": role.value,
                    "active": complete, "reason_digest": digest(reason)})], conn=conn)
        except (IntegrityError, _Lost):
            why = "another decision on this agreement, or its ending, came first"
            self._refused(approver, agreement_id, why)
            raise ApprovalRefused(why) from None
        return self.get(agreement_id)

    def end(self, agreement_id: str, user: User, reason: str) -> None:
        if not user.roles & set(self.chain):
            raise ApprovalRefused("an agreement is ended by someone of its approval chain")
        now = self._clock.now()
        with self._engine.begin() as conn:
            n = conn.execute(update(sharing_agreements).where(
                sharing_agreements.c.id == agreement_id, sharing_agreements.c.status.in_(["pending", "active"]))
                .values(status=AgreementStatus.ENDED.value, status_reason=reason.strip())).rowcount
            if not n:
                raise SharingRefused("no pending or active agreement with that id")
            reseal(conn, self._seal, sharing_agreements, sharing_agreements.c.id == agreement_id)
            self._ledger.append([Event(EventKind.SHARING, now, user.label, {
                "action": "end", "agreement_id": agreement_id, "reason_digest": digest(reason)})], conn=conn)

    def get(self, agreement_id: str) -> SharingAgreement:
        found = [a for a in self.all() if a.id == agreement_id]
        if not found:
            raise NotFound(f"no sharing agreement {agreement_id}")
        return found[0]

    def all(self) -> list[SharingAgreement]:
        with self._engine.connect() as conn:
            rows = [r for r in conn.execute(select(sharing_agreements).order_by(sharing_agreements.c.requested_at))
                    if row_holds(self._seal, "sharing_agreements", r)]  # one a database writer made is none
            ids = [r.id for r in rows]
            steps = load_steps(conn, ids, self._seal)
        return [SharingAgreement(r.id, r.partner, r.jurisdiction, tuple(json.loads(r.purposes)), r.retention_days,
                                 r.valid_until, r.partner_key, r.requested_by, r.requested_at,
                                 AgreementStatus(r.status), r.status_reason, tuple(steps[r.id])) for r in rows]

    # --- shared queries ---

    def apply(self, officer: User, agreement_id: str, case_number: str, offence: str, scope: Scope
              ) -> SearchRequest:
        """A partner's question, applied for by one of our officers and approved like any search."""
        try:
            check_shared_query(self._borne_out(self.get(agreement_id)), offence, self._clock.now(),
                               self._policy.sharing.forbidden_jurisdictions)
        except (SharingRefused, KeyError) as exc:
            self._refused(officer, agreement_id, str(exc).strip("'\""))
            raise SharingRefused(str(exc).strip("'\"")) from exc
        return self._searches.apply(officer, case_number, offence, scope, agreement_id=agreement_id)

    def send(self, officer: User, request_id: str, query: Query) -> bytes:
        """Run the approved shared query and return the signed package for the partner; ledgered here."""
        now = self._clock.now()
        req = self._searches.get(request_id)
        if req.agreement_id is None:
            raise SharingRefused("this search was not applied for as a shared query")
        ag = self.get(req.agreement_id)
        try:
            check_shared_query(self._borne_out(ag), req.offence, now, self._policy.sharing.forbidden_jurisdictions)
        except SharingRefused as exc:
            self._refused(officer, ag.id, str(exc))
            raise
        result = self._searches.search(officer, request_id, query)
        reads: list[dict[str, Any]] = []
        commitments: list[str] = []
        for r in result.reads:
            content = {"id": r.id, "text": r.text, "region": r.region.value, "confidence": round(r.confidence, 4),
                       "camera_id": r.camera_id, "latitude": r.latitude, "longitude": r.longitude,
                       "first_seen": r.first_seen.isoformat(), "last_seen": r.last_seen.isoformat(),
                       "plate_crop_jpeg": base64.b64encode(r.plate_crop_jpeg).decode()}
            salt = os.urandom(16).hex()
            commitments.append(read_commitment(content, salt))
            reads.append({**content, "salt": salt, "commitment": commitments[-1]})
        delete_by = now + timedelta(days=ag.retention_days)
        seq = self._ledger.append([Event(EventKind.SHARING, now, officer.label, {
            "action": "sent", "agreement_id": ag.id, "request_id": request_id, "case": req.case_number,
            "partner": ag.partner, "jurisdiction": ag.jurisdiction, "results": len(reads),
            "results_digest": result.digest, "contents_digest": contents_digest(commitments),
            "delete_by": delete_by.isoformat()})])[0]
        self._ledger.checkpoint()
        proof = self._ledger.prove(seq)
        doc = {"format": FORMAT, "sender": self._ledger.origin, "sender_key": self._ledger.public_key.encode(),
               "partner": ag.partner, "jurisdiction": ag.jurisdiction, "case": req.case_number,
               "offence": req.offence, "purpose": req.scope.purpose, "delete_by": delete_by.isoformat(),
               "reads": reads, "ledger": {"seq": seq, "entry": self._ledger.entries(seq, seq + 1)[0].decode(),
                                          "tree_size": proof.size, "proof": [h.hex() for h in proof.proof],
                                          "checkpoint": proof.checkpoint}}
        signature = base64.b64encode(self._ledger.sign(_canonical(doc))).decode()
        return _canonical({"package": doc, "signature": signature})

    def receive(self, user: User, package: bytes) -> ReceivedShare:
        """Check a partner's package (signature with the key our agreement names, the proof that the sender
        ledgered it) and ledger its receipt here."""
        now = self._clock.now()
        if not user.roles & {Role.OFFICER, Role.DEPARTMENT_HEAD, Role.PROSECUTOR}:
            why = "shared reads are received by an officer, department head or prosecutor"
            self._refused(user, None, why)
            raise ApprovalRefused(why)
        package_digest = hashlib.sha256(package).hexdigest()
        try:
            outer = json.loads(package)
            doc, sig = outer["package"], base64.b64decode(outer["signature"], validate=True)
            if doc.get("format") != FORMAT:
                raise SharingRefused(f"not a {FORMAT} package")
            agreement = self._agreement_for_key(doc["sender_key"], now)
            key = Verifier.decode(agreement.partner_key)
            if not key.verify(_canonical(doc), sig):
                raise SharingRefused("the package's signature does not verify with the partner's key")
            check_shared_query(agreement, doc["offence"], now, self._policy.sharing.forbidden_jurisdictions)
            self._check_ledger_proof(doc["ledger"], key)
            sent = json.loads(doc["ledger"]["entry"])["body"]
            ids = sorted(r["id"] for r in doc["reads"])
            sent_delete_by = datetime.fromisoformat(doc["delete_by"])
            if sent_delete_by.tzinfo is None:
                raise ValueError("delete_by has no time zone")
            if sent.get("action") != "sent" or sent.get("results") != len(ids) or \
                    sent.get("results_digest") != hashlib.sha256("\n".join(ids).encode()).hexdigest():
                raise SharingRefused("the reads are not the ones the sender ledgered")
            commitments = []
            for r in doc["reads"]:
                content = {k: v for k, v in r.items() if k not in ("salt", "commitment")}
                if read_commitment(content, str(r["salt"])) != r["commitment"]:
                    raise SharingRefused(f"read {r['id']}: its content does not match its commitment")
                commitments.append(r["commitment"])
            if sent.get("contents_digest") != contents_digest(commitments):
                raise SharingRefused("the reads' contents are not the ones the sender ledgered")
            if self._already_received(package_digest, agreement.id, int(doc["ledger"]["seq"])):
                raise SharingRefused("this package (or another one for the same disclosure) was received already")
        except (ValueError, KeyError, TypeError, NoteError, ProofError) as exc:
            self._refused(user, None, f"malformed share package: {exc}")
            raise SharingRefused(f"malformed share package: {exc}") from exc
        except SharingRefused as exc:
            self._refused(user, None, str(exc))
            raise
        delete_by = min(sent_delete_by, now + timedelta(days=agreement.retention_days))
        rid = str(uuid.uuid4())
        payload = seal(self._received_key, _canonical({"reads": doc["reads"]}), f"received-share|{rid}".encode())
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(received_shares).values(
                    id=rid, agreement_id=agreement.id, sender_entry=int(doc["ledger"]["seq"]),
                    package_digest=package_digest, case_number=str(doc["case"])[:200], received_by=user.id,
                    received_at=now, delete_by=delete_by, reads_count=len(ids), payload=payload))
                self._ledger.append([Event(EventKind.SHARING, now, user.label, {
                    "action": "received", "agreement_id": agreement.id, "partner": agreement.partner,
                    "receipt_id": rid, "case": doc["case"], "results": len(ids), "package_digest": digest(package),
                    "sender_entry": doc["ledger"]["seq"], "delete_by": delete_by.isoformat()})], conn=conn)
        except IntegrityError as exc:  # the same package received at the same moment by another process
            self._refused(user, agreement.id, "this package was received already")
            raise SharingRefused("this package was received already") from exc
        return ReceivedShare(agreement.id, doc["sender"], doc["case"], doc["offence"], delete_by, doc["reads"])

    def _already_received(self, package_digest: str, agreement_id: str, sender_entry: int) -> bool:
        with self._engine.connect() as conn:
            return conn.execute(select(received_shares.c.id).where(
                (received_shares.c.package_digest == package_digest)
                | ((received_shares.c.agreement_id == agreement_id)
                   & (received_shares.c.sender_entry == sender_entry)))).first() is not None

    def purge_received(self) -> int:
        """Delete every received package past its delete-by date (the agreement's term), each ledgered; returns how
        many. Run with retention, by the scheduler and ``retention run``."""
        now = self._clock.now()
        with self._engine.begin() as conn:
            due = list(conn.execute(select(received_shares.c.id, received_shares.c.agreement_id,
                                           received_shares.c.reads_count, received_shares.c.delete_by).where(
                received_shares.c.delete_by <= now, received_shares.c.payload.is_not(None))))
            for r in due:
                conn.execute(update(received_shares).where(received_shares.c.id == r.id).values(
                    payload=None, deleted_at=now))
            if due:
                self._ledger.append([Event(EventKind.SHARING, now, "system", {
                    "action": "received_deleted", "receipt_id": r.id, "agreement_id": r.agreement_id,
                    "results": r.reads_count, "delete_by": r.delete_by.isoformat()}) for r in due], conn=conn)
        return len(due)

    def overdue_received(self) -> list[str]:
        """Receipts still holding reads past their delete-by date (``retention verify`` reports them)."""
        with self._engine.connect() as conn:
            return overdue_received(conn, self._clock.now())

    def _agreement_for_key(self, sender_key: str, now: datetime) -> SharingAgreement:
        for ag in self.all():
            if ag.partner_key == sender_key and ag.active_at(now):
                return self._borne_out(ag)
        raise SharingRefused("no active agreement with the agency that signed this package")

    @staticmethod
    def _check_ledger_proof(ledger: dict[str, Any], key: Verifier) -> None:
        cp = verify_log_signature(SignedNote.parse(ledger["checkpoint"]), key)
        if ledger["tree_size"] != cp.size:
            raise ProofError("the proof is not for the package's checkpoint")
        root = root_from_inclusion(ledger["seq"], cp.size, leaf_hash(ledger["entry"].encode()),
                                   [bytes.fromhex(h) for h in ledger["proof"]])
        if root != cp.root:
            raise ProofError("the sender's ledger entry is not in its signed checkpoint")

    def _borne_out(self, ag: SharingAgreement) -> SharingAgreement:
        """The agreement, if the signed ledger's last word on it is its status; SharingRefused otherwise."""
        if self._last_word is not None and not self._last_word.bears_out(
                "sharing_agreements", {"id": ag.id, "status": ag.status.value}):
            raise SharingRefused(f"agreement {ag.id} is not {ag.status.value} by the signed ledger's record "
                                 "(platewarden audit reconcile)")
        return ag

    def _refused(self, user: User, agreement_id: str | None, why: str) -> None:
        """Every refusal is ledgered, whoever asked."""
        self._ledger.append([Event(EventKind.SHARING, self._clock.now(), user.label, with_reason(
            {"action": "refused", "agreement_id": agreement_id or ""}, why))])
