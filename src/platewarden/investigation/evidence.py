"""Evidence packages a court can verify offline.

An export holds, for each read a case keeps (its holds): the committed bytes of the read and its salt, the plate
and vehicle crops, the read's Merkle path inside its ledgered batch, the batch's ledger entry with its inclusion
proof, and the signed checkpoint the proofs lead to. A manifest lists every file's SHA-256 and is signed with the
log's key. ``verify`` needs only the zip and the log's public key: it detects any changed, added or removed file,
and proves each read is, byte for byte, what was ingested and ledgered.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from platewarden.domain.clock import Clock
from platewarden.domain.errors import Invalid, Refused
from platewarden.domain.users import User
from platewarden.governance.retention import genuine_held_reads
from platewarden.ledger.entries import Event, EventKind, digest, with_reason
from platewarden.ledger.log import InclusionProof, Ledger
from platewarden.ledger.merkle import ProofError, inclusion_proof, leaf_hash, root_from_inclusion
from platewarden.ledger.notes import NoteError, SignedNote, Verifier, verify_log_signature
from platewarden.policy.model import Role
from platewarden.store.case_keys import CaseKeys
from platewarden.store.cipher import unseal
from platewarden.store.codec import COMMITMENT_TAG, commitment, unseal_payload
from platewarden.store.keyring import KeyRing
from platewarden.store.permissions import private_file
from platewarden.store.schema import holds, reads
from platewarden.store.seals import row_holds

EXPORTERS = frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD, Role.PROSECUTOR})


class EvidenceError(Invalid):
    pass


def _unpack(blob: bytes) -> list[bytes]:
    return [blob[i: i + 32] for i in range(0, len(blob), 32)]


class EvidenceExport:
    """A case's evidence package: the reads its holds keep, their crops, their proofs to the ledger and a signed
    checkpoint, for a prosecutor or the people the case's holds name. Every export and refusal is ledgered."""

    def __init__(self, engine: Engine, keyring: KeyRing, case_keys: CaseKeys, ledger: Ledger, clock: Clock,
                 holds_borne_out: Callable[[Mapping[str, Any]], bool] | None = None) -> None:
        """``holds_borne_out``: whether the signed ledger still records a hold as its row says
        (``governance.last_word``): an old copy of a released hold put back names nobody and exports nothing."""
        self._engine = engine
        self._holds_borne_out = holds_borne_out
        self._keyring = keyring
        self._case_keys = case_keys
        self._ledger = ledger
        self._clock = clock

    def export(self, user: User, case: str, out: Path) -> int:
        """Write the package to ``out`` (0600: it holds plaintext plates); returns the number of reads."""
        package, n = self.package(user, case)
        with private_file(out) as f:
            f.write(package)
        return n

    def package(self, user: User, case: str) -> tuple[bytes, int]:
        """The package as bytes (a zip) and its number of reads. Ledgered."""
        if not user.roles & EXPORTERS:
            raise Refused("evidence is exported by an officer, department head or prosecutor")
        seal = self._keyring.record_seal()
        with self._engine.connect() as conn:  # only holds that carry their seal name anyone
            named = {(h.requested_by, h.approved_by) for h in conn.execute(
                select(holds).where(holds.c.case_number == case, holds.c.released_at.is_(None)))
                if row_holds(seal, "holds", h)
                and (self._holds_borne_out is None or self._holds_borne_out(dict(h._mapping)))}
        if Role.PROSECUTOR not in user.roles and not any(user.id in pair for pair in named):
            self._ledger.append([Event(EventKind.EVIDENCE_EXPORT, self._clock.now(), user.label, with_reason(
                {"action": "refused", "case": case}, "not named by the case's holds"))])
            raise Refused("a case's evidence is exported by a prosecutor or by the people its holds name "
                                  "(who requested or approved them)")
        with self._engine.connect() as conn:
            kept = genuine_held_reads(conn, seal, holds.c.case_number == case, borne_out=self._holds_borne_out)
            rows = list(conn.execute(select(reads).where(reads.c.id.in_(list(kept))))) if kept else []
            batches: dict[int, list[bytes]] = {}
            for r in rows:
                if r.batch_seq is not None and r.batch_seq not in batches:
                    batches[r.batch_seq] = [leaf_hash(bytes(d)) for d in conn.scalars(
                        select(reads.c.row_digest).where(reads.c.batch_seq == r.batch_seq).order_by(reads.c.batch_pos))]
        if not rows:
            raise EvidenceError(f"case {case!r} holds no reads")
        note = self._ledger.checkpoint()
        files: dict[str, bytes] = {}
        seen: set[str] = set()
        proofs: dict[int, tuple[int, InclusionProof]] = {}
        for r in rows:
            if r.id in seen:
                continue
            seen.add(r.id)
            key = self._key_for(r, case)
            payload = unseal_payload(r, key)
            crop = unseal(key, r.plate_crop, f"read|{r.id}|plate_crop".encode())
            vehicle = unseal(key, r.vehicle_crop, f"read|{r.id}|vehicle_crop".encode()) if r.vehicle_crop else None
            data, commit = commitment(r.id, payload, crop, vehicle)
            if commit != bytes(r.row_digest):
                raise EvidenceError(f"read {r.id}: stored commitment does not match its content")
            if r.batch_seq is None:
                raise EvidenceError(f"read {r.id} was stored without a ledgered batch")
            leaves = batches.get(r.batch_seq, [])
            path = _unpack(r.batch_proof) if r.batch_proof else inclusion_proof(r.batch_pos, leaves)
            if r.batch_seq not in proofs:  # each proof reads the whole ledger: once per batch, not per read
                proofs[r.batch_seq] = (int(self._ledger.entry(r.batch_seq)["body"]["count"]),  # type: ignore[index]
                                       self._ledger.prove(r.batch_seq))
            size, ledger_proof = proofs[r.batch_seq]
            files[f"reads/{r.id}.json"] = data
            files[f"crops/{r.id}.jpg"] = crop
            if vehicle is not None:
                files[f"vehicles/{r.id}.jpg"] = vehicle
            files[f"ledger/{r.batch_seq}.json"] = self._ledger.entries(r.batch_seq, r.batch_seq + 1)[0]
            files[f"proofs/{r.id}.json"] = json.dumps({
                "salt": payload["salt"], "commitment": commit.hex(), "batch_seq": r.batch_seq,
                "batch_position": r.batch_pos, "batch_size": size, "batch_path": [h.hex() for h in path],
                "ledger_tree_size": ledger_proof.size, "ledger_path": [h.hex() for h in ledger_proof.proof]},
                indent=1).encode()
        files["checkpoint.note"] = self._ledger.latest_note().encode()
        files["log.vkey"] = (self._ledger.public_key.encode() + "\n").encode()
        manifest = json.dumps({"case": case, "created_at": self._clock.now().isoformat(), "created_by": user.label,
                               "reads": len(seen), "files": {n: hashlib.sha256(b).hexdigest()
                                                             for n, b in sorted(files.items())}},
                              indent=1, sort_keys=True).encode()
        sig = self._ledger.sign(manifest)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in sorted(files.items()):
                z.writestr(name, data)
            z.writestr("manifest.json", manifest)
            z.writestr("manifest.sig", base64.b64encode(sig) + b"\n")
        self._ledger.append([Event(EventKind.EVIDENCE_EXPORT, self._clock.now(), user.label, {
            "case": case, "reads": len(seen), "manifest_digest": digest(manifest), "checkpoint_size": int(
                note.text.split("\n")[1])})])
        return buffer.getvalue(), len(seen)

    def _key_for(self, row: Any, case: str) -> bytes:
        if row.key_scope.startswith("case:"):
            key = self._case_keys.get(row.key_scope[5:])
            if key is None:
                raise EvidenceError(f"no key for {row.key_scope}")
            return key
        return self._keyring.for_day(row.day, self._clock.now(), create=False).data_key


@dataclass
class EvidenceReport:
    ok: bool
    reads: int = 0
    case: str = ""
    problems: list[str] = field(default_factory=list)


def verify_package(data: bytes, log_key: Verifier) -> EvidenceReport:
    """Offline: signature, completeness, and every read's path to the signed checkpoint."""
    rep = EvidenceReport(ok=False)
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        names = set(z.namelist())
        manifest = z.read("manifest.json")
        sig = base64.b64decode(z.read("manifest.sig").strip())
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        rep.problems.append(f"not a complete evidence package: {exc}")
        return rep
    if not log_key.verify(manifest, sig):
        rep.problems.append("the manifest's signature does not verify with this key (changed or forged)")
        return rep
    m = json.loads(manifest)
    rep.case = m["case"]
    listed = set(m["files"])
    for extra in sorted(names - listed - {"manifest.json", "manifest.sig"}):
        rep.problems.append(f"added file: {extra}")
    for missing in sorted(listed - names):
        rep.problems.append(f"removed file: {missing}")
    for name in sorted(listed & names):
        if hashlib.sha256(z.read(name)).hexdigest() != m["files"][name]:
            rep.problems.append(f"changed file: {name}")
    if rep.problems:
        return rep
    try:
        cp = verify_log_signature(SignedNote.parse(z.read("checkpoint.note").decode()), log_key)
    except NoteError as exc:
        rep.problems.append(f"checkpoint: {exc}")
        return rep
    for name in sorted(n for n in listed if n.startswith("proofs/")):
        rid = name[len("proofs/"):-len(".json")]
        pr = json.loads(z.read(name))
        committed = z.read(f"reads/{rid}.json")
        doc = json.loads(committed)
        commit = hashlib.sha256(COMMITMENT_TAG + bytes.fromhex(pr["salt"]) + committed).digest()
        if commit.hex() != pr["commitment"]:
            rep.problems.append(f"read {rid}: content does not match its commitment")
            continue
        if hashlib.sha256(z.read(f"crops/{rid}.jpg")).hexdigest() != doc["plate_crop_sha256"]:
            rep.problems.append(f"read {rid}: plate crop is not the one ingested")
        if doc["vehicle_crop_sha256"] and hashlib.sha256(z.read(f"vehicles/{rid}.jpg")).hexdigest() != \
                doc["vehicle_crop_sha256"]:
            rep.problems.append(f"read {rid}: vehicle crop is not the one ingested")
        entry = z.read(f"ledger/{pr['batch_seq']}.json")
        try:
            root = root_from_inclusion(pr["batch_position"], pr["batch_size"], leaf_hash(commit),
                                       [bytes.fromhex(h) for h in pr["batch_path"]])
            if json.loads(entry)["body"]["root"] != root.hex():
                raise ProofError("batch root differs from the ledgered one")
            if pr["ledger_tree_size"] != cp.size:
                raise ProofError("ledger proof is not for the package's checkpoint")
            if root_from_inclusion(pr["batch_seq"], cp.size, leaf_hash(entry),
                                   [bytes.fromhex(h) for h in pr["ledger_path"]]) != cp.root:
                raise ProofError("ledger entry is not in the signed checkpoint")
        except (ProofError, KeyError) as exc:
            rep.problems.append(f"read {rid}: {exc}")
            continue
        rep.reads += 1
    rep.ok = not rep.problems and rep.reads == m["reads"]
    if rep.reads != m["reads"] and not rep.problems:
        rep.problems.append("the manifest's read count does not match the reads proven")
    return rep
