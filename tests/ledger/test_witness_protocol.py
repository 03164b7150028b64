"""C2SP tlog-witness, both sides, over real HTTP: the witness (``ledger witness serve``'s app) answers with the
spec's statuses, never cosigns a fork, a rewritten history or a replayed older checkpoint, and keeps its state across
refused requests; the log (``ledger witness collect``, the server's scheduler) recovers from a wrong idea of the
witness's size and stores the cosignature so that an auditor's ``ledger verify --quorum`` passes."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from pydantic import ValidationError

from platewarden.cli.main import cli
from platewarden.config import Settings
from platewarden.domain.clock import ManualClock
from platewarden.http.witness_app import witness_app
from platewarden.ledger.entries import Event, EventKind, digest
from platewarden.ledger.merkle import consistency_proof, leaf_hash, root_of
from platewarden.ledger.notes import (
    COSIGNATURE_V1,
    Checkpoint,
    SignedNote,
    Signer,
    sign_checkpoint,
    verify_cosignatures,
)
from platewarden.ledger.witness import AddCheckpoint, Witness, WitnessState
from platewarden.ledger.witness_client import WitnessUnavailable, http_transport, request_cosignature
from platewarden.policy.model import LedgerPolicy
from platewarden.runtime import Platform
from platewarden.scheduler import Scheduler
from tests.live_server import serve_app


def ev(clock: ManualClock, i: int) -> Event:
    return Event(EventKind.SEARCH, clock.now() + timedelta(seconds=i), "sgt.jones",
                 {"case": "2026-0042", "results_digest": digest(str(i)), "count": i})


@pytest.fixture
def log(tmp_path: Path, clock: ManualClock) -> Iterator[Platform]:
    p = Platform.open(Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path}/pw.db"), clock=clock,
                      notify=False)
    try:
        yield p
    finally:
        p.close()


@pytest.fixture
def court(log: Platform, tmp_path: Path) -> Witness:
    return Witness(Signer.generate("court.example", COSIGNATURE_V1), [log.ledger.public_key], tmp_path / "witness")


@pytest.fixture
def url(court: Witness) -> Iterator[str]:
    with serve_app(witness_app(court)) as base:
        yield base


def post(url: str, body: bytes) -> tuple[int, str, str]:
    req = urllib.request.Request(url + "/add-checkpoint", data=body, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode(), resp.headers["Content-Type"]
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), exc.headers["Content-Type"]


def grow(log: Platform, clock: ManualClock, n: int) -> tuple[int, str]:
    start = log.ledger.size()
    log.ledger.append([ev(clock, start + i) for i in range(n)])
    note = log.ledger.checkpoint()
    return int(note.text.split("\n")[1]), note.render()


def test_the_witness_answers_with_the_specs_statuses(log: Platform, court: Witness, url: str,
                                                     clock: ManualClock) -> None:
    size, note = grow(log, clock, 5)
    assert post(url, b"olde 0\n\n" + note.encode())[0] == 400
    assert post(url, b"old 00\n\n" + note.encode())[0] == 400  # sizes are canonical decimals
    assert post(url, AddCheckpoint(size + 1, (), note).render())[0] == 400
    stranger = Signer.generate("city-of-elsewhere", 1)
    foreign = sign_checkpoint(Checkpoint("city-of-elsewhere", 1, bytes(32)), stranger).render()
    assert post(url, AddCheckpoint(0, (), foreign).render())[0] == 404
    impostor = Signer.generate(log.ledger.origin)  # the log's name, another key: a forger's note
    forged = sign_checkpoint(Checkpoint(log.ledger.origin, size, bytes(32)), impostor).render()
    assert post(url, AddCheckpoint(0, (), forged).render())[0] == 403
    assert post(url, AddCheckpoint(0, (bytes(32),), note).render())[0] == 422  # from 0 the proof is empty
    status, body, _ = post(url, AddCheckpoint(0, (), note).render())
    assert status == 200
    cosigned = SignedNote.parse(note + body)
    assert [n for n, _ in verify_cosignatures(cosigned, [court.signer.verifier])] == ["court.example"]
    status, body, kind = post(url, AddCheckpoint(0, (), note).render())  # a log that thinks the witness is new
    assert (status, body, kind) == (409, f"{size}\n", "text/x.tlog.size")


def test_the_witness_refuses_a_rewritten_history_and_keeps_its_state(log: Platform, court: Witness, url: str,
                                                                     clock: ManualClock) -> None:
    size, note = grow(log, clock, 9)
    assert post(url, AddCheckpoint(0, (), note).render())[0] == 200
    forger = Signer.from_pem(log.ledger.origin, (log.settings.data_dir / "ledger-signing.pem").read_bytes())
    fake = [leaf_hash(bytes([i])) for i in range(12)]  # whoever holds the log key rewrites the first nine entries
    rewritten = sign_checkpoint(Checkpoint(log.ledger.origin, 12, root_of(fake)), forger).render()
    status, body, _ = post(url, AddCheckpoint(size, tuple(consistency_proof(size, fake)), rewritten).render())
    assert status == 422 and "not consistent" in body
    same_size = sign_checkpoint(Checkpoint(log.ledger.origin, size, root_of(fake[:size])), forger).render()
    assert post(url, AddCheckpoint(size, (), same_size).render())[0] == 409  # a fork at the size it cosigned
    root = Checkpoint.parse(SignedNote.parse(note).text).root
    assert WitnessState.load(court.state_path(log.ledger.origin)) == WitnessState(log.ledger.origin, size, root)
    grown, later = grow(log, clock, 3)  # the honest log goes on: the witness still follows it
    proof = tuple(log.ledger.consistency(size, grown))
    assert post(url, AddCheckpoint(size, (), later).render())[0] == 422  # a proof is needed
    assert post(url, AddCheckpoint(size, proof, later).render())[0] == 200
    assert post(url, AddCheckpoint(grown, (), note).render())[0] == 400  # the older checkpoint replayed


def test_two_logs_racing_from_the_same_size_get_one_cosignature(log: Platform, court: Witness, url: str,
                                                                clock: ManualClock) -> None:
    size, note = grow(log, clock, 4)
    assert post(url, AddCheckpoint(0, (), note).render())[0] == 200
    a, note_a = grow(log, clock, 2)
    b, note_b = grow(log, clock, 2)
    barrier, results = threading.Barrier(2), []

    def send(new: int, text: str) -> None:
        body = AddCheckpoint(size, tuple(log.ledger.consistency(size, new)), text).render()
        barrier.wait()
        results.append(post(url, body)[:2])

    threads = [threading.Thread(target=send, args=args) for args in ((a, note_a), (b, note_b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(status for status, _ in results) == [200, 409]
    assert any(body.strip() in (str(a), str(b)) for status, body in results if status == 409)


def test_the_log_recovers_from_a_wrong_size_and_stores_the_cosignature(log: Platform, court: Witness, url: str,
                                                                       clock: ManualClock) -> None:
    _, note = grow(log, clock, 6)
    assert post(url, AddCheckpoint(0, (), note).render())[0] == 200  # cosigned by someone else's request: the log's
    grow(log, clock, 5)                                                # database knows nothing of it
    assert log.ledger.cosigned_size(court.signer.verifier) == 0
    done = request_cosignature(log.ledger, court.signer.verifier, http_transport(url), clock.now())
    assert done.size == 11 and log.ledger.cosigned_size(court.signer.verifier) == 11
    assert verify_cosignatures(SignedNote.parse(log.ledger.latest_note()), [court.signer.verifier])


def test_a_log_cut_back_gets_no_cosignature_and_stores_nothing(tmp_path: Path, clock: ManualClock) -> None:
    """The database restored from an old backup and rewritten: same log key, shorter, different history. The
    witness, which cosigned the longer one, refuses; nothing is stored."""
    settings = Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path}/pw.db")
    p = Platform.open(settings, clock=clock, notify=False)
    court = Witness(Signer.generate("court.example", COSIGNATURE_V1), [p.ledger.public_key], tmp_path / "w")
    send = court.handle
    p.ledger.append([ev(clock, i) for i in range(8)])
    request_cosignature(p.ledger, court.signer.verifier, lambda body: send(body)[:2], clock.now())
    p.close()
    (tmp_path / "pw.db").unlink()
    (settings.data_dir / "ledger-high-water.json").unlink(missing_ok=True)  # the writer also removes the mark
    q = Platform.open(settings, clock=clock, notify=False)
    try:
        q.ledger.append([ev(clock, 100 + i) for i in range(3)])
        with pytest.raises(WitnessUnavailable, match=r"court\.example"):
            request_cosignature(q.ledger, court.signer.verifier, lambda body: send(body)[:2], clock.now())
        assert q.ledger.cosigned_size(court.signer.verifier) == 0
    finally:
        q.close()


def test_the_policy_takes_witness_urls_only_for_its_witnesses_and_over_tls() -> None:
    key = Signer.generate("court.example", COSIGNATURE_V1).verifier.encode()
    ok = LedgerPolicy(witnesses={"court.example": key}, witness_urls={"court.example": "https://w.court.example/x"})
    assert ok.witness_urls["court.example"].startswith("https://")
    LedgerPolicy(witnesses={"court.example": key}, witness_urls={"court.example": "http://127.0.0.1:8480"})
    for urls, why in (({"other.example": "https://w.example"}, "not one of"),
                      ({"court.example": "http://w.court.example"}, "https"),
                      ({"court.example": "https://w.court.example/?a=1"}, "https")):
        with pytest.raises(ValidationError, match=why):
            LedgerPolicy(witnesses={"court.example": key}, witness_urls=urls)


def test_witness_add_proposes_the_policy_and_collect_fills_the_quorum(tmp_path: Path, clock: ManualClock,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The operator lists the court's witness through the policy chain; once the approved policy is in force, the
    scheduler (and ``ledger witness collect``) gets cosignatures and an auditor's quorum check passes."""
    from tests.factories import people

    data, db = tmp_path / "data", f"sqlite:///{tmp_path}/pw.db"
    p = Platform.open(Settings(data_dir=data, database_url=db), clock=clock, notify=False)
    who = people(p)
    tokens = {name: p.accounts.issue_token(who[name], "cli") for name in ("admin", "head", "ethics")}
    court = Witness(Signer.generate("court.example", COSIGNATURE_V1), [p.ledger.public_key], tmp_path / "w")
    p.close()
    run = CliRunner()
    monkeypatch.setenv("PLATEWARDEN_DATABASE_URL", db)
    base = ["--data-dir", str(data)]
    with serve_app(witness_app(court)) as url:
        proposed = tmp_path / "with-court.yaml"
        monkeypatch.setenv("PLATEWARDEN_TOKEN", tokens["admin"])  # the first role of approvals.policy_change
        bad = run.invoke(cli, [*base, "ledger", "witness", "add", "court.example",
                               "--key", "not a key", "--out", str(proposed)])
        assert bad.exit_code != 0 and "not added" in bad.output and not proposed.exists()
        added = run.invoke(cli, [*base, "ledger", "witness", "add", "court.example", "--key",
                                 court.signer.verifier.encode(), "--url", url, "--out", str(proposed)])
        assert added.exit_code == 0, added.output
        assert yaml.safe_load(proposed.read_text())["ledger"]["witness_urls"] == {"court.example": url}
        monkeypatch.setenv("PLATEWARDEN_POLICY", str(proposed))
        early = run.invoke(cli, [*base, "ledger", "witness", "collect"])  # proposed is not approved
        assert early.exit_code == 1 and "not approved" in early.output.lower()
        for name in ("head", "ethics"):
            monkeypatch.setenv("PLATEWARDEN_TOKEN", tokens[name])
            approved = run.invoke(cli, [*base, "policy", "approve", str(proposed)])
            assert approved.exit_code == 0, approved.output
        q = Platform.open(Settings.from_env(data_dir=data), clock=clock, notify=False)
        try:
            scheduler = Scheduler(q)
            scheduler.tick(0.0, {})
            assert scheduler.cosignatures == 1
            q.ledger.append([ev(clock, 500)])
        finally:
            q.close()
        collected = run.invoke(cli, [*base, "ledger", "witness", "collect"])
        assert collected.exit_code == 0, collected.output
        assert "court.example: cosigned" in collected.output
    exported = run.invoke(cli, [*base, "ledger", "export", str(tmp_path / "exp")])
    assert exported.exit_code == 0, exported.output
    (tmp_path / "court.vkey").write_text(court.signer.verifier.encode())
    verified = run.invoke(cli, ["ledger", "verify", str(tmp_path / "exp"), "--quorum", "1", "--witness-key",
                                str(tmp_path / "court.vkey")])
    assert verified.exit_code == 0, verified.output
