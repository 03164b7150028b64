"""A search's results taken away as a CSV or a signed PDF: only inside the authorization, ledgered with the file's
digest; the PDF verifies offline with the log key, and a changed row, a planted row, another key's signature or a
PDF without its statement is caught."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
from datetime import timedelta

import pytest
from pypdf import PdfReader, PdfWriter

from platewarden.domain.clock import ManualClock
from platewarden.governance.scope import Query, Scope
from platewarden.governance.search import SearchRefused
from platewarden.investigation.search_export import (
    ExportContext,
    ExportFormat,
    results_csv,
    signed_pdf,
    verify_pdf,
)
from platewarden.ledger.notes import Signer
from platewarden.runtime import Platform
from tests.factories import CAMERA, approve_camera, make_read, people


@pytest.fixture
def authorized(platform: Platform, clock: ManualClock) -> tuple[Platform, dict, str, Query]:  # type: ignore[type-arg]
    p = platform
    who = people(p)
    approve_camera(p, CAMERA, who)
    t0 = clock.now() - timedelta(hours=3)
    p.reads.ingest([make_read("KX7204", t0 + timedelta(minutes=i), n=i) for i in range(3)]
                   + [make_read("=HYPERLINK", t0, n=9)])  # a camera id or text a spreadsheet would run
    scope = Scope(("KX7204",), None, None, t0 - timedelta(hours=1), t0 + timedelta(hours=1), (CAMERA.id,), None,
                  "trace the getaway car", "witness statement")
    req = p.searches.apply(who["officer"], "2026-CR-31", "robbery", scope)
    p.searches.approve(req.id, who["head"])
    p.searches.approve(req.id, who["prosecutor"])
    return p, who, req.id, Query("KX7204", None, scope.time_from, scope.time_to, (CAMERA.id,))


def rewrite(pdf: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    """The PDF again with its attachments changed by ``change`` (a forger's copy)."""
    reader = PdfReader(io.BytesIO(pdf))
    files = {n: c[0] for n, c in reader.attachments.items()}
    change(files)
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    for name, data in files.items():
        writer.add_attachment(name, data)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_signed_pdf_verifies_and_its_export_is_ledgered(authorized) -> None:  # type: ignore[no-untyped-def]
    p, who, rid, q = authorized
    f = p.searches.export(who["officer"], rid, q, ExportFormat.PDF)
    assert f.content.startswith(b"%PDF") and f.results == 3 and f.filename.endswith(".pdf")
    rep = verify_pdf(f.content, p.ledger.public_key)
    assert rep.ok, rep.problems
    assert (rep.case, rep.results, rep.ledger_entry) == ("2026-CR-31", 3, f.ledger_entry)
    entry = dict(p.ledger.parsed())[f.ledger_entry]
    rows = PdfReader(io.BytesIO(f.content)).attachments["results.csv"][0]
    assert entry["kind"] == "search" and entry["body"]["action"] == "export" and entry["body"]["format"] == "pdf"
    assert entry["body"]["csv_sha256"] == hashlib.sha256(rows).hexdigest()  # the auditor finds it in the ledger
    assert "KX7204" not in str(entry)  # the ledger records the export, never the plates
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(f.content)).pages)
    assert "KX7204" in text and "2026-CR-31" in text and "verify-export" in text


@pytest.mark.parametrize("forgery", ["changed_row", "planted_row", "other_key", "no_statement", "not_a_pdf",
                                     "changed_page"])
def test_a_forged_export_is_caught(authorized, clock: ManualClock,  # type: ignore[no-untyped-def]
                                   forgery: str) -> None:
    p, who, rid, q = authorized
    pdf = p.searches.export(who["officer"], rid, q, ExportFormat.PDF).content
    key = p.ledger.public_key

    def change(files: dict[str, bytes]) -> None:
        if forgery == "changed_row":
            files["results.csv"] = files["results.csv"].replace(b"KX7204", b"KX7284", 1)
        elif forgery == "planted_row":
            files["results.csv"] += files["results.csv"].splitlines(keepends=True)[-1].replace(b"KX7204", b"AB1234")
        elif forgery == "no_statement":
            del files["statement.sig"]

    if forgery == "other_key":
        key = Signer.generate(p.ledger.origin).verifier
    elif forgery == "not_a_pdf":
        pdf = b"%PDF-1.4 nothing here"
    elif forgery == "changed_page":  # the signed attachments kept, the printed table redrawn with another car
        files = {n: c[0] for n, c in PdfReader(io.BytesIO(pdf)).attachments.items()}
        ctx = ExportContext(rid, "2026-CR-31", "robbery", "KX7204", (), "officer", clock.now(), "")
        other = [make_read("KX7284", clock.now() - timedelta(hours=3), n=i) for i in range(3)]
        pdf = signed_pdf(ctx, other, files["results.csv"], files["statement.json"],
                         base64.b64decode(files["statement.sig"]), key)
    else:
        pdf = rewrite(pdf, change)
    rep = verify_pdf(pdf, key)
    assert not rep.ok and rep.problems


def test_a_csv_export_is_ledgered_and_safe_to_open(authorized, clock: ManualClock) -> None:  # type: ignore[no-untyped-def]
    p, who, rid, q = authorized
    f = p.searches.export(who["officer"], rid, q, ExportFormat.CSV)
    rows = list(csv.DictReader(io.StringIO(f.content.decode())))
    assert [r["plate"] for r in rows] == ["KX7204"] * 3 and f.media_type.startswith("text/csv")
    assert dict(p.ledger.parsed())[f.ledger_entry]["body"]["csv_sha256"] == hashlib.sha256(f.content).hexdigest()
    planted = results_csv([make_read("=HYPERLINK", clock.now(), n=1)])
    assert b"'=HYPERLINK" in planted and b",=HYPERLINK" not in planted  # a formula never runs in a spreadsheet


def test_an_export_outside_the_authorization_is_refused_and_ledgered(authorized) -> None:  # type: ignore[no-untyped-def]
    p, who, rid, q = authorized
    before = len(p.ledger.parsed())
    with pytest.raises(SearchRefused):  # the applicant's colleague
        p.searches.export(who["officer2"], rid, q, ExportFormat.CSV)
    with pytest.raises(SearchRefused):  # another plate than the authorization names
        p.searches.export(who["officer"], rid, Query("AB1234", None, q.time_from, q.time_to, q.camera_ids),
                          ExportFormat.PDF)
    refused = [e for _, e in p.ledger.parsed()[before:] if e["kind"] == "search_refused"]
    assert len(refused) == 2
    assert not [e for _, e in p.ledger.parsed()[before:] if e["body"].get("action") == "export"]


def test_the_signature_is_over_the_statement_not_the_rows_alone(authorized) -> None:  # type: ignore[no-untyped-def]
    """Re-signing a changed CSV needs the log's private key: the statement names the CSV's digest."""
    p, who, rid, q = authorized
    pdf = p.searches.export(who["officer"], rid, q, ExportFormat.PDF).content
    files = {n: c[0] for n, c in PdfReader(io.BytesIO(pdf)).attachments.items()}
    assert p.ledger.public_key.verify(files["statement.json"], base64.b64decode(files["statement.sig"]))
    assert hashlib.sha256(files["results.csv"]).hexdigest().encode() in files["statement.json"]


def test_verify_export_on_the_command_line(authorized, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from platewarden.cli.main import cli

    p, who, rid, q = authorized
    pdf = tmp_path / "results.pdf"
    pdf.write_bytes(p.searches.export(who["officer"], rid, q, ExportFormat.PDF).content)
    key_file = tmp_path / "log.key"
    key_file.write_text(p.ledger.public_key.encode())
    run = CliRunner()
    for key in (p.ledger.public_key.encode(), str(key_file)):  # the key's text, or a file holding it
        ok = run.invoke(cli, ["search", "verify-export", str(pdf), "--key", key])
        assert ok.exit_code == 0 and "OK: case 2026-CR-31, 3 reads" in ok.output, ok.output
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(rewrite(pdf.read_bytes(), lambda f: f.update({"results.csv": f["results.csv"] + b"x"})))
    bad = run.invoke(cli, ["search", "verify-export", str(forged), "--key", str(key_file)])
    assert bad.exit_code == 1 and "PROBLEM results.csv differs" in bad.output
    assert run.invoke(cli, ["search", "verify-export", str(pdf), "--key", "not-a-key"]).exit_code == 1
