"""``platewarden serve``: the API on the embedded default (or PLATEWARDEN_DATABASE_URL)."""

from __future__ import annotations

import click

from platewarden.cli.common import platform


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--insecure-cookies", is_flag=True, help="Allow session cookies over plain HTTP (local testing only).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, insecure_cookies: bool) -> None:
    """Serve the REST API (OpenAPI at /docs), /healthz and /metrics."""
    import uvicorn

    from platewarden.api import create_app

    with platform(ctx) as p:
        click.echo(f"platewarden API on http://{host}:{port} (data: {p.settings.effective_database_url})")
        uvicorn.run(create_app(p, https_only=not insecure_cookies), host=host, port=port, log_level="info")
