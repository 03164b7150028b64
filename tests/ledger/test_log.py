"""The ledger service on real databases: appends, append-only enforcement, checkpoints, proofs, witnesses,
export and offline verification."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from platewarden.domain.clock import ManualClock
from platewarden.ledger.entries import Event, EventKind, PlaintextInLedger, digest
from platewarden.ledger.merkle import verify_inclusion
from platewarden.ledger.notes import COSIGNATURE_V1, Signer, verify_log_signature
from platewarden.ledger.verify import verify_export
from platewarden.ledger.witness import WitnessRefusal, witness_cosign
from platewarden.runtime import Platform
from tests.factories import make_read


def ev(clock: ManualClock, i: int, actor: str = "sgt.jones") -> Event:
    return Event(EventKind.SEARCH, clock.now() + timedelta(seconds=i), actor,
                 {"case": "2026-0042", "results_digest": digest(str(i)), "count": i})


def test_append_checkpoint_prove(platform: Platform, clock: ManualClock) -> None:
    lg = platform.ledger
    seqs = lg.append([ev(clock, i) for i in range(10)])
    assert seqs == list(range(10))
    note = lg.checkpoint()
    cp = verify_log_signature(note, lg.public_key)
    assert cp.size == 10
    proof = lg.prove(3)
    verify_inclusion(3, proof.size, proof.leaf_hash, proof.proof, cp.root)
    assert lg.checkpoint().render() == note.render()  # same size: the same note


def test_database_refuses_rewriting_history(platform: Platform, clock: ManualClock) -> None:
    platform.ledger.append([ev(clock, 0)])
    platform.ledger.checkpoint()
    for stmt in ("UPDATE ledger_entries SET kind = 'x'", "DELETE FROM ledger_entries",
                 "DELETE FROM ledger_checkpoints"):
        with pytest.raises(DBAPIError, match="append-only"), platform.engine.begin() as conn:
            conn.execute(text(stmt))
    assert platform.ledger.size() == 1


def test_no_plaintext_plates_in_entries(platform: Platform, clock: ManualClock) -> None:
    with pytest.raises(PlaintextInLedger):
        Event(EventKind.SEARCH, clock.now(), "x", {"query": "plate 5SOW350"})
    platform.reads.ingest([make_read("QZ7PLAIN", clock.now())], on_insert=None)
    from tests.factories import people

    platform.hotlist.import_csv("plate,region,reason,source,expires_at\nQZ7PLAIN,us,stolen,NCIC,2027-01-01\n",
                                people(platform)["officer"])
    assert all(b"QZ7PLAIN" not in e for e in platform.ledger.entries())


def test_read_batch_committed_with_reads(platform: Platform, clock: ManualClock, tmp_path: Path) -> None:
    from tests.factories import CAMERA, approve_camera, people

    approve_camera(platform, CAMERA, people(platform))
    writer = platform.read_writer("t")
    reads = [make_read(f"RB{i:04d}", clock.now(), n=i) for i in range(7)]
    writer.write(reads)
    writer.write(reads)  # a retry: no new reads, no new entry
    kinds = [platform.ledger.entry(i)["kind"] for i in range(platform.ledger.size())]
    assert kinds.count("read_batch") == 1
    body = next(platform.ledger.entry(i)["body"] for i in range(platform.ledger.size())
                if platform.ledger.entry(i)["kind"] == "read_batch")
    assert body["count"] == 7  # type: ignore[index]


def test_witness_cosigns_consistent_and_refuses_fork(platform: Platform, clock: ManualClock,
                                                     tmp_path: Path) -> None:
    lg = platform.ledger
    witness = Signer.generate("prosecutor.example", COSIGNATURE_V1)
    state = tmp_path / "witness.json"
    lg.append([ev(clock, i) for i in range(5)])
    first = lg.checkpoint().render()
    cosigned = witness_cosign(first, [], lg.public_key, witness, state, now=1000)
    assert lg.add_cosignature(cosigned, witness.verifier, clock.now()) == 5
    lg.append([ev(clock, i) for i in range(5, 9)])
    second = lg.checkpoint().render()
    with pytest.raises(WitnessRefusal, match="not consistent"):
        witness_cosign(second, [], lg.public_key, witness, state)  # no proof given
    witness_cosign(second, lg.consistency(5, 9), lg.public_key, witness, state, now=1001)
    with pytest.raises(WitnessRefusal, match="stale"):
        witness_cosign(first, [], lg.public_key, witness, state)
    # a fork: another log instance with the same key but different history
    forger = Signer.from_pem(lg.origin, (platform.settings.data_dir / "ledger-signing.pem").read_bytes())
    from platewarden.ledger.merkle import leaf_hash, root_of
    from platewarden.ledger.notes import Checkpoint, sign_checkpoint

    fake = [leaf_hash(bytes([i])) for i in range(12)]
    forged = sign_checkpoint(Checkpoint(lg.origin, 12, root_of(fake)), forger).render()
    from platewarden.ledger.merkle import consistency_proof

    with pytest.raises(WitnessRefusal, match="not consistent"):
        witness_cosign(forged, consistency_proof(9, fake), lg.public_key, witness, state)


def test_export_verify_and_tamper(platform: Platform, clock: ManualClock, tmp_path: Path) -> None:
    lg = platform.ledger
    witness = Signer.generate("auditor.example", COSIGNATURE_V1)
    lg.append([ev(clock, i) for i in range(20)])
    lg.add_cosignature(witness_cosign(lg.checkpoint().render(), [], lg.public_key, witness, tmp_path / "w"),
                       witness.verifier, clock.now())
    lg.append([ev(clock, i) for i in range(20, 30)])
    out = tmp_path / "export"
    assert lg.export(out) == 30
    res = verify_export(out)
    assert res.ok, res.problem
    assert res.entries == 30 and res.latest is not None and res.latest.size == 30
    assert verify_export(out, quorum=1).ok is False  # the latest (size 30) is not cosigned yet

    def tampered(fn) -> str:  # type: ignore[no-untyped-def]
        t = tmp_path / f"t{len(list(tmp_path.iterdir()))}"
        shutil.copytree(out, t)
        fn(t)
        r = verify_export(t)
        assert not r.ok
        return r.summary()

    def flip(t: Path) -> None:
        lines = (t / "entries.jsonl").read_bytes().split(b"\n")
        lines[7] = lines[7].replace(b'"count":7', b'"count":8')
        (t / "entries.jsonl").write_bytes(b"\n".join(lines))

    assert "first bad entry: 7" in tampered(flip)

    def drop(t: Path) -> None:
        lines = (t / "entries.jsonl").read_bytes().split(b"\n")
        del lines[12]
        (t / "entries.jsonl").write_bytes(b"\n".join(lines))

    assert "first bad entry: 12" in tampered(drop)

    def swap(t: Path) -> None:
        lines = (t / "entries.jsonl").read_bytes().split(b"\n")
        lines[3], lines[4] = lines[4], lines[3]
        (t / "entries.jsonl").write_bytes(b"\n".join(lines))

    assert "first bad entry: 3" in tampered(swap)

    def truncate(t: Path) -> None:
        lines = (t / "entries.jsonl").read_bytes().split(b"\n")
        (t / "entries.jsonl").write_bytes(b"\n".join(lines[:25]) + b"\n")

    assert "truncated" in tampered(truncate)

    def forge(t: Path) -> None:
        note = next((t / "checkpoints").glob("*30.note"))
        note.write_text(note.read_text().replace("\n30\n", "\n31\n"))

    assert "forged" in tampered(forge)
