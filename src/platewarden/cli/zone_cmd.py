"""``platewarden zone``: designate, decide, list and end watched zones; see their alerts (ledgered)."""

from __future__ import annotations

import json
import urllib.parse
from datetime import datetime

import click

from platewarden.cli.auth import current_user
from platewarden.cli.common import platform, refusal_text
from platewarden.cli.remote import path_id, server_for
from platewarden.domain.approvals import ApprovalRefused
from platewarden.domain.zones import ZoneError

_REFUSED = (ApprovalRefused, ZoneError, KeyError)


@click.group("zone")
def zone() -> None:
    """Zone watch: frequent-presence alerts in designated, approved, expiring zones."""


@zone.command("designate")
@click.option("--name", required=True)
@click.option("--polygon", required=True, help='JSON list of [lat, lon] vertices, e.g. "[[52.36,4.88],...]".')
@click.option("--justification", required=True, help="The evidence that this area needs watching.")
@click.option("--min-sightings", type=int, required=True, help="Sightings of one vehicle that raise an alert.")
@click.option("--window-hours", type=float, required=True, help="Within how many hours.")
@click.option("--expires", required=True, help="When the zone ends (ISO 8601 with zone).")
@click.pass_context
def zone_designate(ctx: click.Context, name: str, polygon: str, justification: str, min_sightings: int,
                   window_hours: float, expires: str) -> None:
    """Designate a zone (an officer): a polygon, the evidence, the frequency test and an expiry. It watches nothing
    until the policy's chain (department head, prosecutor, ethics board) has approved it; only reads seen after
    that count."""
    try:
        vertices = [(float(a), float(b)) for a, b in json.loads(polygon)]
        expires_at = datetime.fromisoformat(expires)
        if expires_at.tzinfo is None:
            raise ValueError("give the expiry with its time zone")
    except (ValueError, TypeError) as exc:
        raise click.BadParameter(str(exc)) from exc
    server = server_for(ctx)
    if server is not None:
        out = server.call("POST", "/api/zones", {
            "name": name, "polygon": vertices, "justification": justification, "min_sightings": min_sightings,
            "window_hours": window_hours, "expires_at": expires_at.isoformat()})
        click.echo(f"zone {out['id']} designated: pending approval along the policy's chain")
        return
    with platform(ctx, notify=False) as p:
        try:
            z = p.zones.designate(current_user(ctx, p), name, vertices, justification, min_sightings, window_hours,
                                  expires_at)
        except _REFUSED as exc:
            raise click.ClickException(refusal_text(exc)) from exc
    click.echo(f"zone {z.id} designated: pending approval by {' → '.join(r.value for r in p.zones.chain[1:])}")


@zone.command("decide")
@click.argument("zone_id")
@click.argument("decision", type=click.Choice(["approve", "reject"]))
@click.option("--reason", required=True)
@click.pass_context
def zone_decide(ctx: click.Context, zone_id: str, decision: str, reason: str) -> None:
    """Approve or reject a pending zone at your level of the chain; the last approval makes it active from now."""
    server = server_for(ctx)
    if server is not None:
        out = server.call("POST", f"/api/zones/{path_id(zone_id, 'zone')}/decision",
                          {"approve": decision == "approve", "reason": reason})
        click.echo(f"zone {zone_id}: {out['status']}")
        return
    with platform(ctx, notify=False) as p:
        try:
            z = p.zones.decide(zone_id, current_user(ctx, p), decision == "approve", reason)
        except _REFUSED as exc:
            raise click.ClickException(refusal_text(exc)) from exc
    click.echo(f"zone {zone_id}: {z.status.value}")


@zone.command("revoke")
@click.argument("zone_id")
@click.option("--reason", required=True)
@click.pass_context
def zone_revoke(ctx: click.Context, zone_id: str, reason: str) -> None:
    """End a zone before its expiry (department head, prosecutor or ethics board): its key, presence tokens and
    alerts are destroyed at once."""
    server = server_for(ctx)
    if server is not None:
        server.call("POST", f"/api/zones/{path_id(zone_id, 'zone')}/revoke", {"reason": reason})
        click.echo(f"zone {zone_id} revoked: its key, presence tokens and alerts are destroyed")
        return
    with platform(ctx, notify=False) as p:
        try:
            p.zones.revoke(zone_id, current_user(ctx, p), reason)
        except _REFUSED as exc:
            raise click.ClickException(refusal_text(exc)) from exc
    click.echo(f"zone {zone_id} revoked: its key, presence tokens and alerts are destroyed")


@zone.command("expire")
@click.pass_context
def zone_expire(ctx: click.Context) -> None:
    """End every zone past its expiry now (the scheduler does it too): keys, tokens and alerts destroyed."""
    with platform(ctx, notify=False) as p:
        ended = p.zones.expire()
    for zone_id in ended:
        click.echo(f"zone {zone_id} expired: its key, presence tokens and alerts are destroyed")
    if not ended:
        click.echo("no zone past its expiry")


@zone.command("list")
@click.pass_context
def zone_list(ctx: click.Context) -> None:
    """Zones with their status, camera density and alert rate (public figures: no plates)."""
    with platform(ctx, notify=False) as p:
        for s in p.zones.stats():
            z = s.zone
            rate = s.alerts_per_1000_sightings
            click.echo(f"{z.id}  {z.status.value:<8} {z.name:<24} ≥{z.min_sightings} in {z.window} until "
                       f"{z.expires_at:%Y-%m-%d}  {s.cameras} cameras / {s.area_km2:.2f} km²  {s.alerts} alerts"
                       f"{'' if rate is None else f' ({rate:.1f} per 1,000 sightings)'}")


@zone.command("alerts")
@click.option("--purpose", required=True, help="Why you look (ledgered).")
@click.pass_context
def zone_alerts(ctx: click.Context, purpose: str) -> None:
    """Frequent-presence alerts with their plates (operators and officers; ledgered)."""
    server = server_for(ctx)
    if server is not None:
        for a in server.call("GET", f"/api/zones/alerts?{urllib.parse.urlencode({'purpose': purpose})}"):
            click.echo(f"{datetime.fromisoformat(a['created_at']):%Y-%m-%d %H:%M}  zone {a['zone_id'][:8]}  "
                       f"{a['plate']:<10} {a['sightings']} sightings")
        return
    with platform(ctx, notify=False) as p:
        try:
            shown = p.zones.alerts(current_user(ctx, p), purpose)
        except _REFUSED as exc:
            raise click.ClickException(refusal_text(exc)) from exc
    for a in shown:
        click.echo(f"{a.created_at:%Y-%m-%d %H:%M}  zone {a.zone_id[:8]}  {a.plate:<10} {a.sightings} sightings")
