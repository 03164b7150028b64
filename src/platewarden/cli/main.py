"""The ``platewarden`` command."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from platewarden import __version__
from platewarden.cli.audit_cmd import audit
from platewarden.cli.bench_cmd import bench
from platewarden.cli.demo_cmd import demo
from platewarden.cli.edge_cmd import edge, ingest
from platewarden.cli.evidence_cmd import evidence
from platewarden.cli.governance_cmd import hold, retention, search, user
from platewarden.cli.ledger_cmd import ledger
from platewarden.cli.ops_cmd import alerts, camera, db_upgrade, hotlist, policy, webhook
from platewarden.cli.recognize_cmd import recognize
from platewarden.cli.report_cmd import report
from platewarden.cli.serve_cmd import serve
from platewarden.cli.share_cmd import share
from platewarden.cli.watch_cmd import watch
from platewarden.cli.zone_cmd import zone
from platewarden.domain.errors import PlatewardenError, Refused


class PlatformGroup(click.Group):
    """Maps the platform's refusals once for every command: the reason, and exit status 1 (governance has already
    ledgered it), never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except PlatewardenError as exc:
            raise click.ClickException(f"refused: {exc}" if isinstance(exc, Refused) else str(exc)) from exc


@click.group(cls=PlatformGroup)
@click.version_option(__version__)
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where the embedded database and keys live (default: PLATEWARDEN_DATA_DIR or "
                   "~/.local/share/platewarden).")
@click.option("--as", "as_user", help="Act as this user (asks for the password); or set PLATEWARDEN_TOKEN.")
@click.option("-v", "--verbose", is_flag=True)
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, as_user: str | None, verbose: bool) -> None:
    """platewarden: licence plate recognition that is accountable by design."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")
    ctx.obj = {"data_dir": data_dir, "as_user": as_user}


COMMANDS = (audit, demo, recognize, watch, camera, hotlist, alerts, webhook, policy, db_upgrade, bench, report, ledger,
            user, search, hold, retention, serve, evidence, zone, share, edge, ingest)
for command in COMMANDS:
    cli.add_command(command)
