"""Accounts, searches under approval, holds and retention, from the command line."""

from __future__ import annotations

import json
import sys
import urllib.parse
from datetime import datetime
from pathlib import Path

import click

from platewarden.cli.auth import current_user
from platewarden.cli.common import log_key, platform
from platewarden.cli.remote import URL_ENV, Server, ServerRefused, configured, path_id, server_for
from platewarden.domain.approvals import ApprovalRefused
from platewarden.domain.plates import normalize_plate
from platewarden.domain.sharing import SharingRefused
from platewarden.governance.accounts import AccountError, AuthError
from platewarden.governance.retention import HoldRefused
from platewarden.governance.scope import Query, Scope, ScopeError
from platewarden.governance.search import Decision, SearchRefused
from platewarden.policy.model import Role
from platewarden.store.permissions import private_file


def _when(value: str) -> datetime:
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        raise click.BadParameter(f"{value!r} needs a time zone, e.g. 2026-11-02T08:00:00+00:00")
    return dt


def _area(value: str | None) -> tuple[float, float, float, float] | None:
    if not value:
        return None
    parts = [float(x) for x in value.split(",")]
    if len(parts) != 4:
        raise click.BadParameter("area is min_lat,min_lon,max_lat,max_lon")
    return (parts[0], parts[1], parts[2], parts[3])


@click.group("user")
def user() -> None:
    """Accounts (administrators only)."""


@user.command("create")
@click.argument("username")
@click.option("--name", "full_name", required=True)
@click.option("--org", "organisation", required=True)
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in Role]))
@click.option("--bootstrap", is_flag=True, help="Create the very first account (an administrator).")
@click.pass_context
def user_create(ctx: click.Context, username: str, full_name: str, organisation: str, roles: tuple[str, ...],
                bootstrap: bool) -> None:
    """Create a local account with its roles (an administrator; --bootstrap for the very first account, on the data
    directory only). Its roles wait for a department head's or the ethics board's approval (``user grant``)."""
    server = None if bootstrap else server_for(ctx)
    password = click.prompt(f"password for {username}", hide_input=True, confirmation_prompt=True, err=True)
    if server is not None:
        server.call("POST", "/api/users", {"username": username, "full_name": full_name,
                                           "organisation": organisation, "roles": list(roles), "password": password})
        click.echo(f"created {username} ({', '.join(sorted(roles))}); its roles wait for approval (user grant)")
        return
    if bootstrap and configured():
        raise click.ClickException(f"--bootstrap works on the data directory: unset {URL_ENV} to run it there")
    with platform(ctx, notify=False) as p:
        actor = None if bootstrap else current_user(ctx, p)
        try:
            u = p.accounts.create(actor, username, full_name, organisation, {Role(r) for r in roles}, password)
        except (AccountError, PermissionError, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"created {u.label} ({', '.join(sorted(roles))})")


@user.command("token")
@click.option("--label", default="cli", show_default=True)
@click.option("--days", type=click.IntRange(1, 366), help="Expiry (default and maximum: the policy's token_days).")
@click.option("--list", "list_", is_flag=True, help="List your tokens (ids, expiry, revoked).")
@click.option("--revoke", "revoke_id", metavar="ID", help="Revoke a token by its id (yours; an administrator: any).")
@click.pass_context
def user_token(ctx: click.Context, label: str, days: int | None, list_: bool, revoke_id: str | None) -> None:
    """Issue an API token for yourself (shown once; set it as PLATEWARDEN_TOKEN), list yours, or revoke one.
    With PLATEWARDEN_URL set, through the server: ``platewarden --as NAME user token`` needs no data directory."""
    server = server_for(ctx)
    if server is not None:
        if revoke_id:
            server.call("DELETE", f"/api/tokens/{urllib.parse.quote(revoke_id, safe='')}")
            click.echo(f"token {revoke_id} revoked")
        elif list_:
            for t in server.call("GET", "/api/tokens"):
                expires = datetime.fromisoformat(t["expires_at"]) if t["expires_at"] else None
                state = "revoked" if t["revoked"] else f"expires {expires:%Y-%m-%d}" if expires else "expired"
                click.echo(f"{t['id']}  {t['label']:<20} issued {datetime.fromisoformat(t['created_at']):%Y-%m-%d}"
                           f"  {state}")
        else:
            click.echo(server.call("POST", "/api/tokens", {"label": label, "days": days})["token"])
        return
    with platform(ctx, notify=False) as p:
        me = current_user(ctx, p)
        try:
            if revoke_id:
                p.accounts.revoke_token(me, revoke_id)
                click.echo(f"token {revoke_id} revoked")
            elif list_:
                for t in p.accounts.tokens(me):
                    state = "revoked" if t.revoked else f"expires {t.expires_at:%Y-%m-%d}" if t.expires_at \
                        else "expired"
                    click.echo(f"{t.id}  {t.label:<20} issued {t.created_at:%Y-%m-%d}  {state}")
            else:
                click.echo(p.accounts.issue_token(me, label, days))
        except (AccountError, PermissionError) as exc:
            raise click.ClickException(str(exc)) from exc


@user.command("list")
@click.pass_context
def user_list(ctx: click.Context) -> None:
    """Every account: roles, state, second factor (administrators)."""
    server = server_for(ctx)
    if server is not None:
        for a in server.call("GET", "/api/users"):
            state = "deactivated" if not a["active"] else "LOCKED" if a["locked"] else "active"
            click.echo(f"{a['username']:<20} {state:<12} {'2FA' if a['second_factor'] else '-':<4} "
                       f"{','.join(a['roles']):<40} {a['full_name']}")
        return
    with platform(ctx, notify=False) as p:
        try:
            accounts = p.accounts.all(current_user(ctx, p))
        except PermissionError as exc:
            raise click.ClickException(str(exc)) from exc
        for a in accounts:
            state = "deactivated" if not a.active else "LOCKED" if a.locked else "active"
            click.echo(f"{a.user.username:<20} {state:<12} {'2FA' if a.mfa else '-':<4} "
                       f"{','.join(sorted(r.value for r in a.user.roles)):<40} {a.user.full_name}")


def _account_id(server: Server, username: str) -> str:
    """An account's id from its user name, as an administrator sees the accounts on the server."""
    found = next((a["id"] for a in server.call("GET", "/api/users") if a["username"] == username), None)
    if found is None:
        raise click.ClickException(f"no account {username!r}")
    return urllib.parse.quote(str(found), safe="")


def _account_change(action: str, doc: str) -> click.Command:
    @click.argument("username")
    @click.pass_context
    def change(ctx: click.Context, username: str) -> None:
        server = server_for(ctx)
        if server is not None:
            server.call("POST", f"/api/users/{_account_id(server, username)}/{action}")
            click.echo(f"{username}: {action.replace('_', ' ')} done (ledgered)")
            return
        with platform(ctx, notify=False) as p:
            try:
                target = p.accounts.by_username(username)
                getattr(p.accounts, action)(current_user(ctx, p), target.id)
            except (AccountError, PermissionError) as exc:
                raise click.ClickException(str(exc)) from exc
        click.echo(f"{username}: {action.replace('_', ' ')} done (ledgered)")

    change.__doc__ = doc
    return user.command(action.replace("_", "-"))(change)


_account_change("deactivate", "Deactivate an account: every session and token of it ends at once (administrators).")
_account_change("reactivate", "Reactivate a deactivated account (administrators).")
_account_change("unlock", "Unlock an account locked after repeated failed sign-ins (administrators).")


@user.command("grant")
@click.argument("username", required=False)
@click.option("--list", "list_", is_flag=True, help="Accounts whose roles wait for your approval.")
@click.pass_context
def user_grant(ctx: click.Context, username: str | None, list_: bool) -> None:
    """Approve the roles an administrator gave USERNAME (a department head or the ethics board; never the
    administrator who created it): the account becomes active. Ledgered."""
    server = server_for(ctx)
    if server is not None:
        waiting = server.call("GET", "/api/users/awaiting-grant")
        if list_ or not username:
            for a in waiting:
                click.echo(f"{a['username']:<20} {','.join(a['roles']):<30} {a['full_name']} ({a['organisation']})")
            return
        target = next((a["id"] for a in waiting if a["username"] == username), None)
        if target is None:
            raise click.ClickException(f"no account {username!r} waits for your approval")
        server.call("POST", f"/api/users/{urllib.parse.quote(target, safe='')}/grant")
        click.echo(f"{username}: roles approved, account active (ledgered)")
        return
    with platform(ctx, notify=False) as p:
        me = current_user(ctx, p)
        try:
            if list_ or not username:
                for a in p.accounts.awaiting_grant(me):
                    click.echo(f"{a.user.username:<20} {','.join(sorted(r.value for r in a.user.roles)):<30} "
                               f"{a.user.full_name} ({a.user.organisation})")
                return
            p.accounts.approve_grant(me, p.accounts.by_username(username).id)
        except (AccountError, PermissionError) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"{username}: roles approved, account active (ledgered)")


@user.command("roles")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in Role]))
@click.pass_context
def user_roles(ctx: click.Context, username: str, roles: tuple[str, ...]) -> None:
    """Set an account's roles (administrators); every session and token of it ends."""
    server = server_for(ctx)
    if server is not None:
        server.call("PUT", f"/api/users/{_account_id(server, username)}/roles", {"roles": list(roles)})
        click.echo(f"{username}: roles {', '.join(sorted(roles))} (sessions and tokens ended)")
        return
    with platform(ctx, notify=False) as p:
        try:
            p.accounts.set_roles(current_user(ctx, p), p.accounts.by_username(username).id, {Role(r) for r in roles})
        except (AccountError, PermissionError, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"{username}: roles {', '.join(sorted(roles))} (sessions and tokens ended)")


@user.command("password")
@click.pass_context
def user_password(ctx: click.Context) -> None:
    """Change your password (--as USERNAME); every session and token of yours ends."""
    server = server_for(ctx)
    if server is not None:
        old = click.prompt("current password", hide_input=True, err=True)
        new = click.prompt("new password", hide_input=True, confirmation_prompt=True, err=True)
        server.call("POST", "/api/account/password", {"old_password": old, "new_password": new})
        click.echo("password changed; sign in again everywhere")
        return
    with platform(ctx, notify=False) as p:
        me = current_user(ctx, p)
        old = click.prompt("current password", hide_input=True, err=True)
        new = click.prompt("new password", hide_input=True, confirmation_prompt=True, err=True)
        try:
            p.accounts.change_password(me, old, new)
        except (AccountError, AuthError) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo("password changed; sign in again everywhere")


@user.group("mfa")
def user_mfa() -> None:
    """The second factor (TOTP): enrol yours, or reset someone's (administrators)."""


@user_mfa.command("enrol")
@click.pass_context
def user_mfa_enrol(ctx: click.Context) -> None:
    """Start enrolling an authenticator (--as USERNAME): prints the otpauth:// URI to add to it; then run
    ``user mfa confirm CODE`` with the code it shows."""
    server = server_for(ctx, enrolling=True)
    if server is not None:
        uri = str(server.call("POST", "/api/account/mfa")["otpauth_uri"])
        name = (ctx.find_root().obj or {}).get("as_user") or "USERNAME"
    else:
        with platform(ctx, notify=False) as p:
            me = current_user(ctx, p, enrolling=True)
            try:
                uri = p.accounts.start_mfa(me)
            except AccountError as exc:
                raise click.ClickException(str(exc)) from exc
        name = me.username
    click.echo(f"add this to your authenticator app, then run: platewarden --as {name} user mfa confirm CODE\n{uri}")


@user_mfa.command("confirm")
@click.argument("code")
@click.pass_context
def user_mfa_confirm(ctx: click.Context, code: str) -> None:
    """Confirm the enrolment with the authenticator's current code; prints ten one-time recovery codes."""
    server = server_for(ctx, enrolling=True)
    if server is not None:
        codes = [str(c) for c in server.call("POST", "/api/account/mfa/confirm", {"code": code})["recovery_codes"]]
    else:
        with platform(ctx, notify=False) as p:
            me = current_user(ctx, p, enrolling=True)
            try:
                codes = p.accounts.confirm_mfa(me, code)
            except (AccountError, AuthError) as exc:
                raise click.ClickException(str(exc)) from exc
    click.echo("enrolled. Recovery codes (each signs in once; keep them safe, they are not shown again):")
    click.echo("\n".join(codes))


@user_mfa.command("reset")
@click.argument("username")
@click.pass_context
def user_mfa_reset(ctx: click.Context, username: str) -> None:
    """Reset a lost second factor (administrators): the user enrols again at the next sign-in; sessions end."""
    server = server_for(ctx)
    if server is not None:
        server.call("POST", f"/api/users/{_account_id(server, username)}/reset-mfa")
        click.echo(f"{username}: second factor reset (ledgered)")
        return
    with platform(ctx, notify=False) as p:
        try:
            p.accounts.reset_mfa(current_user(ctx, p), p.accounts.by_username(username).id)
        except (AccountError, PermissionError) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"{username}: second factor reset (ledgered)")


@click.group("search")
def search() -> None:
    """Historical searches: apply, approve along the chain, run inside the authorization."""


@search.command("apply")
@click.option("--case", "case_number", required=True)
@click.option("--offence", required=True)
@click.option("--plate", "plates", multiple=True, help="Exact plate (repeatable).")
@click.option("--pattern", help="Partial plate: '*' any run, '?' one character.")
@click.option("--pattern-reason", help="Why only part of the plate is known (required with --pattern).")
@click.option("--from", "time_from", required=True)
@click.option("--to", "time_to", required=True)
@click.option("--camera", "cameras", multiple=True)
@click.option("--area", help="min_lat,min_lon,max_lat,max_lon")
@click.option("--purpose", required=True)
@click.option("--justification", required=True)
@click.option("--exigent", is_flag=True, help="Exigent circumstances: runs at once, reviewed within hours.")
@click.option("--agreement", help="A partner agency's question under this sharing agreement (platewarden share).")
@click.pass_context
def search_apply(ctx: click.Context, case_number: str, offence: str, plates: tuple[str, ...], pattern: str | None,
                 pattern_reason: str | None, time_from: str, time_to: str, cameras: tuple[str, ...],
                 area: str | None, purpose: str, justification: str, exigent: bool, agreement: str | None) -> None:
    """Apply for a historical search (an officer): case, offence, plates or a reasoned partial pattern, window, cameras
    or area, purpose. It runs only once the policy's chain has approved it (--exigent: at once, reviewed
    afterwards)."""
    scope = Scope(tuple(normalize_plate(x) for x in plates), pattern.upper() if pattern else None, pattern_reason,
                  _when(time_from), _when(time_to), cameras, _area(area), purpose, justification)
    server = server_for(ctx)
    if server is not None:
        if agreement:
            raise click.ClickException("a partner agency's question is put where the data directory is "
                                       f"(unset {URL_ENV})")
        out = server.call("POST", "/api/searches", {
            "case_number": case_number, "offence": offence, "exigent": exigent, "scope": {
                "plates": list(scope.plates), "pattern": scope.pattern, "pattern_reason": scope.pattern_reason,
                "time_from": scope.time_from.isoformat(), "time_to": scope.time_to.isoformat(),
                "camera_ids": list(scope.camera_ids), "area": scope.area, "purpose": purpose,
                "justification": justification}})
        until = datetime.fromisoformat(out["valid_until"]) if out.get("valid_until") else None
        click.echo(f"{out['id']} {out['status']}" + (f" until {until:%Y-%m-%d %H:%M}" if until else ""))
        return
    with platform(ctx, notify=False) as p:
        try:
            if agreement and exigent:
                raise ScopeError("a shared query is never exigent")
            req = (p.sharing.apply(current_user(ctx, p), agreement, case_number, offence, scope) if agreement
                   else p.searches.apply(current_user(ctx, p), case_number, offence, scope, exigent))
        except (ApprovalRefused, ScopeError, SharingRefused) as exc:
            raise click.ClickException(f"refused (and ledgered): {exc}") from exc
    click.echo(f"{req.id} {req.status.value}" + (f" until {req.valid_until:%Y-%m-%d %H:%M}" if req.valid_until
                                                 else ""))


def _decide(ctx: click.Context, action: str, request_id: str, reason: str, upheld: bool = True) -> None:
    server = server_for(ctx)
    if server is not None:
        body: dict[str, object] = {"reason": reason} if action != "review" else {"reason": reason, "upheld": upheld}
        out = server.call("POST", f"/api/searches/{path_id(request_id, 'search request')}/{action}", body)
        click.echo(f"{out['id']} {out['status']}")
        return
    with platform(ctx, notify=False) as p:
        u = current_user(ctx, p)
        decision = Decision(action) if action != "review" else Decision.UPHOLD if upheld else Decision.NOT_UPHELD
        try:
            req = p.searches.decide(request_id, u, decision, reason)
        except (ApprovalRefused, KeyError) as exc:
            raise click.ClickException(f"refused (and ledgered): {exc}") from exc
    click.echo(f"{req.id} {req.status.value}")


@search.command("approve")
@click.argument("request_id")
@click.option("--reason", default="")
@click.pass_context
def search_approve(ctx: click.Context, request_id: str, reason: str) -> None:
    """Approve a search request at your level of the chain (department head, then prosecutor)."""
    _decide(ctx, "approve", request_id, reason)


@search.command("reject")
@click.argument("request_id")
@click.option("--reason", required=True)
@click.pass_context
def search_reject(ctx: click.Context, request_id: str, reason: str) -> None:
    """Reject a search request at your level of the chain, with the reason (ledgered)."""
    _decide(ctx, "reject", request_id, reason)


@search.command("revoke")
@click.argument("request_id")
@click.option("--reason", required=True)
@click.pass_context
def search_revoke(ctx: click.Context, request_id: str, reason: str) -> None:
    """Revoke an active search authorization: no search runs under it from now on (ledgered)."""
    _decide(ctx, "revoke", request_id, reason)


@search.command("review")
@click.argument("request_id")
@click.option("--not-upheld", is_flag=True, help="The exigent use was not justified.")
@click.option("--reason", required=True)
@click.pass_context
def search_review(ctx: click.Context, request_id: str, not_upheld: bool, reason: str) -> None:
    """After-the-fact review of an exigent search (department head and prosecutor)."""
    _decide(ctx, "review", request_id, reason, upheld=not not_upheld)


@search.command("list")
@click.pass_context
def search_list(ctx: click.Context) -> None:
    """Search requests you may see, with their status and who must act next."""
    server = server_for(ctx)
    if server is not None:
        for r in server.call("GET", "/api/searches"):
            steps = ", ".join(f"{s['role']}:{s['decision']}" for s in r["steps"]) or "-"
            click.echo(f"{r['id']}  {r['status']:<8} case {r['case_number']} {r['offence']} "
                       f"{'EXIGENT ' if r['exigent'] else ''}steps [{steps}]"
                       f"{'  REVIEW OVERDUE' if r['review_overdue'] else ''}")
        return
    with platform(ctx, notify=False) as p:
        u = current_user(ctx, p)
        try:
            visible = p.searches.visible_to(u)  # the same rule as the API and the console: an officer sees their own
        except ApprovalRefused as exc:
            raise click.ClickException(str(exc)) from exc
        overdue = {r.id for r in p.searches.overdue_reviews()}
        for r in visible:
            steps = ", ".join(f"{s.role.value}:{s.decision}" for s in r.steps) or "-"
            flag = "  REVIEW OVERDUE" if r.id in overdue else ""
            click.echo(f"{r.id}  {r.status.value:<8} case {r.case_number} {r.offence} "
                       f"{'EXIGENT ' if r.exigent else ''}steps [{steps}]{flag}")


@search.command("run")
@click.argument("request_id")
@click.option("--plate")
@click.option("--pattern")
@click.option("--from", "time_from", required=True)
@click.option("--to", "time_to", required=True)
@click.option("--camera", "cameras", multiple=True)
@click.option("--area")
@click.option("--share-to", type=click.Path(dir_okay=False, path_type=Path),
              help="A shared query: write the signed package for the partner agency here.")
@click.option("--export-to", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the results to a file instead (.csv, or .pdf signed with the log key); ledgered.")
@click.pass_context
def search_run(ctx: click.Context, request_id: str, plate: str | None, pattern: str | None, time_from: str,
               time_to: str, cameras: tuple[str, ...], area: str | None, share_to: Path | None,
               export_to: Path | None) -> None:
    """Run a search inside an active authorization (JSON lines of the matching reads)."""
    q = Query(plate, pattern.upper() if pattern else None, _when(time_from), _when(time_to), cameras, _area(area))
    if export_to is not None:
        _export(ctx, request_id, q, export_to)
        return
    server = server_for(ctx)
    if server is not None:
        if share_to is not None:
            raise click.ClickException(f"a share package is written where the data directory is (unset {URL_ENV})")
        try:
            out = server.call("POST", f"/api/searches/{path_id(request_id, 'search request')}/run", {
                "plate": q.plate, "pattern": q.pattern, "time_from": q.time_from.isoformat(),
                "time_to": q.time_to.isoformat(), "camera_ids": list(q.camera_ids), "area": q.area})
        except ServerRefused as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        for r in out["reads"]:
            click.echo(json.dumps({"read_id": r["id"], "text": r["text"], "camera_id": r["camera_id"],
                                   "first_seen": r["first_seen"], "latitude": r["latitude"],
                                   "longitude": r["longitude"], "confidence": round(r["confidence"], 3)}))
        click.echo(f"{len(out['reads'])} reads (digest {out['results_digest'][:16]}…, ledgered)", err=True)
        return
    with platform(ctx, notify=False) as p:
        try:
            if share_to is not None:
                package = p.sharing.send(current_user(ctx, p), request_id, q)
                with private_file(share_to) as f:  # plaintext reads for the partner: this account only
                    f.write(package)
                click.echo(f"signed share package written to {share_to} (sent and ledgered)")
                return
            res = p.searches.search(current_user(ctx, p), request_id, q)
        except (SearchRefused, SharingRefused) as exc:
            click.echo(f"refused (and ledgered): {exc}", err=True)
            sys.exit(1)
    for r in res.reads:
        click.echo(json.dumps({"read_id": r.id, "text": r.text, "camera_id": r.camera_id,
                               "first_seen": r.first_seen.isoformat(), "latitude": r.latitude,
                               "longitude": r.longitude, "confidence": round(r.confidence, 3)}))
    click.echo(f"{len(res.reads)} reads (digest {res.digest[:16]}…, ledgered)", err=True)


def _export(ctx: click.Context, request_id: str, q: Query, out: Path) -> None:
    from platewarden.investigation.search_export import ExportFormat

    try:
        fmt = ExportFormat(out.suffix.lower().lstrip("."))
    except ValueError:
        raise click.ClickException(f"{out}: an export is a .csv or a .pdf file") from None
    server = server_for(ctx)
    if server is not None:
        try:
            content, headers = server.fetch("POST", f"/api/searches/{path_id(request_id, 'search request')}/export", {
                "plate": q.plate, "pattern": q.pattern, "time_from": q.time_from.isoformat(),
                "time_to": q.time_to.isoformat(), "camera_ids": list(q.camera_ids), "area": q.area,
                "format": fmt.value})
        except ServerRefused as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        results, entry = headers.get("x-export-results", "?"), headers.get("x-ledger-entry", "?")
    else:
        with platform(ctx, notify=False) as p:
            try:
                f = p.searches.export(current_user(ctx, p), request_id, q, fmt)
            except SearchRefused as exc:
                click.echo(f"refused (and ledgered): {exc}", err=True)
                sys.exit(1)
        content, results, entry = f.content, str(f.results), str(f.ledger_entry)
    with private_file(out) as fh:  # plaintext plates: this account only
        fh.write(content)
    click.echo(f"{out}: {results} reads, export ledgered as entry {entry}")


@search.command("verify-export")
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", "key", required=True, help="The log's verifier key (text, or a file holding it).")
def verify_export(pdf: Path, key: str) -> None:
    """Offline: exit 0 when a signed search export's rows are those the log key signed; 1 and the problems
    otherwise."""
    from platewarden.investigation.search_export import verify_pdf

    rep = verify_pdf(pdf.read_bytes(), log_key(key))
    for problem in rep.problems:
        click.echo(f"PROBLEM {problem}")
    if not rep.ok:
        sys.exit(1)
    click.echo(f"OK: case {rep.case}, {rep.results} reads, signed by the log key; export recorded as ledger entry "
               f"{rep.ledger_entry}")


@click.group("hold")
def hold() -> None:
    """Legal holds: keep reads for a case past the ordinary limit."""


@hold.command("request")
@click.option("--case", "case_number", required=True)
@click.option("--read", "read_ids", multiple=True, required=True)
@click.option("--reason", required=True)
@click.pass_context
def hold_request(ctx: click.Context, case_number: str, read_ids: tuple[str, ...], reason: str) -> None:
    """Ask to keep reads for a case past the ordinary limit (you, an officer, head or prosecutor); it keeps them
    once a department head or prosecutor other than you approves it (hold approve)."""
    server = server_for(ctx)
    if server is not None:
        hid = server.call("POST", "/api/holds", {"case_number": case_number, "read_ids": list(read_ids),
                                                 "reason": reason})["id"]
        click.echo(f"hold {hid} requested: it keeps nothing until approved (platewarden hold approve {hid})")
        return
    with platform(ctx, notify=False) as p:
        try:
            hid = p.retention.request_hold(current_user(ctx, p), case_number, list(read_ids), reason)
        except HoldRefused as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"hold {hid} requested: it keeps nothing until approved (platewarden hold approve {hid})")


@hold.command("approve")
@click.argument("hold_id")
@click.pass_context
def hold_approve(ctx: click.Context, hold_id: str) -> None:
    """Approve a requested hold (a department head or prosecutor, never its requester)."""
    server = server_for(ctx)
    if server is not None:
        server.call("POST", f"/api/holds/{path_id(hold_id, 'hold')}/approve")
        click.echo(f"hold {hold_id} placed")
        return
    with platform(ctx, notify=False) as p:
        try:
            p.retention.approve_hold(current_user(ctx, p), hold_id)
        except HoldRefused as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"hold {hold_id} placed")


@hold.command("release")
@click.argument("hold_id")
@click.option("--reason", required=True)
@click.pass_context
def hold_release(ctx: click.Context, hold_id: str, reason: str) -> None:
    """Release a hold (department head or prosecutor): the reads no other hold keeps are destroyed, and a case key
    with no read left."""
    server = server_for(ctx)
    if server is not None:
        server.call("POST", f"/api/holds/{path_id(hold_id, 'hold')}/release", {"reason": reason})
        click.echo(f"hold {hold_id} released")
        return
    with platform(ctx, notify=False) as p:
        try:
            p.retention.release(current_user(ctx, p), hold_id, reason)
        except HoldRefused as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"hold {hold_id} released")


@hold.command("list")
@click.pass_context
def hold_list(ctx: click.Context) -> None:
    """Holds with their case, reads kept and review date (REVIEW DUE when past it)."""
    server = server_for(ctx)
    if server is not None:
        shown = server.call("GET", "/api/holds")
    else:
        with platform(ctx, notify=False) as p:
            shown = p.retention.holds_for(current_user(ctx, p))
    for h in shown:
        state = "REVIEW DUE" if h["state"] == "review due" else h["state"]
        click.echo(f"{h['id']}  case {h['case_number']}  {h['reads']} reads  review by {h['review_by']}  {state}")


@click.group("retention")
def retention() -> None:
    """Destroy days past the limit, and prove it."""


@retention.command("run")
@click.pass_context
def retention_run(ctx: click.Context) -> None:
    """Destroy every day past the limit (keys, ordinary reads, alert texts, zone tokens and alerts; case-held reads
    re-sealed under their case's key), each with a receipt in the ledger; end zones past their expiry."""
    with platform(ctx, notify=False) as p:
        passed = p.pass_time()
    receipts = passed.receipts
    if passed.deleted_shares:
        click.echo(f"{passed.deleted_shares} received share package(s) past their delete-by date deleted (ledgered)")
    for zone_id in passed.expired_zones:
        click.echo(f"zone {zone_id} expired: its key, presence tokens and alerts are destroyed")
    for r in receipts:
        click.echo(f"{r.day}: destroyed {r.destroyed} reads, kept {r.kept_for_cases} for cases; root "
                   f"{r.root.hex()[:16]}…, keys {r.data_key_fingerprint[:12]}…/{r.index_key_fingerprint[:12]}…, "
                   f"ledger entry {r.ledger_seq}")
    if not receipts:
        click.echo("nothing past the limit")


@retention.command("verify")
@click.pass_context
def retention_verify(ctx: click.Context) -> None:
    """Exit 0 when no day past the limit keeps a key or ordinary rows and every destroyed day has its receipt."""
    with platform(ctx, governed=False, notify=False) as p:
        rep = p.retention.verify()
    for problem in rep.problems:
        click.echo(f"VIOLATION {problem}")
    click.echo(f"limit {rep.limit_days} days (before {rep.cutoff}); {rep.destroyed_days} days destroyed with "
               f"receipts; {'compliant' if rep.ok else f'{len(rep.problems)} violation(s)'}")
    click.echo("This proves what the store and the ledger hold; it cannot prove that no copy was made outside "
               "the system (exports, backups).")
    sys.exit(0 if rep.ok else 1)
