"""``platewarden edge`` (recognition at the camera, reads sealed, signed and published over MQTT; ``edge enroll``
makes the camera's key) and ``platewarden ingest`` (the central consumer; ``ingest identity`` writes the central's
public identity for the edges). Thin: the work is in platewarden.edge."""

from __future__ import annotations

import signal
import socket
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from platewarden.cli.common import platform, settings_from
from platewarden.cli.options import region_option
from platewarden.domain.cameras import Camera
from platewarden.domain.clock import SystemClock
from platewarden.edge.broker import Broker, BrokerUrlError
from platewarden.edge.consumer import MqttIngest
from platewarden.edge.identity import (
    CentralPublic,
    IdentityError,
    enroll,
    fingerprint,
    load_camera_key,
    public_key_text,
)
from platewarden.edge.ingest import ReadIngest
from platewarden.edge.message import CAMERA_ID, MAX_MESSAGE_BYTES
from platewarden.edge.outbox import Outbox, OutboxError
from platewarden.edge.pipeline import EdgePipeline, EdgeStats, ReadSealer
from platewarden.edge.publisher import EdgePublisher
from platewarden.fusion.fuser import Fuser
from platewarden.governance.policy_change import PolicyChanges, PolicyNotApproved
from platewarden.policy import PolicyError, load_policy
from platewarden.recognition.jurisdictions import JurisdictionHint, resolve_hint
from platewarden.recognition.pipeline import Recognizer, RecognizerConfig
from platewarden.sources.files import FolderWatcher
from platewarden.sources.video import SourceError, open_source


def _broker(url: str) -> Broker:
    try:
        return Broker.parse(url)
    except BrokerUrlError as exc:
        raise click.BadParameter(str(exc), param_hint="broker") from exc


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handler(_sig: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop


class _GroupWithDefault(click.Group):
    """A group whose first argument, when it names no subcommand, goes to its default one: ``edge SOURCE`` is
    ``edge run SOURCE``, ``ingest BROKER`` is ``ingest run BROKER``."""

    def __init__(self, *args: Any, default: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._default = default

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = [self._default, *args]
        return super().parse_args(ctx, args)


def _camera_id(camera_id: str) -> str:
    if not CAMERA_ID.match(camera_id):
        raise click.BadParameter("use 1-64 letters, digits, '.', '_' or '-'", param_hint="--camera")
    return camera_id


def camera_key_path(data_dir: Path, camera_id: str) -> Path:
    return data_dir / "edge" / f"{camera_id}.ed25519"


@click.group("edge", cls=_GroupWithDefault, default="run")
def edge() -> None:
    """Edge mode, next to the camera: ``edge enroll`` once, then ``edge [run] SOURCE``."""


@edge.command("enroll")
@click.option("--camera", "camera_id", required=True, help="The camera's id in the central registry.")
@click.option("--rotate", is_flag=True, help="Replace the camera's key (register the new public key first: "
                                              "platewarden camera key rotate).")
@click.pass_context
def edge_enroll(ctx: click.Context, camera_id: str, rotate: bool) -> None:
    """Make this edge camera's signing key (private half 0600 here, never sent) and print the public half, which is
    registered with the camera (camera propose/import --edge-key, or camera key rotate)."""
    _camera_id(camera_id)
    path = camera_key_path(settings_from(ctx).data_dir, camera_id)
    try:
        key = enroll(path, replace=rotate)
    except IdentityError as exc:
        raise click.ClickException(str(exc)) from exc
    text = public_key_text(key)
    click.echo(f"camera {camera_id}: private key in {path}\npublic key (register it with the camera): {text}\n"
               f"fingerprint: {fingerprint(text)}")


@edge.command("status")
@click.option("--camera", "camera_id", required=True, help="The camera's id in the central registry.")
@click.pass_context
def edge_status(ctx: click.Context, camera_id: str) -> None:
    """The outbox's backlog on this device: reads waiting to be sent, and sent but not yet confirmed by a receipt
    from the central (the central's home shows only when each camera last read)."""
    _camera_id(camera_id)
    edge_dir = settings_from(ctx).data_dir / "edge"
    if not (edge_dir / f"outbox-{camera_id}.db").exists():
        raise click.ClickException(f"camera {camera_id} has no outbox in {edge_dir} (edge run has not started here)")
    try:
        outbox = Outbox.open_for(edge_dir, camera_id)
    except OutboxError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        waiting, unsent = len(outbox), outbox.unsent()
    finally:
        outbox.close()
    click.echo(f"camera {camera_id}: {waiting} read(s) in the outbox, {unsent} not yet sent, "
               f"{waiting - unsent} sent and awaiting the central's receipt")


@edge.command("run")
@click.argument("source")
@click.option("--camera", "camera_id", required=True, help="The camera's id in the central registry.")
@click.option("--central", "central_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The central's identity file (platewarden ingest identity): reads are sealed to it and only "
                   "receipts it signed are believed.")
@click.option("--broker", "broker_url", required=True, help="mqtt://HOST[:PORT] or mqtts://[USER@]HOST[:PORT]; "
              "password from PLATEWARDEN_MQTT_PASSWORD, private CA from PLATEWARDEN_MQTT_CA.")
@click.option("--start", help="For video files: the wall-clock time of the first frame (ISO 8601 with zone).")
@click.option("--drain-seconds", default=30.0, show_default=True,
              help="At the end of the source, wait this long for the central store to confirm what is left (it "
                   "stays in the outbox either way and is sent on the next start).")
@region_option(default=None)
@click.pass_context
def edge_run(ctx: click.Context, source: str, camera_id: str, central_file: Path, broker_url: str,
             start: str | None, drain_seconds: float, hint: JurisdictionHint | None) -> None:
    """Recognise plates on SOURCE next to the camera and publish the reads (QoS 1), sealed to the central and signed
    with the camera's key, from a local, encrypted outbox that keeps each read until a receipt signed by the
    central confirms it."""
    _camera_id(camera_id)
    broker = _broker(broker_url)
    settings = settings_from(ctx)
    try:
        central = CentralPublic.load(central_file)
        camera_key = load_camera_key(camera_key_path(settings.data_dir, camera_id))
        policy = load_policy(settings.policy_file)
        outbox = Outbox.open_for(settings.data_dir / "edge", camera_id)
    except (PolicyError, OutboxError, IdentityError) as exc:
        raise click.ClickException(str(exc)) from exc
    clock = SystemClock()
    try:
        if Path(source).is_dir():
            frames = FolderWatcher(Path(source), camera_id, clock).frames()
        else:
            frames = open_source(source, camera_id, clock,
                                 start=datetime.fromisoformat(start) if start else None).frames()
    except (SourceError, NotADirectoryError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    publisher = EdgePublisher(broker, outbox, f"platewarden-edge-{camera_id}", camera_id, central,
                              camera_key=camera_key, clock=clock)
    rp = policy.recognition
    # The position is the central registry's business: reads leave the edge without one.
    here = Camera(camera_id, camera_id, 0.0, 0.0, None, None)
    # the edge does not see the central registry: --region, else the policy's jurisdictions
    reader = Recognizer(RecognizerConfig(rp.detection_threshold, rp.min_plate_length, rp.min_confidence),
                        resolve_hint(hint, (), rp.jurisdictions))
    pipe = EdgePipeline(reader,
                        Fuser(here, rp.fusion_gap_seconds, rp.fusion_similarity), outbox, publisher, clock,
                        ReadSealer(camera_key, central))

    def status(s: EdgeStats) -> None:
        click.echo(f"\r{s.frames} frames  {s.fps:5.1f} frames/s  {s.reads} reads  {s.waiting} waiting  "
                   f"{'connected' if publisher.connected else 'broker unreachable'}", nl=False)

    try:
        try:
            stats = pipe.run(frames, on_frame=status)
        except KeyboardInterrupt:
            stats = pipe.stats
        left = publisher.drain(drain_seconds)
        click.echo(f"\ndone: {stats.frames} frames, {stats.reads} reads, {publisher.confirmed} stored by the "
                   f"central store, {publisher.refused} refused by it, {left} waiting in the outbox")
    finally:
        publisher.close()
        outbox.close()


@click.group("ingest", cls=_GroupWithDefault, default="run")
def ingest() -> None:
    """Central ingest of edge cameras' reads: ``ingest identity`` once for the edges, then ``ingest [run] BROKER``."""


@ingest.command("identity")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the identity file that every edge is given (--central).")
@click.pass_context
def ingest_identity(ctx: click.Context, out: Path) -> None:
    """Write the central's public identity (the key reads are sealed to, the key receipts are signed with). Both are
    derived from the master key; the file holds public keys only."""
    with platform(ctx, notify=False) as p:
        out.write_text(p.central_public_identity().to_json(), encoding="utf-8")
    click.echo(f"wrote {out}: give it to each edge (platewarden edge ... --central {out.name})")


@ingest.command("run")
@click.argument("broker_url", metavar="BROKER")
@click.option("--group", default="platewarden", show_default=True,
              help="Workers with the same group share the reads (MQTT shared subscription).")
@click.option("--client-id", help="A stable id per worker (default: platewarden-ingest-HOSTNAME): unacknowledged "
                                  "reads wait for it across restarts.")
@click.option("--batch", "batch_size", default=500, show_default=True, help="Reads per transaction at most.")
@click.option("--max-bytes", default=MAX_MESSAGE_BYTES, show_default=True, help="Larger messages are refused.")
@click.option("--exit-when-idle", type=float, help="Stop after this many seconds without a message.")
@click.pass_context
def ingest_run(ctx: click.Context, broker_url: str, group: str, client_id: str | None, batch_size: int,
           max_bytes: int, exit_when_idle: float | None) -> None:
    """Consume reads published by edge cameras on BROKER into the central store, idempotently; acknowledge each
    batch only after it is committed. Messages not signed by the camera's registered key, not sealed to this central,
    or whose read fails its checks are refused, counted, ledgered and quarantined (digest only)."""
    broker = _broker(broker_url)
    stop = _stop_on_signals()
    with platform(ctx) as p:
        try:
            PolicyChanges(p.ledger, p.policy, p.clock).require_approved(p.policy)
        except PolicyNotApproved as exc:
            raise click.ClickException(str(exc)) from exc
        worker = MqttIngest(ReadIngest(p, max_bytes), broker, client_id or f"platewarden-ingest-{socket.gethostname()}",
                            group, batch_size)
        try:
            worker.run(stop, exit_when_idle)
        finally:
            worker.close()
        click.echo(worker.ingest.stats.line())
