"""One report run: assess a snapshot and write the HTML, the PDF and the findings as JSON into a folder."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from platewarden.audit.compliance.assess import Assessment, assess
from platewarden.audit.compliance.render_html import render_html
from platewarden.audit.compliance.render_pdf import render_pdf
from platewarden.audit.compliance.snapshot import Snapshot
from platewarden.policy.model import Policy
from platewarden.store.permissions import private_file


@dataclass(frozen=True)
class Written:
    assessment: Assessment
    html: Path
    pdf: Path
    findings: Path
    pages: int
    digest: str


def snapshot_bytes(snap: Snapshot) -> bytes:
    return snap.to_json().encode()


def write_report(snap: Snapshot, out: Path, digest: str | None = None, policy: Policy | None = None,
                 population: dict[str, int] | None = None) -> Written:
    """``digest`` is the SHA-256 of the snapshot file the report was made from (of its JSON when omitted)."""
    digest = digest or hashlib.sha256(snapshot_bytes(snap)).hexdigest()
    ass = assess(snap, policy, population)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"compliance-{snap.period_from}-{snap.period_to}"
    # Readable by this account alone, as the snapshot is: the report names cases, cameras and people's roles.
    html = out / f"{stem}.html"
    with private_file(html) as f:
        f.write(render_html(snap, ass, digest).encode("utf-8"))
    pdf = out / f"{stem}.pdf"
    with private_file(pdf):
        pass  # created 0600 before the renderer writes it, so it is never readable by others, not even briefly
    pages = render_pdf(snap, ass, pdf, digest)
    findings = out / f"{stem}.findings.json"
    with private_file(findings) as f:
        f.write(json.dumps({"snapshot_sha256": digest, "period_from": str(snap.period_from),
                            "period_to": str(snap.period_to),
                            "findings": [item.to_json() for item in ass.findings]}, indent=1).encode("utf-8"))
    return Written(ass, html, pdf, findings, pages, digest)
