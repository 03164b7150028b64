"""The rule that makes the house: adapters (CLI, and later API and web) reach personal data only through
governance, and the domain does no IO. Checked on the import graph."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "src" / "platewarden"
PERSONAL_DATA = ("platewarden.store.reads", "platewarden.store.codec", "platewarden.store.keyring",
                 "platewarden.store.alerts", "platewarden.store.cipher")
IO_MODULES = ("sqlalchemy", "cv2", "onnxruntime", "requests", "urllib", "socket", "paho", "platewarden.store",
              "platewarden.recognition", "platewarden.runtime", "pathlib")


def imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def test_adapters_do_not_touch_personal_data_stores() -> None:
    offenders = [f"{f.relative_to(PKG)} imports {m}" for f in (PKG / "cli").glob("*.py") for m in imports(f)
                 if m.startswith(PERSONAL_DATA)]
    assert offenders == []


def test_domain_is_free_of_io() -> None:
    offenders = [f"{f.relative_to(PKG)} imports {m}" for f in (PKG / "domain").glob("*.py") for m in imports(f)
                 if m.startswith(IO_MODULES)]
    assert offenders == []
