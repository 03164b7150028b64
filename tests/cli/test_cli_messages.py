"""Messages a newcomer met that pointed at commands that do not exist or printed Python's quoting; every command
and subcommand has help text."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from platewarden.cli.common import refusal_text
from platewarden.cli.main import cli
from platewarden.domain.deployment import DeploymentRefused
from platewarden.runtime import Platform


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    out = []
    for name, cmd in group.commands.items():
        out.append(((*prefix, name), cmd))
        if isinstance(cmd, click.Group):
            out += _commands(cmd, (*prefix, name))
    return out


@pytest.mark.parametrize(("path", "command"), _commands(cli), ids=lambda v: " ".join(v) if isinstance(v, tuple)
                         else "")
def test_every_command_has_help_text(path: tuple[str, ...], command: click.Command) -> None:
    assert (command.help or "").strip(), f"platewarden {' '.join(path)} has no --help text"


def test_refusals_name_real_commands_and_print_no_repr(platform: Platform) -> None:
    """An unknown segment said `record it first (camera segment add)` (no such subcommand); an unknown proposal
    printed a Python repr."""
    with pytest.raises(DeploymentRefused) as err:
        platform.deployments.segment("nowhere")
    named = str(err.value).split("(platewarden ")[1].rstrip(")").split()
    group = cli.commands[named[0]]
    assert isinstance(group, click.Group) and named[1] in group.commands
    with pytest.raises(KeyError) as missing:
        platform.deployments.get("00000000-0000-0000-0000-000000000000")
    assert refusal_text(missing.value) == "no camera proposal 00000000-0000-0000-0000-000000000000"
    assert str(missing.value) == refusal_text(missing.value)  # NotFound is a message, not a KeyError repr


def test_serve_on_a_taken_port_says_so_before_starting(tmp_path: Path) -> None:
    """It printed its URL and then failed inside uvicorn; now nothing starts and the message names --port."""
    import socket

    from click.testing import CliRunner

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        res = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "d"), "serve", "--port", str(port)])
    assert res.exit_code == 1 and f"port {port} on 127.0.0.1 is taken" in res.output and "--port" in res.output
    assert "platewarden on http" not in res.output and not (tmp_path / "d").exists()
