"""The rules that make the house, read from the code (tests/architecture.py): no import cycle anywhere; the API and
the console never import each other (only ``server`` sees both); the adapters (api, web, cli, http, server, edge,
audit) reach personal data only through a door — governance, or one of the few write paths and aggregate
gatherers listed in ``DOORS`` with why — whether by import or by reaching into the platform's stores
(``p.reads``, ``p.alert_store``, ``p.keyring``, ``p.engine``); the domain does no IO. And the checker itself is
shown to catch a planted shortcut of each kind."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.architecture import ADAPTERS, DOORS, PERSONAL_DATA, PRIVATE_ATTRIBUTES, Package

PKG = Path(__file__).resolve().parents[1] / "src" / "platewarden"
IO_MODULES = ("sqlalchemy", "cv2", "onnxruntime", "requests", "urllib", "socket", "paho", "platewarden.store",
              "platewarden.recognition", "platewarden.runtime", "pathlib", "platewarden.policy")


@pytest.fixture(scope="module")
def package() -> Package:
    return Package.read(PKG)


def test_no_import_cycles(package: Package) -> None:
    assert package.cycles() == []


def test_api_and_console_do_not_import_each_other(package: Package) -> None:
    assert package.imports_between("platewarden.api", "platewarden.web") == []
    assert package.imports_between("platewarden.web", "platewarden.api") == []


def test_adapters_reach_personal_data_only_through_a_door(package: Package) -> None:
    assert package.ungoverned_paths(ADAPTERS, PERSONAL_DATA, DOORS) == []


def test_adapters_do_not_reach_into_the_platforms_stores(package: Package) -> None:
    assert package.platform_attribute_uses(ADAPTERS, PRIVATE_ATTRIBUTES, DOORS) == []


def test_every_door_exists(package: Package) -> None:
    assert [d for d in DOORS if not any(m == d or m.startswith(d + ".") for m in package.modules)] == []


def test_domain_is_free_of_io(package: Package) -> None:
    offenders = [f"{m} imports {x}" for m, f in package.modules.items() if m.startswith("platewarden.domain")
                 for x in _all_imports(f) if x.startswith(IO_MODULES)]
    assert offenders == []


def _all_imports(path: Path) -> set[str]:
    import ast

    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


@pytest.mark.parametrize(("module", "shortcut", "rule"), [
    ("web/routes/searches.py", "from platewarden.store import reads\n", "path"),
    ("cli/ops_cmd.py", "from platewarden.store.alerts import AlertStore\n", "path"),
    ("api/routes/ledger.py", "from . import deps\nfrom ...store import keyring as _k\n", "path"),
    ("web/console.py", "def leak(p):\n    return p.alert_store.all()\n", "attribute"),
    ("api/routes/alerts.py", "def leak(request):\n    return request.app.state.platform.reads.get('x')\n",
     "attribute"),
    ("web/svgmap.py", "from platewarden.api import deps\n", "api-web"),
    ("domain/plates.py", "import sqlalchemy\n", "io"),
    ("policy/model.py", "from platewarden.web import console\n", "cycle"),
])
def test_the_checker_catches_a_planted_shortcut(tmp_path: Path, module: str, shortcut: str, rule: str) -> None:
    """Plant a shortcut in a copy of the package: the rule that forbids it must fail (a test that cannot fail would
    prove nothing)."""
    copy = tmp_path / "platewarden"
    shutil.copytree(PKG, copy, ignore=shutil.ignore_patterns("*.onnx", "*.png", "*.jpg", "__pycache__", "static",
                                                             "templates"))
    target = copy / module
    target.write_text(target.read_text() + "\n" + shortcut)
    planted = Package.read(copy)
    clean = Package.read(PKG)
    if rule == "path":
        assert clean.ungoverned_paths(ADAPTERS, PERSONAL_DATA, DOORS) == []
        assert planted.ungoverned_paths(ADAPTERS, PERSONAL_DATA, DOORS) != []
    elif rule == "attribute":
        assert planted.platform_attribute_uses(ADAPTERS, PRIVATE_ATTRIBUTES, DOORS) != []
    elif rule == "api-web":
        assert planted.imports_between("platewarden.web", "platewarden.api") != []
    elif rule == "io":
        assert any(x.startswith(IO_MODULES) for x in _all_imports(target))
    else:
        assert planted.cycles() != []


def _commands_acting_as_a_person_without_a_server_form(source: str) -> list[str]:
    """Click commands that name the person at the keyboard (``current_user``) but never ask for the configured
    server (``server_for``): with PLATEWARDEN_URL set they would have no way but the data directory."""
    import ast

    offenders = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef):
            continue
        is_command = any(isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr == "command"
                         for d in node.decorator_list)
        called = {c.func.id for c in ast.walk(node) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}
        if is_command and "current_user" in called and "server_for" not in called:
            offenders.append(node.name)
    return offenders


def test_every_command_a_person_runs_has_a_server_form() -> None:
    offenders = [f"{f.name}: {name}" for f in sorted((PKG / "cli").glob("*.py"))
                 for name in _commands_acting_as_a_person_without_a_server_form(f.read_text())]
    assert offenders == []
    planted = ('@group.command("x")\ndef x(ctx):\n    with platform(ctx) as p:\n        current_user(ctx, p)\n')
    assert _commands_acting_as_a_person_without_a_server_form(planted) == ["x"]
