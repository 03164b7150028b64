"""The HTML report: one self-contained file (charts as inline SVG, no external asset), so that it can be archived,
mailed and opened offline."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from platewarden.audit.compliance.assess import SECTIONS, Assessment, Severity
from platewarden.audit.compliance.plots import DRAW, svg
from platewarden.audit.compliance.sections import RULES, TITLES, key_figures, tables, verdict
from platewarden.audit.compliance.snapshot import Snapshot

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


def render_html(snap: Snapshot, ass: Assessment, digest: str) -> str:
    sections = [{"id": s, "title": TITLES[s], "rule": RULES[s], "verdict": verdict(s, ass),
                 "figures": key_figures(s, snap, ass),
                 "tables": tables(s, snap, ass), "findings": ass.by_section(s),
                 "chart": svg(s, snap, ass) if s in DRAW else None} for s in SECTIONS]
    counts = {s.value: ass.count(s) for s in Severity}
    return environment().get_template("compliance.html").render(
        snap=snap, ass=ass, sections=sections, counts=counts, digest=digest, titles=TITLES)
