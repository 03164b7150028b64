"""The ledger explorer: entries filtered by kind, actor, case and day (newest first, with a link to older ones), an
entry's inclusion proof, and the consistency proof from an older checkpoint to the latest, which verifies against
the two signed roots; a bad filter is a clear 422, and the page is for the ledger's readers only."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from fastapi.testclient import TestClient
from sqlalchemy import update

from platewarden.domain.clock import ManualClock
from platewarden.ledger.checkpoint_diff import checkpoint_diff
from platewarden.ledger.entries import Event, EventKind, digest
from platewarden.ledger.merkle import verify_consistency
from platewarden.ledger.notes import Checkpoint, SignedNote, Signer, sign_checkpoint, verify_log_signature
from platewarden.runtime import Platform
from platewarden.server import create_app
from platewarden.store.schema import ledger_checkpoints
from tests.factories import console_sign_in, people


def test_filters_proofs_and_refusals(platform: Platform, clock: ManualClock) -> None:
    p = platform
    people(p)
    old_note = p.ledger.checkpoint()
    old = verify_log_signature(old_note, p.ledger.public_key)
    for i in range(30):
        actor = f"sgt.{'jones' if i % 2 else 'smith'}"
        p.ledger.append([Event(EventKind.SEARCH, clock.now() + timedelta(days=i % 3), actor,
                               {"case": f"2026-CR-{i % 5}", "results_digest": digest(str(i)), "count": i})])
    secrets: dict[str, str] = {}
    client = TestClient(create_app(p, session_secret="s", https_only=False))
    console_sign_in(client, p, clock, "auditor", secrets)
    page = client.get("/ledger", params={"kind": "search", "actor": "JONES", "case": "2026-CR-1"}).text
    rows = re.findall(r'<tr class="entry"><td>(\d+)</td>', page)
    assert rows and all("sgt.jones" in r for r in re.findall(r'<tr class="entry">.*?</tr>', page, re.S))
    assert len(rows) == 3 and rows == sorted(rows, key=int, reverse=True)  # i = 1, 11, 21: odd and i % 5 == 1
    day = (clock.now() + timedelta(days=2)).date().isoformat()
    dated = client.get("/ledger", params={"kind": "search", "day_from": day, "day_to": day}).text
    assert len(re.findall(r'<tr class="entry">', dated)) == 10
    assert client.get("/ledger", params={"kind": "nonsense"}).status_code == 422
    assert client.get("/ledger", params={"day_from": "yesterday"}).status_code == 422
    latest = verify_log_signature(p.ledger.checkpoint(), p.ledger.public_key)
    proved = client.get("/ledger", params={"since_size": old.size}).text
    hashes = [bytes.fromhex(h) for h in unescape(re.search(r'<div id="consistency">.*?<pre>(.*?)</pre>', proved,
                                                           re.S).group(1)).split()]
    verify_consistency(old.size, latest.size, old.root, latest.root, hashes)
    assert 'id="inclusion"' in client.get("/ledger", params={"proof": 3}).text

    operator = TestClient(create_app(p, session_secret="s", https_only=False))
    console_sign_in(operator, p, clock, "operator", secrets)
    assert operator.get("/ledger").status_code == 403


def test_checkpoint_diff_lists_what_was_appended_and_catches_a_forged_checkpoint(platform: Platform,
                                                                                 clock: ManualClock) -> None:
    """An auditor compares two signed checkpoints: what was appended between them, by kind, and the proof that the
    newer extends the older. A checkpoint note a database writer signed with a key of their own is named as not
    signed by the log key; a choice that is not two stored checkpoints, older first, is a clear 422."""
    p = platform
    people(p)
    old = verify_log_signature(p.ledger.checkpoint(), p.ledger.public_key)
    for i in range(4):
        p.ledger.append([Event(EventKind.SEARCH, clock.now(), "sgt.jones", {"case": "2026-CR-7", "count": i})])
    p.ledger.append([Event(EventKind.HOLD, clock.now(), "lt.smith", {"action": "release", "id": "h1"})])
    new = verify_log_signature(p.ledger.checkpoint(), p.ledger.public_key)
    secrets: dict[str, str] = {}
    client = TestClient(create_app(p, session_secret="s", https_only=False))
    console_sign_in(client, p, clock, "auditor", secrets)
    page = client.get("/ledger", params={"diff_from": old.size, "diff_to": new.size}).text
    diff = re.search(r'<div id="diff">(.*?)</table>', page, re.S).group(1)
    assert "✔ Both checkpoints are signed by the log key, and the newer one extends the older" in diff
    appended = new.size - old.size
    assert f"{appended} entries appended" in diff and "4 search" in diff and "1 hold" in diff
    rows = re.findall(r"<tr><td>(\d+)</td>", diff)
    assert [int(r) for r in rows] == list(range(old.size, new.size))
    proof = unescape(re.findall(r"<pre>(.*?)</pre>", diff, re.S)[2]).split()
    verify_consistency(old.size, new.size, old.root, new.root, [bytes.fromhex(h) for h in proof])
    assert client.get("/ledger", params={"diff_from": new.size, "diff_to": old.size}).status_code == 422
    assert client.get("/ledger", params={"diff_from": old.size, "diff_to": 99_999}).status_code == 422

    # a database writer replaces the newest checkpoint's note with one signed by a key of their own
    from tests.governance.test_database_writer import drop_append_only_triggers

    latest = p.ledger.checkpoints()[-1]
    cp = verify_log_signature(SignedNote.parse(latest[1]), p.ledger.public_key)
    forged = sign_checkpoint(Checkpoint(p.ledger.origin, cp.size, cp.root), Signer.generate(p.ledger.origin))
    with p.engine.begin() as conn:
        drop_append_only_triggers(p, conn)
        conn.execute(update(ledger_checkpoints).where(ledger_checkpoints.c.size == cp.size)
                     .values(note=forged.render()))
    # (the console itself now refuses every account: the ledger can no longer vouch for any governed row, see
    # governance/last_word.py; the auditor compares from the command line's platform as here)
    diff_after = checkpoint_diff(p.ledger, old.size, cp.size)
    assert not diff_after.consistent and diff_after.problem.startswith("a checkpoint is not signed by the log key")
