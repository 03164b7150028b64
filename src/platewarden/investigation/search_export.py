"""A search's results as files a person can take away: a CSV for a spreadsheet, and a signed PDF for a case file.

The PDF is what an investigator hands a prosecutor and a defence lawyer checks: the sightings as a table, the
authorization they were found under (case, scope, who approved), and, attached inside the PDF, the same results as
``results.csv`` with a statement (``statement.json``: the CSV's SHA-256, the request, the case, who exported it and
the ledger entry that records the export) signed with the log's Ed25519 key (``statement.sig``). ``verify_pdf``
needs only the PDF and the log's public key, and also checks that the sightings printed on the pages are the
signed rows; the ledger entry named in the statement holds the same digest, so an
auditor can also find every export in the ledger. Pure: reads and texts in, bytes out.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

import rfc8785
from matplotlib.backends.backend_pdf import PdfPages
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from platewarden.audit.pdf_pages import PageWriter
from platewarden.domain.errors import Invalid
from platewarden.domain.reads import Read
from platewarden.ledger.notes import Verifier

COLUMNS = ("first_seen_utc", "last_seen_utc", "plate", "confidence", "camera", "latitude", "longitude",
           "observations", "read_id")
STATEMENT_KIND = "platewarden search export"
SHOWN_ROW = re.compile(r"^\s*\d+\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\s+(\S+)\s+\d\.\d\d\s", re.MULTILINE)


class ExportFormat(StrEnum):
    CSV = "csv"
    PDF = "pdf"


@dataclass(frozen=True)
class ExportContext:
    """What the export says about where its rows come from (all of it is on the PDF's first page)."""

    request_id: str
    case_number: str
    offence: str
    scope: str  # plates or pattern, time window, cameras
    approvers: tuple[str, ...]
    exported_by: str
    exported_at: datetime
    results_digest: str  # the same digest the search's ledger entries carry


def _cell(value: object) -> str:
    """A spreadsheet runs a cell that starts with = + - @ as a formula: such text is quoted (CSV injection)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def results_csv(reads: Sequence[Read]) -> bytes:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(COLUMNS)
    for r in reads:
        out.writerow([r.first_seen.isoformat(), r.last_seen.isoformat(), _cell(r.text), f"{r.confidence:.3f}",
                      _cell(r.camera_id), f"{r.latitude:.6f}", f"{r.longitude:.6f}", r.observations, r.id])
    return buf.getvalue().encode()


def statement(ctx: ExportContext, csv_bytes: bytes, ledger_seq: int, log_origin: str) -> bytes:
    """The signed statement: canonical JSON (RFC 8785), so that the same export always gives the same bytes."""
    return rfc8785.dumps({
        "kind": STATEMENT_KIND, "log": log_origin, "ledger_entry": ledger_seq, "request_id": ctx.request_id,
        "case": ctx.case_number, "exported_by": ctx.exported_by, "exported_at": ctx.exported_at.isoformat(),
        "results": max(csv_bytes.count(b"\r\n") - 1, 0), "results_digest": ctx.results_digest,
        "csv_sha256": hashlib.sha256(csv_bytes).hexdigest()})


def signed_pdf(ctx: ExportContext, reads: Sequence[Read], csv_bytes: bytes, signed: bytes, signature: bytes,
               log_key: Verifier) -> bytes:
    """The PDF: a cover with the authorization and how to verify, the sightings table, the CSV and the signed
    statement attached."""
    body = io.BytesIO()
    footer = f"case {ctx.case_number} · search export {ctx.exported_at:%Y-%m-%d %H:%M} UTC"
    with PdfPages(body, metadata={"Title": f"Search results, case {ctx.case_number}", "Creator": "platewarden",
                                  "CreationDate": ctx.exported_at}) as pdf:
        w = PageWriter(pdf, footer)
        w.new_page()
        w.line(f"Search results · case {ctx.case_number}", size=18, weight="bold", gap=0.01)
        w.line(f"Offence: {ctx.offence}", size=10)
        w.line(f"Scope: {ctx.scope}", size=10)
        w.line("Approved by: " + (", ".join(ctx.approvers) or "exigent, review pending"), size=10)
        w.line(f"Exported by {ctx.exported_by} at {ctx.exported_at:%Y-%m-%d %H:%M:%S} UTC · request {ctx.request_id}",
               size=9, color="#4a5568", gap=0.015)
        w.line(f"{len(reads)} sighting(s)", size=12, weight="bold", gap=0.006)
        w.line(f"{'#':>4}  {'first seen (UTC)':19}  {'plate':10}  {'conf.':>5}  {'camera':14}  position", size=8,
               family="monospace", weight="bold")
        for i, r in enumerate(reads, 1):
            w.line(f"{i:>4}  {r.first_seen:%Y-%m-%d %H:%M:%S}  {r.text:10}  {r.confidence:5.2f}  "
                   f"{r.camera_id[:14]:14}  {r.latitude:.5f}, {r.longitude:.5f}", size=8, family="monospace")
        w.y -= 0.02
        w.line("How to verify", size=11, weight="bold")
        w.line("This PDF carries results.csv (the rows above), statement.json (the CSV's SHA-256, the request, the "
               "case and the ledger entry recording this export) and statement.sig, the statement's Ed25519 "
               "signature by the log key below. Check it offline with `platewarden search verify-export FILE.pdf "
               "--key KEY`; the ledger entry holds the same digest.", size=8.5)
        w.line(f"log key {log_key.encode()}", size=7, family="monospace")
        w.line(f"csv sha256 {hashlib.sha256(csv_bytes).hexdigest()}", size=7, family="monospace")
        w.close_page()
    writer = PdfWriter(clone_from=io.BytesIO(body.getvalue()))
    writer.add_attachment("results.csv", csv_bytes)
    writer.add_attachment("statement.json", signed)
    writer.add_attachment("statement.sig", base64.b64encode(signature))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@dataclass
class ExportReport:
    ok: bool
    case: str = ""
    results: int = 0
    ledger_entry: int | None = None
    problems: list[str] = field(default_factory=list)


class ExportError(Invalid):
    pass


def verify_pdf(data: bytes, log_key: Verifier) -> ExportReport:
    """Offline: the statement's signature, and the attached CSV against the digest the statement signs."""
    rep = ExportReport(ok=False)
    try:
        reader = PdfReader(io.BytesIO(data))
        files = {name: contents[0] for name, contents in reader.attachments.items()}
        shown = SHOWN_ROW.findall("\n".join(page.extract_text() for page in reader.pages))
        signed, sig = files["statement.json"], base64.b64decode(files["statement.sig"].strip(), validate=True)
        rows = files["results.csv"]
    except (PyPdfError, KeyError, ValueError, IndexError) as exc:
        rep.problems.append(f"not a signed search export: {exc!s}"[:300])
        return rep
    if not log_key.verify(signed, sig):
        rep.problems.append("the statement's signature does not verify with this key (changed or forged)")
        return rep
    st = json.loads(signed)
    if not isinstance(st, dict) or st.get("kind") != STATEMENT_KIND:
        rep.problems.append("the signed statement is not a search export")
        return rep
    rep.case, rep.results, rep.ledger_entry = st["case"], st["results"], st["ledger_entry"]
    if hashlib.sha256(rows).hexdigest() != st["csv_sha256"]:
        # only the signed CSV is read further: a forged one is reported, never parsed
        rep.problems.append("results.csv differs from the one the statement signs (rows changed, added or removed)")
        return rep
    signed_rows = [(datetime.fromisoformat(r["first_seen_utc"]).strftime("%Y-%m-%d %H:%M:%S"), r["plate"])
                   for r in csv.DictReader(io.StringIO(rows.decode()))]
    if shown != signed_rows:
        rep.problems.append("the sightings printed on the pages are not the signed rows (pages changed)")
    rep.ok = not rep.problems
    return rep
