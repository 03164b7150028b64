"""``platewarden share``: agreements with other agencies, and receiving their signed share packages.

A shared query itself is ``platewarden search apply --agreement ID`` (approved like any search) and
``platewarden search run ID --share-to FILE``.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from platewarden.cli.auth import current_user
from platewarden.cli.common import platform
from platewarden.cli.remote import path_id, server_for
from platewarden.domain.approvals import ApprovalRefused
from platewarden.domain.sharing import SharingRefused

_REFUSED = (ApprovalRefused, SharingRefused, KeyError)


@click.group("share")
def share() -> None:
    """Cross-border sharing agreements and packages."""


@share.command("propose")
@click.option("--partner", required=True, help="The other agency.")
@click.option("--jurisdiction", required=True, help="ISO country or subdivision code, e.g. DE or US-CA.")
@click.option("--purpose", "purposes", multiple=True, required=True, help="Offence category (repeatable).")
@click.option("--retention-days", type=int, required=True, help="How long the partner may keep shared reads.")
@click.option("--until", required=True, help="When the agreement ends (ISO 8601 with zone).")
@click.option("--partner-key", required=True, help="The partner's ledger verifier key (platewarden ledger key).")
@click.pass_context
def share_propose(ctx: click.Context, partner: str, jurisdiction: str, purposes: tuple[str, ...],
                  retention_days: int, until: str, partner_key: str) -> None:
    """Propose a sharing agreement (a department head): partner, ISO 3166 jurisdiction, purposes, how long the partner
    may keep reads, and the partner's ledger key."""
    try:
        valid_until = datetime.fromisoformat(until)
        if valid_until.tzinfo is None:
            raise ValueError("give the end with its time zone")
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    server = server_for(ctx)
    if server is not None:
        out = server.call("POST", "/api/sharing", {
            "partner": partner, "jurisdiction": jurisdiction, "purposes": list(purposes),
            "retention_days": retention_days, "valid_until": valid_until.isoformat(), "partner_key": partner_key})
        click.echo(f"agreement {out['id']} proposed: pending approval")
        return
    with platform(ctx, notify=False) as p:
        try:
            ag = p.sharing.propose(current_user(ctx, p), partner, jurisdiction, list(purposes), retention_days,
                                   valid_until, partner_key)
        except _REFUSED as exc:
            raise click.ClickException(f"refused (and ledgered): {exc}") from exc
    click.echo(f"agreement {ag.id} proposed: pending approval")


@share.command("decide")
@click.argument("agreement_id")
@click.argument("decision", type=click.Choice(["approve", "reject"]))
@click.option("--reason", required=True)
@click.pass_context
def share_decide(ctx: click.Context, agreement_id: str, decision: str, reason: str) -> None:
    """Approve or reject a pending sharing agreement at your level of the policy's chain."""
    server = server_for(ctx)
    if server is not None:
        out = server.call("POST", f"/api/sharing/{path_id(agreement_id, 'agreement')}/decision",
                          {"approve": decision == "approve", "reason": reason})
        click.echo(f"agreement {agreement_id}: {out['status']}")
        return
    with platform(ctx, notify=False) as p:
        try:
            ag = p.sharing.decide(agreement_id, current_user(ctx, p), decision == "approve", reason)
        except _REFUSED as exc:
            raise click.ClickException(f"refused (and ledgered): {exc}") from exc
    click.echo(f"agreement {agreement_id}: {ag.status.value}")


@share.command("end")
@click.argument("agreement_id")
@click.option("--reason", required=True)
@click.pass_context
def share_end(ctx: click.Context, agreement_id: str, reason: str) -> None:
    """End a sharing agreement: no query is sent or received under it from now on (ledgered)."""
    server = server_for(ctx)
    if server is not None:
        server.call("POST", f"/api/sharing/{path_id(agreement_id, 'agreement')}/end", {"reason": reason})
        click.echo(f"agreement {agreement_id} ended")
        return
    with platform(ctx, notify=False) as p:
        try:
            p.sharing.end(agreement_id, current_user(ctx, p), reason)
        except _REFUSED as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"agreement {agreement_id} ended")


@share.command("list")
@click.pass_context
def share_list(ctx: click.Context) -> None:
    """Sharing agreements with their partner, jurisdiction, purposes, partner retention and status."""
    server = server_for(ctx)
    if server is not None:
        rows = [(a["id"], a["status"], a["partner"], a["jurisdiction"], a["purposes"], a["retention_days"],
                 datetime.fromisoformat(a["valid_until"])) for a in server.call("GET", "/api/sharing")]
    else:
        with platform(ctx, notify=False) as p:
            rows = [(a.id, a.status.value, a.partner, a.jurisdiction, list(a.purposes), a.retention_days,
                     a.valid_until) for a in p.sharing.all()]
    for aid, status, partner, jurisdiction, purposes, days, until in rows:
        click.echo(f"{aid}  {status:<8} {partner} ({jurisdiction})  purposes {', '.join(purposes)}  "
                   f"keep ≤ {days} d  until {until:%Y-%m-%d}")


@share.command("receive")
@click.argument("package", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def share_receive(ctx: click.Context, package: Path) -> None:
    """Check a partner's package (signature, ledger proof, agreement) and ledger its receipt; prints the reads."""
    server = server_for(ctx)
    if server is not None:
        try:
            text = package.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise click.ClickException(f"{package} is not a share package (not UTF-8 JSON)") from exc
        out = server.call("POST", "/api/sharing/received", {"package": text})
        reads, case, sender, delete_by = out["reads"], out["case"], out["sender"], out["delete_by"][:10]
    else:
        with platform(ctx, notify=False) as p:
            try:
                got = p.sharing.receive(current_user(ctx, p), package.read_bytes())
            except _REFUSED as exc:
                raise click.ClickException(f"refused (and ledgered): {exc}") from exc
        reads, case, sender, delete_by = got.reads, got.case, got.sender, f"{got.delete_by:%Y-%m-%d}"
    for r in reads:
        click.echo(json.dumps({k: v for k, v in r.items() if k != "plate_crop_jpeg"}))
    click.echo(f"{len(reads)} reads for case {case} from {sender}; delete by {delete_by} (receipt ledgered)",
               err=True)
