"""Who is at the keyboard: an API token (PLATEWARDEN_TOKEN) or ``--as USERNAME`` with a password prompt."""

from __future__ import annotations

import os

import click

from platewarden.domain.users import User
from platewarden.governance.accounts import AuthError
from platewarden.runtime import Platform


def current_user(ctx: click.Context, p: Platform) -> User:
    token = os.environ.get("PLATEWARDEN_TOKEN")
    username = (ctx.find_root().obj or {}).get("as_user")
    try:
        if username:
            password = click.prompt(f"password for {username}", hide_input=True, err=True)
            return p.accounts.authenticate(username, password)
        if token:
            return p.accounts.authenticate_token(token)
    except AuthError as exc:
        raise click.ClickException(str(exc)) from exc
    raise click.ClickException("who are you? set PLATEWARDEN_TOKEN (platewarden user token) or pass --as USERNAME")
