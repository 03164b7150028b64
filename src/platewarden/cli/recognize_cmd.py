"""``platewarden recognize``: plates in images, as JSON lines or a table. Other tools depend on this contract."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from platewarden.cli.options import region_option
from platewarden.domain.observations import PlateObservation
from platewarden.recognition.imageio import ImageError, image_files, read_image
from platewarden.recognition.jurisdictions import JurisdictionHint


def observation_json(o: PlateObservation) -> dict[str, Any]:
    return {
        "text": o.text, "confidence": round(o.confidence, 4), "region": o.region.value, "country": o.country,
        "jurisdiction": o.jurisdiction, "format": o.format, "region_share": round(o.region_share, 4),
        "box": [o.box.x, o.box.y, o.box.w, o.box.h],
        "corners": [[round(x, 1), round(y, 1)] for x, y in o.corners] if o.corners else None,
        "chars": [{"char": c.char, "confidence": round(c.confidence, 4)} for c in o.chars],
        "alternatives": [{"text": a.text, "confidence": round(a.confidence, 4)} for a in o.alternatives],
    }


@click.command("recognize")
@region_option()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per image, one per line.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def recognize(hint: JurisdictionHint, as_json: bool, paths: tuple[Path, ...]) -> None:
    """Read the plates in images (files, or folders searched recursively for images)."""
    from platewarden.recognition.pipeline import Recognizer

    recognizer = Recognizer(hint=hint)
    failed = 0
    files = image_files(list(paths))
    if not files:
        raise click.ClickException("no image files found")
    for path in files:
        t0 = time.perf_counter()
        try:
            img = read_image(path)
            plates = recognizer.recognize(img)
        except ImageError as exc:
            failed += 1
            if as_json:
                click.echo(json.dumps({"path": str(path), "error": str(exc)}))
            else:
                click.echo(f"{path}: ERROR {exc}", err=True)
            continue
        elapsed = (time.perf_counter() - t0) * 1000
        if as_json:
            click.echo(json.dumps({"path": str(path), "width": img.shape[1], "height": img.shape[0],
                                   "elapsed_ms": round(elapsed, 1), "plates": [observation_json(o) for o in plates]},
                                  ensure_ascii=False))
        else:
            click.echo(f"{path}  ({img.shape[1]}x{img.shape[0]}, {elapsed:.0f} ms)")
            if not plates:
                click.echo("    no plate found")
            for o in plates:
                alts = ", ".join(f"{a.text} {a.confidence:.2f}" for a in o.alternatives[:3])
                click.echo(f"    {o.text:<12} {o.confidence:5.2f}  {o.region.value:<7} {o.country or '':<3} "
                           f"box={o.box.x},{o.box.y},{o.box.w},{o.box.h}  alternatives: {alts or '-'}")
    sys.stdout.flush()
    if failed:
        sys.exit(1)
