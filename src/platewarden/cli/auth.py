"""Who is at the keyboard: an API token (PLATEWARDEN_TOKEN) or ``--as USERNAME`` with a password prompt and, where the
roles need one, the authenticator's code. Sign-ins from the command line are throttled and ledgered like any other."""

from __future__ import annotations

import getpass
import os
import socket

import click

from platewarden.cli.remote import URL_ENV, configured
from platewarden.domain.users import User
from platewarden.governance.accounts import AuthError
from platewarden.runtime import Platform


def _address() -> str:
    return f"cli:{getpass.getuser()}@{socket.gethostname()}"


def sign_in_as(p: Platform, username: str, enrolling: bool = False) -> User:
    """Password, then the code where a second factor is enrolled. ``enrolling``: a user who must enrol may sign in
    for that alone."""
    password = click.prompt(f"password for {username}", hide_input=True, err=True)
    code = None
    try:
        user = p.accounts.by_username(username)
        if p.accounts.needs_mfa(user) and p.accounts.mfa_enrolled(user.id):
            code = click.prompt("code from your authenticator (or a recovery code)", err=True)
    except LookupError:
        pass  # sign_in says "wrong username, password or code" and ledgers the attempt
    signed = p.accounts.sign_in(username, password, code, _address())
    if signed.mfa_pending and not enrolling:
        raise AuthError(f"enrol a second factor first: platewarden --as {username} user mfa enrol")
    return signed.user


def current_user(ctx: click.Context, p: Platform, enrolling: bool = False) -> User:
    if configured():  # a person's act on the data directory would step around the server's door
        raise click.ClickException(
            f"{URL_ENV} is set, and this command has no server form: it works on the data directory, which only "
            f"the operators hold; unset {URL_ENV} to run it there, or use the console")
    token = os.environ.get("PLATEWARDEN_TOKEN")
    username = (ctx.find_root().obj or {}).get("as_user")
    try:
        if username:
            return sign_in_as(p, username, enrolling)
        if token:
            return p.accounts.authenticate_token(token)
    except AuthError as exc:
        raise click.ClickException(str(exc)) from exc
    raise click.ClickException("who are you? set PLATEWARDEN_TOKEN (platewarden user token) or pass --as USERNAME")
