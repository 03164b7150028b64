"""Shared CLI plumbing: opening the platform with clear errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from pydantic import ValidationError

from platewarden.config import Settings
from platewarden.domain.clock import Clock
from platewarden.governance.policy_change import PolicyChanges, PolicyNotApproved
from platewarden.ledger.notes import NoteError, Verifier
from platewarden.runtime import OPEN_ERRORS, Platform


def settings_from(ctx: click.Context) -> Settings:
    try:
        return Settings.from_env(data_dir=ctx.obj.get("data_dir") if ctx.obj else None)
    except ValidationError as exc:
        raise click.ClickException(f"invalid settings: {exc}") from exc


@contextmanager
def platform(ctx: click.Context, clock: Clock | None = None, notify: bool = True,
             governed: bool = True) -> Iterator[Platform]:
    """The opened platform. ``governed`` commands (every act under the policy) refuse a policy that was not approved
    through its chain, as the server and ingest do; only the commands that inspect (ledger, reports, verification)
    or change the policy itself, and database upgrades, run under any policy."""
    try:
        p = Platform.open(settings_from(ctx), clock=clock, notify=notify)
    except OPEN_ERRORS as exc:
        raise click.ClickException(str(exc)) from exc
    if governed:
        try:
            PolicyChanges(p.ledger, p.policy, p.clock).require_approved(p.policy)
        except PolicyNotApproved as exc:
            p.close()
            raise click.ClickException(str(exc)) from exc
    try:
        yield p
    finally:
        p.close()


def refusal_text(exc: BaseException) -> str:
    """What a refusal says, without Python's quoting: a KeyError's message is its argument, not its repr."""
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    return str(exc)


def log_key(text_or_file: str) -> Verifier:
    """The log's verifier key given on the command line: the key's text, or a file holding it."""
    try:
        return Verifier.decode(Path(text_or_file).read_text() if Path(text_or_file).is_file() else text_or_file)
    except NoteError as exc:
        raise click.ClickException(str(exc)) from exc
