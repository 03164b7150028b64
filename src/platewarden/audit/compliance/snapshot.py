"""The compliance snapshot: what the assessment needs, and nothing personal.

Gathering (which needs the database and the keys) and assessing (which needs neither) meet here, in a plain,
versioned JSON document. An agency exports it; an outside auditor re-runs the assessment on it with
``platewarden report compliance --input``. It holds counts, dates, ids of requests, entries, cameras and proposals
(all of which the ledger or the public portal already name) — never a plate, a crop, a read's place or a person.
Strict models (extra fields refused) so that a hand-edited or truncated export fails loudly instead of being
half-read.

An exported snapshot is signed with the agency's log key (Ed25519, the key its ledger checkpoints are signed with):
``{"snapshot": ..., "signature": ..., "key": ...}``. ``load`` checks the signature, and that the key is the one the
auditor expects when given one (the agency's published ``log.vkey``), so an auditor knows the figures are the
agency's as exported, not edited since. An unsigned document is refused unless asked for.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from platewarden.ledger.notes import NoteError, Verifier
from platewarden.policy.model import Policy

FORMAT: Literal["platewarden-compliance-snapshot/1"] = "platewarden-compliance-snapshot/1"


class SnapshotError(ValueError):
    """A snapshot that cannot be read or does not follow the format; the message says where."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- retention ---

class ReceiptInfo(_Model):
    destroyed_reads: int
    kept_for_cases: int
    destroyed_at: datetime
    ledger_seq: int
    ledger_matches: bool  # the ledger entry at ledger_seq is this day's destruction receipt with the same root


class DayRetention(_Model):
    day: date
    reads_counted: int  # from read_counts: reads stored that day (the count outlives the reads)
    ordinary_stored: int  # ordinary reads of the day still in the store (not kept for a case)
    key_exists: bool
    receipt: ReceiptInfo | None


class RetentionSection(_Model):
    days: list[DayRetention]  # every day of the period with reads, a key, stored reads or a receipt
    ledger_receipts_without_record: list[date]  # destruction receipts in the ledger the store has no record of


# --- authorization ---

class StepInfo(_Model):
    level: int
    role: str
    decision: str
    decided_at: datetime


class RequestInfo(_Model):
    id: str
    offence: str
    exigent: bool
    status: str
    requested_at: datetime
    steps: list[StepInfo]


class SearchRun(_Model):
    log_id: int
    at: datetime
    request_id: str | None
    results: int


class AuthorizationSection(_Model):
    requests: list[RequestInfo]  # made in the period, or searched under in the period
    searches: list[SearchRun]  # searches run (outcome "allowed") in the period
    refused: int
    refused_by_organisation: dict[str, int]


# --- ledger ---

class CheckpointInfo(_Model):
    size: int
    root: str
    created_at: datetime
    cosigners: list[str]


class LedgerSection(_Model):
    verified: bool  # False when the snapshot was taken without re-verifying the ledger (public annual figures)
    ok: bool
    problem: str
    first_bad_entry: int | None
    entries: int
    checkpoints: int
    uncovered: int  # entries newer than the latest checkpoint
    latest: CheckpointInfo | None
    latest_witnessed: CheckpointInfo | None
    entries_in_period: dict[str, int]  # ledger entries of the period by kind
    disagreements: list[str] = []  # governed rows that fail their seal or the signed ledger (audit reconcile)
    witness_quorum: int = 1  # cosignatures that make a checkpoint witnessed
    witnesses_from_policy: bool = False  # witness keys from the approved policy (else from the database's rows)


# --- alerts and hotlist ---

class UndisposedInfo(_Model):
    id: str
    created_at: datetime


class AlertsSection(_Model):
    raised: int
    dispositions: dict[str, int]
    undisposed: int
    hours_to_disposition: list[float]
    undisposed_alerts: list[UndisposedInfo] = []  # which, and since when


class EntryInfo(_Model):
    id: str
    status: str
    has_source: bool
    has_reason: bool
    approved: bool
    added_at: datetime
    expires_at: datetime
    plate_length: int | None = None  # characters of the plate (not the plate): a too-short entry matches noise
    plate_fits: bool = True  # within the plate formats' alphabet and lengths (the plate itself is not here)
    duplicate: bool = False  # another active or pending entry has the same plate and region


class HotlistSection(_Model):
    entries: list[EntryInfo]  # every entry (the hotlist's state as of the snapshot)


# --- deployment ---

class ExceptionInfo(_Model):
    proposal_id: str
    camera_id: str
    decided_at: datetime | None
    reason: str


class SegmentInfo(_Model):
    id: str
    name: str
    area: str
    length_km: float
    cameras: list[str]  # approved cameras on the segment
    exceptions: list[ExceptionInfo]  # approved proposals on the segment with a recorded density exception


class ProposalInfo(_Model):
    id: str
    camera_id: str
    road_segment: str
    status: str
    proposed_at: datetime
    decided_at: datetime | None
    density_exception: str | None


class DeploymentSection(_Model):
    segments: list[SegmentInfo]
    cameras_without_segment: list[str]  # approved cameras on no known road segment: outside the density rule
    proposals: list[ProposalInfo]  # proposed or decided in the period
    refusals_by_reason: dict[str, int]  # reads refused from cameras that are not approved, in the period
    refusals_by_camera: dict[str, int]


# --- bias, zones, redress ---

class AreaInfo(_Model):
    area: str
    length_km: float
    cameras: int
    reads: int
    alerts: int
    judged: int  # alerts with a disposition
    misreads: int
    wrong_region: int
    searches: int  # searches run whose authorized scope names a camera (or an area around a camera) here


class BiasSection(_Model):
    areas: list[AreaInfo]
    reads_without_area: int
    alerts_without_area: int  # camera on no segment, or the alert's day destroyed before the count was taken
    searches_without_area: int


class ZoneInfo(_Model):
    id: str
    name: str
    status: str
    area_km2: float
    cameras: int
    sightings: int
    alerts: int
    expires_at: datetime | None = None
    activated_at: datetime | None = None
    key_present: bool = False  # the zone's presence key still exists
    tokens_stored: int = 0  # presence tokens stored now (all time)
    alerts_stored: int = 0  # zone alerts stored now (all time)


class CompensationInfo(_Model):
    liable: str
    currency: str
    complaints: int
    total: float


class RedressSection(_Model):
    by_state: dict[str, int]
    compensation: list[CompensationInfo]
    suppressed_entries: int
    days_to_decision: list[float]


class Snapshot(_Model):
    format: Literal["platewarden-compliance-snapshot/1"] = FORMAT
    agency: str
    generated_at: datetime
    period_from: date
    period_to: date
    software_version: str
    policy: Policy
    retention: RetentionSection
    authorization: AuthorizationSection
    ledger: LedgerSection
    alerts: AlertsSection
    hotlist: HotlistSection
    deployment: DeploymentSection
    bias: BiasSection
    zones: list[ZoneInfo]
    redress: RedressSection
    gathered_by: str = ""  # the person who gathered it (as the ledger names them)
    policy_digest: str = ""  # SHA-256 of the policy in force (its canonical JSON)
    approved_policy_digests: list[str] = []  # digests that policy_change entries of the ledger record as approved

    def to_json(self) -> str:
        return self.model_dump_json(indent=1)

    def signed(self, sign: Callable[[bytes], bytes], key: Verifier) -> bytes:
        """The export: this snapshot with the agency's signature over its JSON bytes."""
        body = self.to_json()
        return json.dumps({"snapshot": json.loads(body), "signature": base64.b64encode(sign(body.encode())).decode(),
                           "key": key.encode()}, indent=1).encode()

    @classmethod
    def load(cls, path: Path, expected_key: Verifier | None = None, allow_unsigned: bool = False) -> Snapshot:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SnapshotError(f"{path}: cannot read the snapshot: {exc}") from exc
        return cls.loads(text, path, expected_key, allow_unsigned)

    @classmethod
    def loads(cls, text: str, path: Path | str, expected_key: Verifier | None = None,
              allow_unsigned: bool = False) -> Snapshot:
        """The snapshot in ``text`` (``path`` names its source in errors), its signature checked."""
        text = _verified_body(path, text, expected_key, allow_unsigned)
        try:
            return cls.model_validate_json(text)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "(top level)"
            raise SnapshotError(f"{path}: not a {FORMAT} document: {where}: {first['msg']} "
                                f"({exc.error_count()} problem(s))") from exc


def _verified_body(path: Path | str, text: str, expected_key: Verifier | None, allow_unsigned: bool) -> str:
    """The snapshot's JSON from a signed export, its signature checked; a bare snapshot only when allowed."""
    try:
        doc: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"{path}: not a {FORMAT} document: not JSON ({exc})") from exc
    if not (isinstance(doc, dict) and set(doc) == {"snapshot", "signature", "key"}):
        if allow_unsigned:
            return text
        raise SnapshotError(f"{path}: not a signed {FORMAT} export (an unsigned snapshot cannot show that it is the "
                            "agency's; pass --unsigned to assess it anyway)")
    try:
        key = Verifier.decode(str(doc["key"]))
        signature = base64.b64decode(str(doc["signature"]), validate=True)
    except (NoteError, ValueError) as exc:
        raise SnapshotError(f"{path}: malformed signature or key: {exc}") from exc
    if expected_key is not None and key.encode() != expected_key.encode():
        raise SnapshotError(f"{path}: signed by {key.name}, not by the key you gave ({expected_key.name})")
    try:
        reparsed = Snapshot.model_validate(doc["snapshot"]).to_json()  # the bytes that were signed
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise SnapshotError(f"{path}: not a {FORMAT} document: {where}: {first['msg']}") from exc
    if not key.verify(reparsed.encode(), signature):
        raise SnapshotError(f"{path}: the signature does not verify: the snapshot was changed after it was signed")
    return reparsed
