"""``platewarden watch``: the live pipeline on a video file, stream or folder, with a status line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from platewarden.cli.common import platform
from platewarden.cli.options import region_option
from platewarden.fusion.fuser import Fuser
from platewarden.governance.deployment import UnapprovedCamera
from platewarden.pipeline.live import LivePipeline, PipelineStats
from platewarden.recognition.jurisdictions import JurisdictionHint, resolve_hint
from platewarden.recognition.pipeline import Recognizer, RecognizerConfig
from platewarden.sources.files import FolderWatcher
from platewarden.sources.video import SourceError, open_source
from platewarden.store.cameras import UnknownCamera


@click.command("watch")
@click.argument("source")
@click.option("--camera", "camera_id", required=True, help="The registered camera this source belongs to.")
@click.option("--start", help="For video files: the wall-clock time of the first frame (ISO 8601 with zone).")
@region_option(default=None)
@click.pass_context
def watch(ctx: click.Context, source: str, camera_id: str, start: str | None, hint: JurisdictionHint | None) -> None:
    """Run recognition → fusion → encrypted store → alerts on SOURCE (video file, rtsp:// or http:// stream, or a
    folder watched for new images)."""
    with platform(ctx) as p:
        try:
            p.deployments.admit(camera_id, count=0, source="watch")
            camera = p.cameras.get(camera_id)
        except (UnapprovedCamera, UnknownCamera) as exc:
            raise click.ClickException(str(exc)) from exc
        rp = p.policy.recognition
        hint = resolve_hint(hint, camera.jurisdictions, rp.jurisdictions)
        pipe = LivePipeline(Recognizer(RecognizerConfig(rp.detection_threshold, rp.min_plate_length,
                                                        rp.min_confidence), hint),
                            Fuser(camera, rp.fusion_gap_seconds, rp.fusion_similarity),
                            p.read_writer(camera_id),
                            p.alerts,
                            on_alert=lambda a, r: click.echo(f"\nALERT {a.id}: read {a.raw_text} ~ hotlist "
                                                             f"{a.hotlist_plate} — confirm before acting"),
                            zones=p.zones,
                            on_zone_alert=lambda z: click.echo(f"\nZONE ALERT {z.id}: {z.sightings} sightings in "
                                                               f"zone {z.zone_id} (platewarden zone alerts)"))
        try:
            if Path(source).is_dir():
                frames = FolderWatcher(Path(source), camera_id, p.clock).frames()
            else:
                when = datetime.fromisoformat(start) if start else None
                frames = open_source(source, camera_id, p.clock, start=when).frames()
        except (SourceError, NotADirectoryError, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc

        def status(s: PipelineStats) -> None:
            click.echo(f"\r{s.frames} frames  {s.fps:5.1f} frames/s  {s.reads} reads  {s.alerts} alerts", nl=False)

        try:
            stats = pipe.run(frames, on_frame=status)
        except KeyboardInterrupt:
            stats = pipe.stats
        click.echo(f"\ndone: {stats.frames} frames, {stats.reads} reads, {stats.alerts} alerts")
