"""Operations: cameras, hotlists, alerts, webhooks, policy, database."""

from __future__ import annotations

import sys
import urllib.parse
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import click

from platewarden.alerts.hotlist_csv import decode_csv
from platewarden.alerts.service import HotlistImportError
from platewarden.cli.auth import current_user
from platewarden.cli.common import platform, refusal_text
from platewarden.cli.remote import path_id, server_for
from platewarden.domain.alerts import AlreadyDisposed, Disposition, UnknownAlert
from platewarden.domain.approvals import ApprovalRefused
from platewarden.domain.cameras import Camera, jurisdictions_from_text
from platewarden.domain.deployment import DeploymentRefused, ProposalStatus, RoadSegment
from platewarden.domain.hotlist import HotlistEntry
from platewarden.domain.plates import Region, normalize_plate
from platewarden.governance.policy_change import PolicyChanges, policy_digest
from platewarden.policy import Policy, PolicyError, load_policy


@click.group("camera")
def camera() -> None:
    """The camera registry."""


def _camera(camera_id: str, name: str, lat: float, lon: float, heading: float | None, segment: str,
            region: str | None = None) -> Camera:
    try:
        return Camera(camera_id, name, lat, lon, heading, segment, jurisdictions_from_text(region))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def _camera_body(cam: Camera, edge_key: str | None) -> dict[str, object]:
    """A camera as the API's CameraIn takes it."""
    return {"camera_id": cam.id, "name": cam.name, "latitude": cam.latitude, "longitude": cam.longitude,
            "heading_deg": cam.heading_deg, "road_segment": cam.road_segment,
            "jurisdictions": list(cam.jurisdictions), "edge_key": edge_key}


def _camera_path(camera_id: str) -> str:
    return urllib.parse.quote(camera_id, safe="")


_camera_options = [
    click.option("--name", required=True, help="Where it stands, as the public will read it."),
    click.option("--lat", type=float, required=True),
    click.option("--lon", type=float, required=True),
    click.option("--heading", type=float, help="Direction it faces, degrees from north."),
    click.option("--segment", required=True, help="Road segment id (platewarden camera segment)."),
    click.option("--region", help="Where this camera's plates come from, for the reader: a region (eu), countries "
                                  "(us, de) or states (us-ca), comma-separated, with optional weights "
                                  "(us-ca:0.7,us-nv:0.3). Default: the policy's recognition.jurisdictions."),
    click.option("--edge-key", help="An edge camera's public signing key (ed25519:..., printed by platewarden edge "
                                    "enroll), registered on approval: its published reads are refused without one."),
]


def camera_options(f: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(_camera_options):
        f = option(f)
    return f


_REFUSED = (ApprovalRefused, DeploymentRefused, KeyError)


@camera.command("segment")
@click.argument("segment_id")
@click.option("--name", required=True)
@click.option("--length-km", type=float, required=True, help="Length of the segment (density = cameras / km).")
@click.option("--area", required=True, help="District or neighbourhood the segment lies in (bias report).")
@click.pass_context
def camera_segment(ctx: click.Context, segment_id: str, name: str, length_km: float, area: str) -> None:
    """Record (or correct) a road segment, the unit of the density rule."""
    try:
        segment = RoadSegment(segment_id, name, length_km, area)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    server = server_for(ctx)
    if server is not None:
        server.call("POST", "/api/cameras/segments", {"id": segment_id, "name": name, "length_km": length_km,
                                                      "area": area})
        click.echo(f"road segment {segment_id}: {length_km:g} km in {area}")
        return
    with platform(ctx, notify=False) as p:
        try:
            p.deployments.add_segment(segment, current_user(ctx, p))
        except _REFUSED as exc:
            raise click.ClickException(refusal_text(exc)) from exc
    click.echo(f"road segment {segment_id}: {length_km:g} km in {area}")


@camera.command("propose")
@click.argument("camera_id")
@camera_options
@click.option("--purpose", required=True, help="What the camera is for.")
@click.option("--justification", required=True, help="Why here and why a camera.")
@click.pass_context
def camera_propose(ctx: click.Context, camera_id: str, name: str, lat: float, lon: float, heading: float | None,
                   segment: str, region: str | None, edge_key: str | None, purpose: str, justification: str) -> None:
    """Propose a camera: it opens the public comment period; its reads are refused until it is approved."""
    cam = _camera(camera_id, name, lat, lon, heading, segment, region)
    server = server_for(ctx)
    if server is not None:
        out = server.call("POST", "/api/cameras/proposals", {**_camera_body(cam, edge_key), "purpose": purpose,
                                                             "justification": justification})
        click.echo(f"proposal {out['id']}: public comment until "
                   f"{datetime.fromisoformat(out['comment_until']):%Y-%m-%d %H:%M %Z}")
        return
    with platform(ctx, notify=False) as p:
        try:
            proposal = p.deployments.propose(current_user(ctx, p), cam, purpose, justification, edge_key)
        except _REFUSED as exc:
            raise click.ClickException(refusal_text(exc)) from exc
    click.echo(f"proposal {proposal.id}: public comment until {proposal.comment_until:%Y-%m-%d %H:%M %Z}")


@camera.command("comment")
@click.argument("proposal_id")
@click.option("--author", default="anonymous", show_default=True)
@click.option("--text", required=True)
@click.pass_context
def camera_comment(ctx: click.Context, proposal_id: str, author: str, text: str) -> None:
    """Record a public comment on a proposal (anyone; the public form does the same)."""
    with platform(ctx, notify=False) as p:
        try:
            p.deployments.comment(proposal_id, author, text)
        except _REFUSED as exc:
            raise click.ClickException(refusal_text(exc)) from exc
    click.echo("comment recorded")


@camera.command("decide")
@click.argument("proposal_id")
@click.argument("decision", type=click.Choice(["approve", "reject"]))
@click.option("--reason", required=True)
@click.option("--density-exception", help="Reasons for approving beyond the density limit (recorded, public).")
@click.pass_context
def camera_decide(ctx: click.Context, proposal_id: str, decision: str, reason: str,
                  density_exception: str | None) -> None:
    """Decide a proposal at your level of the chain (after the comment period)."""
    server = server_for(ctx)
    if server is not None:
        out = server.call("POST", f"/api/cameras/proposals/{path_id(proposal_id, 'proposal')}/decision", {
            "approve": decision == "approve", "reason": reason, "density_exception": density_exception})
        click.echo(f"proposal {proposal_id}: {out['status']}")
        return
    with platform(ctx, notify=False) as p:
        try:
            proposal = p.deployments.decide(proposal_id, current_user(ctx, p), decision == "approve", reason,
                                            density_exception)
        except _REFUSED as exc:
            raise click.ClickException(refusal_text(exc)) from exc
    click.echo(f"proposal {proposal_id}: {proposal.status.value}")


@camera.command("import")
@click.argument("camera_id")
@camera_options
@click.option("--decision-ref", required=True, help="The earlier public decision that approved this camera.")
@click.option("--density-exception", help="Reasons, where the camera is beyond the density limit.")
@click.pass_context
def camera_import(ctx: click.Context, camera_id: str, name: str, lat: float, lon: float, heading: float | None,
                  segment: str, region: str | None, edge_key: str | None, decision_ref: str,
                  density_exception: str | None) -> None:
    """Record a camera approved before platewarden (ethics board only; listed as an import in the reports)."""
    cam = _camera(camera_id, name, lat, lon, heading, segment, region)
    server = server_for(ctx)
    if server is not None:
        server.call("POST", "/api/cameras/import", {**_camera_body(cam, edge_key), "decision_ref": decision_ref,
                                                    "density_exception": density_exception})
        click.echo(f"camera {camera_id} recorded from {decision_ref}")
        return
    with platform(ctx, notify=False) as p:
        try:
            p.deployments.import_existing(cam, decision_ref, current_user(ctx, p), density_exception, edge_key)
        except _REFUSED as exc:
            raise click.ClickException(refusal_text(exc)) from exc
    click.echo(f"camera {camera_id} recorded from {decision_ref}")


@camera.command("decommission")
@click.argument("camera_id")
@click.option("--reason", required=True)
@click.pass_context
def camera_decommission(ctx: click.Context, camera_id: str, reason: str) -> None:
    """Take a camera out of service: its reads are refused from now on."""
    server = server_for(ctx)
    if server is not None:
        server.call("POST", f"/api/cameras/{_camera_path(camera_id)}/decommission", {"reason": reason})
        click.echo(f"camera {camera_id} decommissioned")
        return
    with platform(ctx, notify=False) as p:
        try:
            p.deployments.decommission(camera_id, current_user(ctx, p), reason)
        except _REFUSED as exc:
            raise click.ClickException(refusal_text(exc)) from exc
    click.echo(f"camera {camera_id} decommissioned")


@camera.group("key")
def camera_key() -> None:
    """Edge cameras' signing keys: list, rotate, revoke (a department head or the ethics board; ledgered)."""


@camera_key.command("list")
@click.pass_context
def camera_key_list(ctx: click.Context) -> None:
    """Every registered key: camera, fingerprint, state, since when."""
    with platform(ctx, notify=False) as p:
        for k in p.deployments.keys.all():
            click.echo(f"{k.camera_id:<16} {k.fingerprint} {k.state:<8} registered {k.registered_at:%Y-%m-%d %H:%M} "
                       f"via {k.registered_via}")


@camera_key.command("rotate")
@click.argument("camera_id")
@click.argument("public_key")
@click.option("--reason", required=True)
@click.pass_context
def camera_key_rotate(ctx: click.Context, camera_id: str, public_key: str, reason: str) -> None:
    """Register PUBLIC_KEY (from edge enroll --rotate) as the camera's key; the previous one is retired (reads it
    signed before now are still taken)."""
    server = server_for(ctx)
    if server is not None:
        out = server.call("POST", f"/api/cameras/{_camera_path(camera_id)}/key",
                          {"public_key": public_key, "reason": reason})
        click.echo(f"camera {camera_id}: key {out['fingerprint']} registered, the previous one retired")
        return
    with platform(ctx, notify=False) as p:
        try:
            key = p.deployments.keys.rotate(camera_id, public_key, current_user(ctx, p), reason)
        except _REFUSED as exc:
            raise click.ClickException(refusal_text(exc)) from exc
    click.echo(f"camera {camera_id}: key {key.fingerprint} registered, the previous one retired")


@camera_key.command("revoke")
@click.argument("camera_id")
@click.option("--reason", required=True)
@click.pass_context
def camera_key_revoke(ctx: click.Context, camera_id: str, reason: str) -> None:
    """Revoke every key of the camera (stolen or lost edge): everything they signed is refused from now on."""
    server = server_for(ctx)
    if server is not None:
        server.call("POST", f"/api/cameras/{_camera_path(camera_id)}/key/revoke", {"reason": reason})
        click.echo(f"camera {camera_id}: its keys are revoked; enrol and register a new one to take its reads again")
        return
    with platform(ctx, notify=False) as p:
        try:
            n = p.deployments.keys.revoke(camera_id, current_user(ctx, p), reason)
        except _REFUSED as exc:
            raise click.ClickException(refusal_text(exc)) from exc
    click.echo(f"camera {camera_id}: {n} key(s) revoked; enrol and register a new one to take its reads again")


@camera.command("list")
@click.pass_context
def camera_list(ctx: click.Context) -> None:
    """The public registry, open proposals, density per segment and refused reads."""
    with platform(ctx, notify=False) as p:
        for r in p.deployments.registry():
            c = r.camera
            click.echo(f"{c.id:<16} {r.status:<15} {c.latitude:10.5f} {c.longitude:10.5f} "
                       f"{c.road_segment or '-':<14} {c.name}  [{r.approved_via}]  "
                       f"region {c.jurisdiction_text or 'policy'}")
        for prop in p.deployments.proposals(ProposalStatus.OPEN):
            click.echo(f"proposed {prop.camera.id:<16} comments until {prop.comment_until:%Y-%m-%d} "
                       f"({len(prop.comments)} comments)  id {prop.id}")
        for d in p.deployments.densities():
            flag = "  OVER LIMIT" if d.over else ""
            click.echo(f"segment {d.segment.id:<14} {d.cameras} cameras / {d.segment.length_km:g} km = "
                       f"{d.per_km:.2f}/km (limit {d.limit_per_km:g}){flag}")
        for day, cam, why, n in p.deployments.refusals():
            click.echo(f"refused {day} {cam}: {n} reads ({why})")


@click.group("hotlist")
def hotlist() -> None:
    """Hotlist entries: proposed with a reason, a source and an expiry, approved per the policy."""


@hotlist.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--partial", is_flag=True, help="Import the good rows even if some rows are bad.")
@click.pass_context
def hotlist_import(ctx: click.Context, csv_file: Path, partial: bool) -> None:
    """Propose entries from CSV (plate, region, reason, source, expires_at[, country, make, colour])."""
    try:
        text = decode_csv(csv_file.read_bytes())
    except ValueError as exc:
        raise click.ClickException(refusal_text(exc)) from exc
    server = server_for(ctx)
    if server is not None:
        out = server.call("POST", "/api/hotlist/import", {"csv": text, "partial": partial})
        proposed, skipped = int(out["proposed"]), [(int(r["line"]), str(r["reason"])) for r in out["skipped"]]
    else:
        with platform(ctx, notify=False) as p:
            user = current_user(ctx, p)
            try:
                parsed = p.hotlist.import_csv(text, user, partial)
            except (HotlistImportError, ApprovalRefused, ValueError) as exc:
                raise click.ClickException(refusal_text(exc)) from exc
        proposed, skipped = len(parsed.entries), [(e.line, e.reason) for e in parsed.errors]
    for line, reason in skipped:
        click.echo(f"skipped line {line}: {reason}", err=True)
    click.echo(f"proposed {proposed} entries (pending approval)" + (f", skipped {len(skipped)}" if skipped else ""))


@hotlist.command("add")
@click.argument("plate")
@click.option("--region", type=click.Choice([r.value for r in Region]), required=True)
@click.option("--country")
@click.option("--reason", required=True)
@click.option("--source", required=True)
@click.option("--expires", "expires", required=True, help="ISO date or datetime with zone.")
@click.option("--make")
@click.option("--colour")
@click.pass_context
def hotlist_add(ctx: click.Context, plate: str, region: str, country: str | None, reason: str, source: str,
                expires: str, make: str | None, colour: str | None) -> None:
    """Propose one entry."""
    server = server_for(ctx)
    if server is not None:
        exp = datetime.fromisoformat(expires)
        out = server.call("POST", "/api/hotlist", {
            "plate": normalize_plate(plate), "region": region, "country": country, "reason": reason,
            "source": source, "make": make, "colour": colour,
            "expires_at": (exp if exp.tzinfo else exp.replace(tzinfo=UTC)).isoformat()})
        click.echo(f"proposed {out['plate']} as {out['id']} (pending approval)")
        return
    with platform(ctx, notify=False) as p:
        user = current_user(ctx, p)
        try:
            exp = datetime.fromisoformat(expires)
            exp = exp if exp.tzinfo else exp.replace(tzinfo=UTC)
            e = p.hotlist.propose(HotlistEntry(str(uuid.uuid4()), normalize_plate(plate), Region(region), country,
                                               reason, source, make, colour, user.label, p.clock.now(), exp), user)
        except (ValueError, ApprovalRefused) as exc:
            raise click.ClickException(refusal_text(exc)) from exc
    click.echo(f"proposed {e.plate} as {e.id} (pending approval)")


@hotlist.command("pending")
@click.pass_context
def hotlist_pending(ctx: click.Context) -> None:
    """Hotlist entries waiting for approval, with their provenance."""
    server = server_for(ctx)
    if server is not None:
        for e in server.call("GET", "/api/hotlist/pending"):
            click.echo(f"{e['id']}  {e['plate']:<10} {e['region']:<7} {e['reason']} (source {e['source']}; by "
                       f"{e['added_by']}; expires {datetime.fromisoformat(e['expires_at']):%Y-%m-%d})")
        return
    with platform(ctx, notify=False) as p:
        current_user(ctx, p)
        for e in p.hotlist.pending():
            click.echo(f"{e.id}  {e.plate:<10} {e.region.value:<7} {e.reason} (source {e.source}; by {e.added_by}; "
                       f"expires {e.expires_at:%Y-%m-%d})")


@hotlist.command("list")
@click.option("--state", type=click.Choice(["pending", "active", "expired", "suppressed", "removed"]),
              default="active", show_default=True, help="Which entries (expired: approved, past their expiry).")
@click.pass_context
def hotlist_list(ctx: click.Context, state: str) -> None:
    """The hotlist's entries in one state, with provenance (officers, department heads, auditors); ledgered."""
    server = server_for(ctx)
    if server is not None:
        rows = [(e["id"], e["plate"], e["region"], e["status"], e["reason"], e["source"], e["added_by"],
                 datetime.fromisoformat(e["expires_at"])) for e in server.call("GET", f"/api/hotlist?state={state}")]
    else:
        with platform(ctx, notify=False) as p:
            try:
                entries = p.hotlist.listing(current_user(ctx, p), state)
            except ApprovalRefused as exc:
                raise click.ClickException(refusal_text(exc)) from exc
            rows = [(e.id, e.plate, e.region.value, e.status.value, e.reason, e.source, e.added_by, e.expires_at)
                    for e in entries]
    for eid, plate, region, status, reason, source, by, expires in rows:
        click.echo(f"{eid}  {plate:<10} {region:<7} {status:<10} {reason} (source {source}; by {by}; "
                   f"expires {expires:%Y-%m-%d})")
    click.echo(f"{len(rows)} {state} entries (this listing is ledgered)", err=True)


@hotlist.command("approve")
@click.argument("entry_id")
@click.pass_context
def hotlist_approve(ctx: click.Context, entry_id: str) -> None:
    """Approve a pending hotlist entry at your level of the policy's chain; the last approval activates it."""
    server = server_for(ctx)
    if server is not None:
        out = server.call("POST", f"/api/hotlist/{path_id(entry_id, 'hotlist entry')}/approve")
        click.echo(f"{out['plate']}: {out['status']}")
        return
    with platform(ctx, notify=False) as p:
        try:
            e = p.hotlist.approve(entry_id, current_user(ctx, p))
        except ApprovalRefused as exc:
            raise click.ClickException(refusal_text(exc)) from exc
    click.echo(f"{e.plate}: {e.status.value}")


@click.group("alerts")
def alerts() -> None:
    """Hotlist alerts: review them and record what you saw."""


@alerts.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include alerts that already have a disposition.")
@click.pass_context
def alerts_list(ctx: click.Context, show_all: bool) -> None:
    """Pending alerts with the hotlist record (each look is ledgered)."""
    server = server_for(ctx)
    if server is not None:
        found = server.call("GET", f"/api/alerts?pending={'false' if show_all else 'true'}")
        if not found:
            click.echo("no alerts" if show_all else "no pending alerts")
        for a in found:
            added = datetime.fromisoformat(a["hotlist_added_at"]) if a["hotlist_added_at"] else None
            age = f"{(datetime.now(UTC) - added).days} days old" if added else "entry missing"
            click.echo(f"{a['id']}  {a['disposition'] or 'PENDING':<12} read {a['read_text']} ~ hotlist "
                       f"{a['hotlist_plate']} ({a['hotlist_region'] or '?'}, {a['hotlist_reason'] or '?'}, "
                       f"{a['hotlist_make'] or ''}, {age}) camera {a['camera_id']} at "
                       f"{datetime.fromisoformat(a['seen_at']):%Y-%m-%d %H:%M:%S}  distance {a['distance']:.2f}"
                       f"{'' if a['region_verified'] else '  REGION NOT VERIFIED'}")
        return
    with platform(ctx, notify=False) as p:
        review = p.alert_review
        user = current_user(ctx, p)
        try:
            views = review.all(user) if show_all else review.pending(user)
        except PermissionError as exc:
            raise click.ClickException(refusal_text(exc)) from exc
    if not views:
        click.echo("no alerts" if show_all else "no pending alerts")
    for v in views:
        a, e = v.detail.alert, v.entry
        age = f"{(datetime.now(UTC) - e.added_at).days} days old" if e else "entry missing"
        disp = v.detail.disposition.disposition.value if v.detail.disposition else "PENDING"
        click.echo(f"{a.id}  {disp:<12} read {a.raw_text} ~ hotlist {a.hotlist_plate} "
                   f"({e.region.value if e else '?'}, {e.reason if e else '?'}, {e.make or '' if e else ''}, {age}) "
                   f"camera {v.detail.camera_id} at {a.created_at:%Y-%m-%d %H:%M:%S}  distance {a.distance:.2f}"
                   f"{'' if a.region_verified else '  REGION NOT VERIFIED'}")


@alerts.command("dispose")
@click.argument("alert_id")
@click.argument("disposition", type=click.Choice([d.value for d in Disposition]))
@click.option("--note", default="", help="Required for anything but 'correct'.")
@click.pass_context
def alerts_dispose(ctx: click.Context, alert_id: str, disposition: str, note: str) -> None:
    """Record what the person who compared the crop with the hotlist record concluded."""
    server = server_for(ctx)
    if server is not None:
        server.call("POST", f"/api/alerts/{path_id(alert_id, 'alert')}/disposition",
                    {"disposition": disposition, "note": note})
        click.echo(f"alert {alert_id}: {disposition}")
        return
    with platform(ctx, notify=False) as p:
        try:
            p.alert_review.dispose(current_user(ctx, p), alert_id, Disposition(disposition), note)
        except (ValueError, PermissionError, UnknownAlert, AlreadyDisposed) as exc:
            raise click.ClickException(refusal_text(exc)) from exc
    click.echo(f"alert {alert_id}: {disposition}")


@click.group("webhook")
def webhook() -> None:
    """Where alert notifications go: governed outlets (an https webhook or an mqtts broker topic, proposed and approved
    along
    approvals.notification_outlet, every step ledgered). An outlet learns that an alert exists, where and when;
    the plate and the hotlist record stay in the console."""


@webhook.command("add")
@click.argument("url")
@click.option("--purpose", required=True, help="What the outlet is for and who receives it.")
@click.pass_context
def webhook_add(ctx: click.Context, url: str, purpose: str) -> None:
    """Propose an outlet for alert notifications: https://HOST/PATH (a webhook) or mqtts://[USER@]HOST[:PORT]/TOPIC
    (password in PLATEWARDEN_OUTLET_MQTT_PASSWORD); it receives nothing until approved."""
    server = server_for(ctx)
    if server is not None:
        out = server.call("POST", "/api/outlets", {"url": url, "purpose": purpose})
        click.echo(f"outlet {out['id']} proposed: {out['url']} (awaits approval)")
        return
    with platform(ctx, notify=False) as p:
        actor = current_user(ctx, p)
        try:
            outlet = p.outlets.propose(actor, url, purpose)
        except (ValueError, PermissionError) as exc:
            raise click.ClickException(refusal_text(exc)) from exc
    click.echo(f"outlet {outlet.id} proposed: {outlet.url} (awaits a {p.outlets.chain[1].value})")


@webhook.command("approve")
@click.argument("outlet_id", type=int)
@click.option("--reason", required=True)
@click.option("--reject", is_flag=True, help="Reject instead of approving.")
@click.pass_context
def webhook_approve(ctx: click.Context, outlet_id: int, reason: str, reject: bool) -> None:
    """Decide a proposed outlet (its proposer never can)."""
    server = server_for(ctx)
    if server is not None:
        out = server.call("POST", f"/api/outlets/{outlet_id}/decision", {"approve": not reject, "reason": reason})
        click.echo(f"outlet {out['id']}: {out['status']}")
        return
    with platform(ctx, notify=False) as p:
        actor = current_user(ctx, p)
        try:
            outlet = p.outlets.decide(actor, outlet_id, not reject, reason)
        except (KeyError, ValueError, PermissionError) as exc:
            raise click.ClickException(refusal_text(exc)) from exc
    click.echo(f"outlet {outlet.id}: {outlet.status}")


@webhook.command("remove")
@click.argument("outlet_id", type=int)
@click.option("--reason", required=True)
@click.pass_context
def webhook_remove(ctx: click.Context, outlet_id: int, reason: str) -> None:
    """End an outlet at once (anyone of its chain)."""
    server = server_for(ctx)
    if server is not None:
        server.call("POST", f"/api/outlets/{outlet_id}/remove", {"reason": reason})
        click.echo(f"outlet {outlet_id} removed")
        return
    with platform(ctx, notify=False) as p:
        actor = current_user(ctx, p)
        try:
            p.outlets.remove(actor, outlet_id, reason)
        except (ValueError, PermissionError) as exc:
            raise click.ClickException(refusal_text(exc)) from exc
    click.echo(f"outlet {outlet_id} removed")


@webhook.command("list")
@click.pass_context
def webhook_list(ctx: click.Context) -> None:
    """The outlets: state and delivery failures (their approval chain, auditors, the ethics board)."""
    server = server_for(ctx)
    if server is not None:
        rows = [(o["id"], o["status"], o["enabled"], o["url"], o["consecutive_failures"], o["disabled_reason"])
                for o in server.call("GET", "/api/outlets")]
    else:
        with platform(ctx, notify=False) as p:
            try:
                outlets = p.outlets.visible_to(current_user(ctx, p))
            except PermissionError as exc:
                raise click.ClickException(refusal_text(exc)) from exc
            rows = [(o.id, o.status, o.enabled, o.url, o.consecutive_failures, o.disabled_reason) for o in outlets]
    for oid, status, enabled, url, failures, why in rows:
        state = status if status != "active" else ("active" if enabled else "DISABLED")
        click.echo(f"{oid:>4} {state:<9} {url} failures={failures} {why or ''}".rstrip())


@click.group("policy")
def policy() -> None:
    """The agency's policy file."""


@policy.command("check")
@click.argument("path", type=click.Path(path_type=Path))
def policy_check(path: Path) -> None:
    """Validate a policy file; errors point at the offending line."""
    try:
        pol = load_policy(path)
    except PolicyError as exc:
        for line, msg in exc.problems:
            click.echo(f"{path}:{line}: {msg}" if line else f"{path}: {msg}", err=True)
        sys.exit(1)
    for w in pol.warnings():
        click.echo(f"warning: {w}", err=True)
    click.echo(f"{path}: valid (ordinary retention {pol.retention.ordinary_days} days, historical search approved by "
               f"{' → '.join(r.value for r in pol.approvals.historical_search)})")


def _policy_file(path: Path) -> Policy:
    try:
        return load_policy(path)
    except PolicyError as exc:
        raise click.ClickException(f"{path}: {exc}") from exc


@policy.command("propose")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reason", required=True, help="Why the policy changes (its digest is ledgered).")
@click.pass_context
def policy_propose(ctx: click.Context, path: Path, reason: str) -> None:
    """Propose the policy in PATH (the first role of approvals.policy_change); ledgered by its SHA-256."""
    new = _policy_file(path)
    server = server_for(ctx)
    if server is not None:
        d = server.call("POST", "/api/policy/proposals", {"policy_yaml": path.read_text(), "reason": reason})["sha256"]
        click.echo(f"policy {d} proposed; each later role of the chain runs: platewarden policy approve {path}")
        return
    with platform(ctx, governed=False, notify=False) as p:
        try:
            d = PolicyChanges(p.ledger, p.policy, p.clock).propose(current_user(ctx, p), new, reason)
        except ApprovalRefused as exc:
            raise click.ClickException(f"refused (and ledgered): {exc}") from exc
    click.echo(f"policy {d} proposed; each later role of the chain runs: platewarden policy approve {path}")


@policy.command("approve")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def policy_approve(ctx: click.Context, path: Path) -> None:
    """Approve, at your level of the chain, the policy in PATH (you approve what you read: its digest)."""
    new = _policy_file(path)
    server = server_for(ctx)
    if server is not None:
        done = bool(server.call("POST", "/api/policy/approvals", {"policy_yaml": path.read_text()})["approved"])
    else:
        with platform(ctx, governed=False, notify=False) as p:
            try:
                done = PolicyChanges(p.ledger, p.policy, p.clock).approve(current_user(ctx, p), new)
            except ApprovalRefused as exc:
                raise click.ClickException(f"refused (and ledgered): {exc}") from exc
    click.echo(f"policy {policy_digest(new)}: " + ("approved; set PLATEWARDEN_POLICY to it and restart" if done
                                                   else "your level recorded; the next level decides"))


@policy.command("status")
@click.pass_context
def policy_status(ctx: click.Context) -> None:
    """Whether the policy in force was approved through its chain."""
    server = server_for(ctx)
    if server is not None:
        out = server.call("GET", "/api/policy")
        digest, state = out["sha256"], out["state"]
    else:
        with platform(ctx, governed=False, notify=False) as p:
            digest, state = policy_digest(p.policy), p.policy_changes.state(p.policy)
    words = {"defaults": "the built-in defaults", "approved": "approved"}.get(state, "NOT approved")
    click.echo(f"policy in force sha256 {digest}: {words}")


@policy.command("show")
def policy_show() -> None:
    """Print the built-in default policy as YAML (a starting point for your own)."""
    import yaml

    click.echo(yaml.safe_dump(Policy().model_dump(mode="json"), sort_keys=False))


@click.command("db-upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Create or migrate the database schema."""
    with platform(ctx, governed=False, notify=False) as p:
        click.echo(f"database ready: {p.settings.effective_database_url}")
