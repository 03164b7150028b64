"""How long the compliance report takes on a year of data: gather (database → snapshot), assess, HTML, PDF.

    python bench/compliance.py [--days 365] [--cameras 40] [--alerts 3000] [--ledger 200000]

Builds the known-answer history of tests/audit/known_data.py, then adds a year of per-camera read counts, alerts
through the real alert store (sealed, so gather decrypts each to place it in an area) with dispositions, and
ledger entries (gather re-verifies the whole ledger). SQLite in a temporary folder.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from machine import print_header  # type: ignore[import-not-found]
from sqlalchemy import insert

from platewarden.audit.compliance.assess import assess
from platewarden.audit.compliance.gather import gather
from platewarden.audit.compliance.render_html import render_html
from platewarden.audit.compliance.render_pdf import render_pdf
from platewarden.config import Settings
from platewarden.domain.alerts import Alert
from platewarden.domain.clock import ManualClock
from platewarden.ledger.entries import Event, EventKind
from platewarden.runtime import Platform
from platewarden.store.schema import dispositions, read_counts
from tests.audit.known_data import build


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--cameras", type=int, default=40)
    ap.add_argument("--alerts", type=int, default=3000)
    ap.add_argument("--ledger", type=int, default=200_000)
    a = ap.parse_args()
    print_header()
    tmp = Path(tempfile.mkdtemp())
    clock = ManualClock(datetime(2026, 11, 2, 8, tzinfo=UTC))
    p = Platform.open(Settings(data_dir=tmp / "data", database_url=f"sqlite:///{tmp / 'pw.db'}"), clock=clock,
                      notify=False)
    known = build(p, clock, tmp)
    cams = [c.id for cs in known.cameras.values() for c in cs]
    last = date(2026, 11, 1)
    first = last - timedelta(days=a.days - 1)
    rng = random.Random(1)
    with p.engine.begin() as conn:
        conn.execute(insert(read_counts), [
            {"day": first + timedelta(days=d), "camera_id": f"bulk-{c}", "reads": rng.randint(500, 5000)}
            for d in range(a.days) for c in range(a.cameras)])
    entry = p.hotlist.active()[0]
    rows = []
    for i in range(a.alerts):
        when = datetime(2026, 10, 20, tzinfo=UTC) + timedelta(seconds=i)
        alert = Alert(str(uuid.uuid4()), f"bulk-read-{i}", entry.id, entry.plate, entry.plate, 0.0, True, when)
        p.alert_store.add(alert, rng.choice(cams), 0.9, b"jpeg", clock.now())
        rows.append({"alert_id": alert.id, "disposition": rng.choice(["correct", "misread"]), "by": "bench",
                     "at": when + timedelta(hours=rng.uniform(0.1, 30)), "note": "bench"})
    with p.engine.begin() as conn:
        conn.execute(insert(dispositions), rows)
    for start in range(0, a.ledger, 5000):
        p.ledger.append([Event(EventKind.READ_BATCH, clock.now(), "system", {"count": 1, "root": "00" * 32})
                         for _ in range(min(5000, a.ledger - start))])
    p.ledger.checkpoint()
    t0 = time.perf_counter()
    snap = gather(p, first, last)
    t1 = time.perf_counter()
    ass = assess(snap)
    t2 = time.perf_counter()
    html = render_html(snap, ass, "0" * 64)
    t3 = time.perf_counter()
    pages = render_pdf(snap, ass, tmp / "report.pdf", "0" * 64)
    t4 = time.perf_counter()
    print(f"data: {a.days} days x {a.cameras + len(cams)} cameras of read counts, {snap.alerts.raised} alerts, "
          f"{snap.ledger.entries} ledger entries; snapshot {len(snap.to_json()) / 1e3:.0f} kB")
    print(f"gather {t1 - t0:.2f} s (ledger verified: {snap.ledger.ok}), assess {t2 - t1:.3f} s, "
          f"html {t3 - t2:.2f} s ({len(html) / 1e3:.0f} kB), pdf {t4 - t3:.2f} s ({pages} pages, "
          f"{(tmp / 'report.pdf').stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
