"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from platewarden.recognition.jurisdictions import JurisdictionHint, UnknownJurisdictionError, parse_hint

F = TypeVar("F", bound=Callable[..., Any])


def _hint(_ctx: click.Context, _param: click.Parameter, value: str | None) -> JurisdictionHint | None:
    if value is None:
        return None
    try:
        return parse_hint(value)
    except UnknownJurisdictionError as exc:
        raise click.BadParameter(str(exc)) from exc


def region_option(default: str | None = "auto") -> Callable[[F], F]:
    """``--region``: where plates come from, as OpenALPR's ``-c``/``-p``: ``auto``, a region (``eu``), a country
    (``us``, ``br``, ``de``) or a state (``us-ca``); several with optional weights (``us-ca:0.7,us-nv:0.3``)."""
    return click.option(
        "--region", "hint", default=default, callback=_hint, show_default=default is not None,
        help="Where plates come from: auto, a region (eu), a country (us, br, de, ...), a state (us-ca), or several "
             "with weights (us-ca:0.7,us-nv:0.3)" + ("" if default else "; default: the camera's, else the policy's")
             + ".")
