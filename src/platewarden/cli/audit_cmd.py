"""``platewarden audit reconcile``: governed tables against their seals and the signed ledger. Needs the data
directory (the master key and the log key's public half): run it where the server runs, as its operator or auditor."""

from __future__ import annotations

import sys

import click

from platewarden.cli.common import platform


@click.group("audit")
def audit() -> None:
    """Checks an operator or auditor runs on the live store."""


@audit.command("reconcile")
@click.pass_context
def audit_reconcile(ctx: click.Context) -> None:
    """Check every governed row (search requests, approval steps, accounts, tokens, sessions) against its seal and
    every search authorization against the signed ledger; name each row that disagrees. Exit 1 if any does. The
    outcome (how many, in which tables) is ledgered."""
    from platewarden.governance.reconcile import reconcile_and_record

    with platform(ctx, governed=False, notify=False) as p:
        found = reconcile_and_record(p, "audit reconcile (command line)")
    for d in found:
        click.echo(d.line())
    click.echo(f"{len(found)} disagreement(s)" if found else "every governed row agrees with its seal and the ledger")
    sys.exit(1 if found else 0)
