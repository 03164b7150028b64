"""``platewarden evidence``: export a case's evidence package, and verify one offline."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from platewarden.cli.auth import current_user
from platewarden.cli.common import log_key, platform
from platewarden.cli.remote import server_for
from platewarden.store.permissions import private_file


@click.group("evidence")
def evidence() -> None:
    """Evidence packages a court can verify offline."""


@evidence.command("export")
@click.option("--case", "case_number", required=True)
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def export(ctx: click.Context, case_number: str, out: Path) -> None:
    """The reads the case holds, their crops, proofs to the ledger and a signed checkpoint, in one zip."""
    from platewarden.investigation.evidence import EvidenceError

    server = server_for(ctx)
    if server is not None:
        package, headers = server.fetch("POST", "/api/evidence", {"case_number": case_number})
        with private_file(out) as f:  # plaintext plates and crops: this account only
            f.write(package)
        click.echo(f"{out}: {headers.get('x-evidence-reads', '?')} reads; verify with: platewarden evidence verify "
                   f"{out} --key '{headers.get('x-log-key', 'the agency’s published log key')}'")
        return
    with platform(ctx, notify=False) as p:
        try:
            n = p.evidence.export(current_user(ctx, p), case_number, out)
        except (EvidenceError, PermissionError) as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"{out}: {n} reads; verify with: platewarden evidence verify {out} --key "
                   f"'{p.ledger.public_key.encode()}'")


@evidence.command("verify")
@click.argument("package", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", "key", required=True, help="The log's verifier key (text, or a file holding it).")
def verify(package: Path, key: str) -> None:
    """Offline: exit 0 when every file and every read's proof holds; 1 and the problems otherwise."""
    from platewarden.investigation.evidence import verify_package

    rep = verify_package(package.read_bytes(), log_key(key))
    for problem in rep.problems:
        click.echo(f"PROBLEM {problem}")
    click.echo(f"case {rep.case}: {rep.reads} reads proven; {'intact' if rep.ok else 'NOT intact'}")
    sys.exit(0 if rep.ok else 1)
