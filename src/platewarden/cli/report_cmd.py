"""``platewarden report``: disclosures and assessments."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("report")
def report() -> None:
    """Disclosure and compliance reports."""


@report.command("model-card")
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=Path("../shared/data"),
              show_default=True, help="Labelled evaluation sets (skipped when absent).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("docs/model-card.md"),
              show_default=True)
@click.option("--per-condition", type=int, default=60, show_default=True, help="Rendered plates per cell.")
def model_card(data: Path, out: Path, per_condition: int) -> None:
    """Regenerate the algorithm disclosure from the shipped models and the evaluation harness."""
    from platewarden.audit.model_card import build_model_card

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(build_model_card(data if data.is_dir() else None, per_condition), encoding="utf-8")
    click.echo(f"wrote {out}")
