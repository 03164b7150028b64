"""``platewarden bench accuracy``: the evaluation harness the model card is built from."""

from __future__ import annotations

import json
from pathlib import Path

import click

from platewarden.cli.options import region_option
from platewarden.recognition.jurisdictions import JurisdictionHint


@click.group("bench")
def bench() -> None:
    """Measurements."""


@bench.command("accuracy")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--ocr-only", is_flag=True, help="Read the labelled boxes directly (no detector).")
@region_option()
@click.option("--json", "as_json", is_flag=True)
@click.option("--limit", type=int, help="Only the first N labelled plates.")
def accuracy(folder: Path, ocr_only: bool, hint: JurisdictionHint, as_json: bool, limit: int | None) -> None:
    """Accuracy on a folder labelled as in openalpr/benchmarks (NAME.txt or labels.tsv: file x y w h TEXT), read
    with the jurisdiction hint --region (as OpenALPR's -c)."""
    from platewarden.evaluation.accuracy import evaluate
    from platewarden.recognition.pipeline import Recognizer

    rec = Recognizer(hint=hint)
    rep = evaluate(folder, rec, ocr_only=ocr_only, limit=limit)
    s = rep.summary()
    if as_json:
        click.echo(json.dumps(s))
        return
    click.echo(f"{s['dataset']} ({s['mode']}, --region {hint})")
    click.echo(f"  images {s['images']}, plates {s['plates']}, unreadable files {s['unreadable_files']}")
    if s["detection_recall"] is not None:
        click.echo(f"  detection recall (IoU ≥ 0.5)   {s['detection_recall']:.1%}")
    click.echo(f"  exact top-1 (O≠0)              {s['exact']:.1%}")
    click.echo(f"  exact top-1, O and 0 merged    {s['exact_o0_merged']:.1%}")
    click.echo(f"  within alternatives            {s['within_alternatives']:.1%}")
    click.echo(f"  character error rate           {s['cer']:.1%}")
    click.echo(f"  latency median / p95           {s['latency_median_ms']} / {s['latency_p95_ms']} ms")
    click.echo("  commonest confusions (truth → read): " +
               ", ".join(f"{a}→{b} ×{n}" for a, b, n in s["confusions"]))
    click.echo("  regions read: " + ", ".join(f"{r} {n}" for r, n in s["regions"].items()))
    click.echo("  leading jurisdictions: " + ", ".join(f"{r} {n}" for r, n in s["jurisdictions"].items()))
    click.echo("  leading formats: " + ", ".join(f"{r} {n}" for r, n in s["formats"].items()))
    if "cut_sensitivity" in s:
        cut = s["cut_sensitivity"]
        click.echo(f"  found plates read right only from the labelled box {cut['right_only_from_labelled_box']}, "
                   f"only from the detector's box {cut['right_only_from_detected_box']}")
    if s.get("by_group"):
        click.echo("  exact by group, weakest first: " +
                   ", ".join(f"{g} {v['exact']:.0%} (n={v['plates']})" for g, v in s["by_group"].items()))
