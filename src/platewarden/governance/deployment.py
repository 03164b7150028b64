"""The deployment review: road segments, camera proposals, public comments, the ethics board's decision under the
density rule, decommissioning, and the gate that refuses reads from any camera that is not approved.

Everything here is public (where cameras stand, why, and who decided) and every act is ledgered.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from platewarden.domain.approvals import ApprovalRefused, Step, check_applicant, check_approver, next_level
from platewarden.domain.cameras import Camera, jurisdictions_from_text
from platewarden.domain.clock import Clock
from platewarden.domain.deployment import (
    CameraProposal,
    Comment,
    Density,
    DeploymentRefused,
    ProposalStatus,
    RoadSegment,
    check_comment,
    check_decision,
    check_density,
    check_proposal_text,
)
from platewarden.domain.errors import NotFound, Refused
from platewarden.domain.users import User
from platewarden.edge.identity import fingerprint
from platewarden.governance.camera_keys import CameraKeys, checked_key
from platewarden.ledger.entries import Event, EventKind, digest, with_reason
from platewarden.ledger.log import Ledger
from platewarden.policy.model import Policy, Role
from platewarden.recognition.jurisdictions import UnknownJurisdictionError, parse_hint
from platewarden.store.approval_steps import load_steps, record_step
from platewarden.store.dialect import conflict_insert
from platewarden.store.edge_status import EdgeReport, keep_report, latest_reports
from platewarden.store.resealing import reseal
from platewarden.store.schema import (
    camera_comments,
    camera_keys,
    camera_proposals,
    cameras,
    read_refusals,
    road_segments,
)
from platewarden.store.seals import RecordSeal, row_holds

if TYPE_CHECKING:
    from platewarden.governance.last_word import LastWord


def check_jurisdictions(camera: Camera) -> None:
    """A camera's reader hint names jurisdictions the plate formats know (the refusal lists the valid codes)."""
    if not camera.jurisdictions:
        return
    try:
        parse_hint(list(camera.jurisdictions))
    except UnknownJurisdictionError as exc:
        raise DeploymentRefused(f"camera {camera.id}: {exc}") from exc


class _Lost(Exception):
    """Another decision changed the proposal's state first."""


class UnapprovedCamera(Refused):
    """Reads offered by a camera that is not (or no longer) approved; the attempt is counted and ledgered."""


@dataclass(frozen=True)
class RegisteredCamera:
    """A row of the public registry: an approved (or decommissioned) camera and how it came to be approved."""

    camera: Camera
    status: str
    approved_via: str
    since: datetime


class DeploymentReview:
    APPROVED_CACHE_SECONDS = 5.0

    def __init__(self, engine: Engine, ledger: Ledger, policy: Policy, clock: Clock, seal: RecordSeal,
                 last_word: LastWord | None = None) -> None:
        """``last_word``: a camera or key row is used only where the signed ledger's last word on it is what the
        row says (an old copy of a decommissioned camera or a revoked key put back admits nothing)."""
        self._seal = seal
        self._last_word = last_word
        self._engine = engine
        self._ledger = ledger
        self._policy = policy
        self._clock = clock
        self._lock = threading.Lock()
        self._approved: frozenset[str] = frozenset()
        self._approved_at = -1e9
        self.keys = CameraKeys(engine, ledger, clock, seal, last_word)

    @property
    def chain(self) -> list[Role]:
        return self._policy.approvals.camera_deployment

    # --- road segments ---

    def add_segment(self, segment: RoadSegment, actor: User) -> None:
        if not actor.roles & {Role.ADMINISTRATOR, Role.DEPARTMENT_HEAD}:
            raise ApprovalRefused("road segments are recorded by an administrator or a department head")
        now = self._clock.now()
        values = {"name": segment.name, "length_km": segment.length_km, "area": segment.area}
        with self._engine.begin() as conn:
            conn.execute(conflict_insert(self._engine, road_segments).values(id=segment.id, created_at=now, **values)
                         .on_conflict_do_update(index_elements=["id"], set_=values))
            self._ledger.append([Event(EventKind.CAMERA_DEPLOYMENT, now, actor.label, {
                "action": "segment", "segment": segment.id, "length_km": segment.length_km, "area": segment.area})],
                conn=conn)

    def segments(self) -> list[RoadSegment]:
        with self._engine.connect() as conn:
            return [RoadSegment(r.id, r.name, r.length_km, r.area)
                    for r in conn.execute(select(road_segments).order_by(road_segments.c.id))]

    def segment(self, segment_id: str, conn: Connection | None = None) -> RoadSegment:
        if conn is None:
            with self._engine.connect() as c:
                return self.segment(segment_id, c)
        r = conn.execute(select(road_segments).where(road_segments.c.id == segment_id)).first()
        if r is None:
            raise DeploymentRefused(f"unknown road segment {segment_id!r}: record it first "
                                    "(platewarden camera segment)")
        return RoadSegment(r.id, r.name, r.length_km, r.area)

    def density(self, segment_id: str, adding: int = 0, conn: Connection | None = None) -> Density:
        """Approved cameras on the segment (plus ``adding``) against the policy limit."""
        if conn is None:
            with self._engine.connect() as c:
                return self.density(segment_id, adding, c)
        seg = self.segment(segment_id, conn)
        n = conn.execute(select(func.count()).select_from(cameras).where(
            cameras.c.road_segment == segment_id, cameras.c.status == "approved")).scalar_one()
        return Density(seg, int(n) + adding, self._policy.deployment.max_cameras_per_km)

    # --- proposals ---

    def propose(self, proposer: User, camera: Camera, purpose: str, justification: str,
                edge_key: str | None = None) -> CameraProposal:
        """``edge_key``: an edge camera's public signing key (``platewarden edge enroll``), registered on approval;
        without one the camera's published reads are refused (a camera that uploads photos needs none)."""
        now = self._clock.now()
        check_applicant(self.chain, proposer)
        check_proposal_text(purpose, justification)
        check_jurisdictions(camera)
        edge_key = checked_key(edge_key)
        if camera.road_segment is None:
            raise DeploymentRefused("a proposed camera names the road segment it watches (for the density rule)")
        pid = str(uuid.uuid4())
        with self._engine.begin() as conn:
            self.segment(camera.road_segment, conn)
            if conn.execute(select(cameras.c.id).where(cameras.c.id == camera.id,
                                                       cameras.c.status == "approved")).first():
                raise DeploymentRefused(f"camera {camera.id} is already approved")
            if conn.execute(select(camera_proposals.c.id).where(camera_proposals.c.camera_id == camera.id,
                                                                camera_proposals.c.status == "open")).first():
                raise DeploymentRefused(f"camera {camera.id} already has an open proposal")
            until = now + timedelta(days=self._policy.deployment.public_comment_days)
            conn.execute(insert(camera_proposals).values(
                id=pid, camera_id=camera.id, name=camera.name, latitude=camera.latitude, longitude=camera.longitude,
                heading_deg=camera.heading_deg, road_segment=camera.road_segment,
                jurisdictions=camera.jurisdiction_text or None, edge_key=edge_key, purpose=purpose.strip(),
                justification=justification.strip(), proposed_by=proposer.id, proposed_at=now, comment_until=until,
                status=ProposalStatus.OPEN.value))
            self._ledger.append([Event(EventKind.CAMERA_DEPLOYMENT, now, proposer.label, {
                "action": "propose", "proposal_id": pid, "camera_id": camera.id, "latitude": camera.latitude,
                "longitude": camera.longitude, "segment": camera.road_segment,
                "jurisdictions": camera.jurisdiction_text or "policy", "purpose_digest": digest(purpose),
                "edge_key": fingerprint(edge_key) if edge_key else None,
                "justification_digest": digest(justification), "comment_until": until.isoformat()})], conn=conn)
        return self.get(pid)

    def comment(self, proposal_id: str, author: str, text: str) -> Comment:
        """A public comment (no account needed); recorded verbatim and ledgered as a digest."""
        now = self._clock.now()
        proposal = self.get(proposal_id)
        check_comment(proposal, now, text)
        author = (author or "").strip()[:120] or "anonymous"
        with self._engine.begin() as conn:
            conn.execute(insert(camera_comments).values(proposal_id=proposal_id, at=now, author=author,
                                                        text=text.strip()))
            self._ledger.append([Event(EventKind.CAMERA_DEPLOYMENT, now, "public", {
                "action": "comment", "proposal_id": proposal_id, "text_digest": digest(text.strip())})], conn=conn)
        return Comment(now, author, text.strip())

    def decide(self, proposal_id: str, approver: User, approve: bool, reason: str,
               density_exception: str | None = None) -> CameraProposal:
        """One level of the chain decides. The last level's approval puts the camera in the registry, provided the
        comment period is over and the density rule holds (or an exception states why not)."""
        now = self._clock.now()
        proposal = self.get(proposal_id)
        steps = list(proposal.steps)
        try:
            level, role = check_approver(self.chain, steps, proposal.proposed_by, approver)
            final = approve and next_level(self.chain, [*steps, Step(level, role, approver.id, "approved", reason,
                                                                    now)]) is None
            with self._engine.connect() as conn:
                density = self.density(proposal.camera.road_segment or "", adding=1, conn=conn)
            check_decision(proposal, now, approve, reason, density, density_exception, final)
        except (ApprovalRefused, DeploymentRefused) as exc:
            self._ledger.append([Event(EventKind.CAMERA_DEPLOYMENT, now, approver.label, with_reason({
                "action": "decision_refused", "proposal_id": proposal_id}, str(exc)))])
            raise
        decision = "approved" if approve else "rejected"
        exception = density_exception.strip() if (final and density.over and density_exception) else None
        try:
            with self._engine.begin() as conn:
                self._record_decision(conn, proposal, approver, Step(level, role, approver.id, decision,
                                                                     reason.strip(), now), final, exception, now)
        except (IntegrityError, _Lost):
            self._ledger.append([Event(EventKind.CAMERA_DEPLOYMENT, now, approver.label, with_reason({
                "action": "decision_refused", "proposal_id": proposal_id}, "another decision came first"))])
            raise ApprovalRefused("another decision on this proposal came first") from None
        self._invalidate()
        return self.get(proposal_id)

    def _record_decision(self, conn: Connection, proposal: CameraProposal, approver: User, step: Step, final: bool,
                         exception: str | None, now: datetime) -> None:
        """The step, the proposal's new state (only from open: one winner among concurrent decisions), the camera
        in the registry with its key if this was the last step, and the ledger entry: one transaction."""
        proposal_id, approve, reason = proposal.id, step.decision == "approved", step.reason
        record_step(conn, proposal_id, step, self._seal)  # one step per level: a concurrent one fails here
        body: dict[str, object] = {"action": step.decision, "proposal_id": proposal_id,
                                   "camera_id": proposal.camera.id, "level": step.level, "role": step.role.value,
                                   "reason_digest": digest(reason)}
        values: dict[str, object] = {"status": ProposalStatus.OPEN.value}
        if not approve or final:
            values = {"status": (ProposalStatus.APPROVED if approve else ProposalStatus.REJECTED).value,
                      "decision_reason": reason, "density_exception": exception, "decided_at": now}
        if conn.execute(update(camera_proposals).where(camera_proposals.c.id == proposal_id,
                                                       camera_proposals.c.status == ProposalStatus.OPEN.value)
                        .values(**values)).rowcount != 1:
            raise _Lost
        if final:
            density = self.density(proposal.camera.road_segment or "", adding=1, conn=conn)
            self._put_in_registry(conn, proposal.camera, f"proposal:{proposal_id}", now)
            body.update({"cameras_on_segment": density.cameras, "per_km": round(density.per_km, 3),
                         "exception": exception is not None})
            if proposal.edge_key:
                body["edge_key"] = self.keys.register(conn, proposal.camera.id, proposal.edge_key,
                                                      f"proposal:{proposal_id}", now)
        self._ledger.append([Event(EventKind.CAMERA_DEPLOYMENT, now, approver.label, body)], conn=conn)

    def withdraw(self, proposal_id: str, actor: User, reason: str) -> None:
        proposal = self.get(proposal_id)
        if proposal.status is not ProposalStatus.OPEN:
            raise DeploymentRefused(f"proposal is {proposal.status.value}, not open")
        if actor.id != proposal.proposed_by:
            raise DeploymentRefused("only the proposer withdraws a proposal")
        now = self._clock.now()
        with self._engine.begin() as conn:
            conn.execute(update(camera_proposals).where(camera_proposals.c.id == proposal_id).values(
                status=ProposalStatus.WITHDRAWN.value, decision_reason=reason.strip(), decided_at=now))
            self._ledger.append([Event(EventKind.CAMERA_DEPLOYMENT, now, actor.label, {
                "action": "withdraw", "proposal_id": proposal_id, "reason_digest": digest(reason)})], conn=conn)

    def import_existing(self, camera: Camera, decision_ref: str, actor: User,
                        density_exception: str | None = None, edge_key: str | None = None) -> None:
        """Register a camera approved before platewarden by a public decision (a council resolution, say), citing
        it. Only the chain's final role may do this, and the density rule still applies; the report lists imports."""
        now = self._clock.now()
        final_role = self.chain[-1]
        try:
            if final_role not in actor.roles:
                raise ApprovalRefused(f"only a {final_role.value} records an earlier deployment decision")
            if len(decision_ref.strip()) < 5:
                raise DeploymentRefused("cite the public decision that approved this camera (at least 5 characters)")
            if camera.road_segment is None:
                raise DeploymentRefused("a camera names the road segment it watches (for the density rule)")
            check_jurisdictions(camera)
            edge_key = checked_key(edge_key)
            with self._engine.connect() as conn:
                if conn.execute(select(cameras.c.id).where(cameras.c.id == camera.id,
                                                           cameras.c.status == "approved")).first():
                    raise DeploymentRefused(f"camera {camera.id} is already approved")
                density = self.density(camera.road_segment, adding=1, conn=conn)
            check_density(density, density_exception)
        except (ApprovalRefused, DeploymentRefused) as exc:
            self._ledger.append([Event(EventKind.CAMERA_DEPLOYMENT, now, actor.label, with_reason({
                "action": "import_refused", "camera_id": camera.id}, str(exc)))])
            raise
        with self._engine.begin() as conn:
            self._put_in_registry(conn, camera, f"import:{decision_ref.strip()}"[:200], now)
            key_fp = self.keys.register(conn, camera.id, edge_key, f"import:{decision_ref.strip()}", now) \
                if edge_key else None
            if density.over and density_exception:
                conn.execute(insert(camera_proposals).values(  # the exception is kept where the report looks
                    id=str(uuid.uuid4()), camera_id=camera.id, name=camera.name, latitude=camera.latitude,
                    longitude=camera.longitude, heading_deg=camera.heading_deg, road_segment=camera.road_segment,
                    purpose=f"earlier decision: {decision_ref.strip()}", justification=density_exception.strip(),
                    proposed_by=actor.id, proposed_at=now, comment_until=now, status="approved",
                    decision_reason=f"recorded from {decision_ref.strip()}",
                    density_exception=density_exception.strip(), decided_at=now))
            self._ledger.append([Event(EventKind.CAMERA_DEPLOYMENT, now, actor.label, {
                "action": "import", "camera_id": camera.id, "latitude": camera.latitude,
                "longitude": camera.longitude, "segment": camera.road_segment, "decision_digest": digest(decision_ref),
                "jurisdictions": camera.jurisdiction_text or "policy",
                "cameras_on_segment": density.cameras, "exception": bool(density.over and density_exception),
                "edge_key": key_fp})],
                conn=conn)
        self._invalidate()

    def decommission(self, camera_id: str, actor: User, reason: str) -> None:
        if not actor.roles & {Role.DEPARTMENT_HEAD, Role.ETHICS_BOARD}:
            raise ApprovalRefused("a department head or the ethics board decommissions a camera")
        if len(reason.strip()) < 10:
            raise DeploymentRefused("give the reason (at least 10 characters)")
        now = self._clock.now()
        with self._engine.begin() as conn:
            n = conn.execute(update(cameras).where(cameras.c.id == camera_id, cameras.c.status == "approved")
                             .values(status="decommissioned")).rowcount
            if n == 0:
                raise DeploymentRefused(f"camera {camera_id} is not an approved camera")
            revoked = conn.execute(update(camera_keys).where(camera_keys.c.camera_id == camera_id,  # its key too
                                                             camera_keys.c.revoked_at.is_(None))
                                   .values(revoked_at=now)).rowcount
            reseal(conn, self._seal, cameras, cameras.c.id == camera_id)
            reseal(conn, self._seal, camera_keys, camera_keys.c.camera_id == camera_id)
            self._ledger.append([Event(EventKind.CAMERA_DEPLOYMENT, now, actor.label, {
                "action": "decommission", "camera_id": camera_id, "reason_digest": digest(reason),
                "keys_revoked": int(revoked)})], conn=conn)
        self.keys.forget(camera_id)
        self._invalidate()

    def _put_in_registry(self, conn: Connection, camera: Camera, via: str, now: datetime) -> None:
        values = {"name": camera.name, "latitude": camera.latitude, "longitude": camera.longitude,
                  "heading_deg": camera.heading_deg, "road_segment": camera.road_segment, "status": "approved",
                  "approved_via": via, "jurisdictions": camera.jurisdiction_text or None}
        conn.execute(conflict_insert(self._engine, cameras).values(id=camera.id, created_at=now, **values)
                     .on_conflict_do_update(index_elements=["id"], set_=values))
        reseal(conn, self._seal, cameras, cameras.c.id == camera.id)

    # --- reading the review ---

    def get(self, proposal_id: str) -> CameraProposal:
        found = self._load(camera_proposals.c.id == proposal_id)
        if not found:
            raise NotFound(f"no camera proposal {proposal_id}")
        return found[0]

    def proposals(self, status: ProposalStatus | None = None) -> list[CameraProposal]:
        return self._load(None if status is None else camera_proposals.c.status == status.value)

    def _load(self, where: object) -> list[CameraProposal]:
        q = select(camera_proposals).order_by(camera_proposals.c.proposed_at)
        if where is not None:
            q = q.where(where)  # type: ignore[arg-type]
        with self._engine.connect() as conn:
            rows = list(conn.execute(q))
            ids = [r.id for r in rows]
            steps = load_steps(conn, ids, self._seal)
            comments: dict[str, list[Comment]] = {i: [] for i in ids}
            if ids:
                for c in conn.execute(select(camera_comments).where(camera_comments.c.proposal_id.in_(ids))
                                      .order_by(camera_comments.c.id)):
                    comments[c.proposal_id].append(Comment(c.at, c.author, c.text))
        return [CameraProposal(
            id=r.id, camera=Camera(r.camera_id, r.name, r.latitude, r.longitude, r.heading_deg, r.road_segment,
                                   jurisdictions_from_text(r.jurisdictions)),
            purpose=r.purpose, justification=r.justification, proposed_by=r.proposed_by,
            proposed_at=r.proposed_at, comment_until=r.comment_until, status=ProposalStatus(r.status),
            decision_reason=r.decision_reason, density_exception=r.density_exception,
            decided_at=None if r.decided_at is None else r.decided_at, steps=tuple(steps[r.id]),
            comments=tuple(comments[r.id]), edge_key=r.edge_key) for r in rows]

    def registry(self) -> list[RegisteredCamera]:
        with self._engine.connect() as conn:
            return [RegisteredCamera(Camera(r.id, r.name, r.latitude, r.longitude, r.heading_deg, r.road_segment,
                                            jurisdictions_from_text(r.jurisdictions)),
                                     r.status, r.approved_via, r.created_at)
                    for r in conn.execute(select(cameras).order_by(cameras.c.id))]

    def densities(self) -> list[Density]:
        return [self.density(s.id) for s in self.segments()]

    # --- the gate ---

    def _invalidate(self) -> None:
        with self._lock:
            self._approved_at = -1e9

    def approved_ids(self) -> frozenset[str]:
        """Approved camera ids, cached for a few seconds (another process may approve or decommission)."""
        with self._lock:
            if time.monotonic() - self._approved_at > self.APPROVED_CACHE_SECONDS:
                with self._engine.connect() as conn:  # a row the registry did not seal is no camera
                    self._approved = frozenset(r.id for r in conn.execute(select(cameras).where(
                        cameras.c.status == "approved")) if row_holds(self._seal, "cameras", r) and (
                            self._last_word is None or self._last_word.bears_out("cameras", dict(r._mapping))))
                self._approved_at = time.monotonic()
            return self._approved

    def edge_reports(self) -> dict[str, EdgeReport]:
        """Each edge camera's latest outbox report (counts only, verified on arrival: ``edge.status_reports``)."""
        return latest_reports(self._engine)

    def keep_edge_report(self, report: EdgeReport) -> bool:
        """Keep a verified outbox report if it is newer than the camera's last; False for an older one."""
        return keep_report(self._engine, report)

    def admit(self, camera_id: str, count: int = 1, source: str = "ingest") -> None:
        """Let reads from an approved camera in; otherwise count and ledger the attempt and raise."""
        if camera_id in self.approved_ids():
            return
        self._invalidate()  # a camera approved a moment ago in another process must not be refused
        if camera_id in self.approved_ids():
            return
        reason = "decommissioned" if self._status(camera_id) == "decommissioned" else "not_approved"
        self.record_refusal(camera_id, reason, count, source)
        raise UnapprovedCamera(f"camera {camera_id!r} is {reason.replace('_', ' ')}: its reads are refused "
                               "(a deployment is proposed, reviewed by the public and approved first)")

    def _status(self, camera_id: str) -> str | None:
        with self._engine.connect() as conn:
            return conn.execute(select(cameras.c.status).where(cameras.c.id == camera_id)).scalar_one_or_none()

    def record_refusal(self, camera_id: str, reason: str, count: int, source: str) -> None:
        now = self._clock.now()
        day = now.date()
        with self._engine.begin() as conn:
            done = conn.execute(update(read_refusals).where(
                read_refusals.c.day == day, read_refusals.c.camera_id == camera_id[:64],
                read_refusals.c.reason == reason).values(count=read_refusals.c.count + count)).rowcount
            if not done:
                conn.execute(conflict_insert(self._engine, read_refusals).values(
                    day=day, camera_id=camera_id[:64], reason=reason, count=count).on_conflict_do_update(
                    index_elements=["day", "camera_id", "reason"], set_={"count": read_refusals.c.count + count}))
            self._ledger.append([Event(EventKind.READ_REFUSED, now, source, {
                "camera_id": camera_id[:64], "reason": reason, "count": count})], conn=conn)

    def refusals(self) -> list[tuple[str, str, str, int]]:
        with self._engine.connect() as conn:
            return [(r.day.isoformat(), r.camera_id, r.reason, int(r._mapping["count"])) for r in conn.execute(
                select(read_refusals).order_by(read_refusals.c.day, read_refusals.c.camera_id))]


def filter_admitted(review: DeploymentReview, camera_ids: Sequence[str], source: str) -> list[bool]:
    """For a batch of reads, which cameras may deliver; refusals are recorded once per camera and batch."""
    approved = review.approved_ids()
    refused: dict[str, int] = {}
    for c in camera_ids:
        if c not in approved:
            refused[c] = refused.get(c, 0) + 1
    for cam, n in refused.items():
        try:
            review.admit(cam, n, source)
        except UnapprovedCamera:
            pass
        else:
            approved = approved | {cam}
    return [c in approved for c in camera_ids]
