"""The ledger explorer: entries filtered by kind, actor, case and day (newest first, with a link to older ones), an
entry's inclusion proof, and the consistency proof from an older checkpoint to the latest, which verifies against
the two signed roots; a bad filter is a clear 422, and the page is for the ledger's readers only."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from fastapi.testclient import TestClient

from platewarden.domain.clock import ManualClock
from platewarden.ledger.entries import Event, EventKind, digest
from platewarden.ledger.merkle import verify_consistency
from platewarden.ledger.notes import verify_log_signature
from platewarden.runtime import Platform
from platewarden.server import create_app
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
