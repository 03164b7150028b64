"""``platewarden serve``: the API on the embedded default (or PLATEWARDEN_DATABASE_URL)."""

from __future__ import annotations

import socket

import click

from platewarden.cli.common import platform


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--insecure-cookies", is_flag=True, help="Allow session cookies over plain HTTP (local testing only).")
@click.option("--checkpoint-minutes", type=float, default=10.0, show_default=True,
              help="Sign a ledger checkpoint this often.")
@click.option("--scheduler/--no-scheduler", default=True, show_default=True,
              help="Run the background duties (checkpoints, witnesses' cosignatures, daily retention) here; with "
                   "several servers behind a proxy, one runs them (docs/deployment.md).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, insecure_cookies: bool, checkpoint_minutes: float,
          scheduler: bool) -> None:
    """Serve the console and REST API (OpenAPI at /docs), /healthz and /metrics; sign checkpoints on a schedule
    and run retention daily."""
    import uvicorn

    from platewarden.governance.policy_change import PolicyChanges, PolicyNotApproved
    from platewarden.scheduler import Scheduler
    from platewarden.server import create_app

    _port_is_free(host, port)
    with platform(ctx) as p:
        try:
            PolicyChanges(p.ledger, p.policy, p.clock).require_approved(p.policy)
        except PolicyNotApproved as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"platewarden on http://{host}:{port} (data: {p.settings.effective_database_url})")
        duties = Scheduler(p, checkpoint_seconds=checkpoint_minutes * 60) if scheduler else None
        if duties is not None:
            duties.start()
        try:
            uvicorn.run(create_app(p, https_only=not insecure_cookies), host=host, port=port, log_level="info")
        finally:
            if duties is not None:
                duties.stop()


def _port_is_free(host: str, port: int) -> None:
    """Say so before starting anything (and before printing a URL that would not answer)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise click.ClickException(f"cannot serve on {host}: {exc.strerror}") from exc
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(address)
        except OSError as exc:
            raise click.ClickException(f"port {port} on {host} is taken ({exc.strerror}): another server runs "
                                       "there; stop it or pass --port") from exc
