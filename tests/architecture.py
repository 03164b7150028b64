"""The checker behind ``test_architecture.py``: the package's import graph read from the source (``import X``,
``from X import name`` resolved to the module it names, relative imports, imports inside functions, and the
package ``__init__`` every import runs), plus attribute access in the adapters. Kept apart from the tests so a test
can plant a shortcut in a copy of the package and watch the checker catch it."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# Modules that hold or decrypt personal data: only governance (and the runtime that wires it) may reach them.
PERSONAL_DATA = ("platewarden.store.reads", "platewarden.store.codec", "platewarden.store.keyring",
                 "platewarden.store.alerts", "platewarden.store.cipher", "platewarden.store.case_keys",
                 "platewarden.store.master_key")
# The doors, each with why a path to personal data through it is governed. Everything else must not reach the
# personal-data stores at all.
DOORS: dict[str, str] = {
    "platewarden.governance": "the services: every read of personal data is authorized there and ledgered",
    "platewarden.runtime": "wires the services to the stores; hands adapters the services",
    "platewarden.investigation": "evidence and trajectories, run by governance's search and hold checks",
    "platewarden.pipeline.writer": "the one way a local camera's reads are written (refuses unapproved cameras, "
                                  "ledgers each batch); it reads nothing back",
    "platewarden.edge.ingest": "the one way edge reads are written at the central: verified, quarantined or stored, "
                               "ledgered; it reads nothing back",
    "platewarden.edge.outbox": "the camera's own encrypted outbox on the edge device, not the central's data",
    "platewarden.audit.compliance.gather": "aggregates only, gathered by an auditor, the ethics board or a head, "
                                           "ledgered under their name",
    "platewarden.audit.transparency": "public aggregates only, published with a delay",
    "platewarden.alerts.service": "matches reads against the hotlist and records alerts; showing an alert is "
                                  "governance.alert_review's",
}
ADAPTERS = ("platewarden.api", "platewarden.web", "platewarden.cli", "platewarden.http", "platewarden.server",
            "platewarden.edge", "platewarden.audit")
# The platform's attributes that are stores, keys or the engine: an adapter that reads them has stepped around the
# services (``p.reads``, ``platform.alert_store``, ``p.engine.begin()``).
PLATFORM_NAMES = frozenset({"p", "platform", "_platform", "_p"})
PRIVATE_ATTRIBUTES = frozenset({"reads", "alert_store", "keyring", "case_keys", "engine", "read_store"})


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@dataclass(frozen=True)
class Package:
    """The modules of one package tree and what each imports (only modules inside the tree)."""

    root: Path
    modules: dict[str, Path]
    imports: dict[str, set[str]]

    @classmethod
    def read(cls, root: Path) -> Package:
        modules = {module_name(root, f): f for f in sorted(root.rglob("*.py"))}
        imports = {m: _imports(m, f, modules) for m, f in modules.items()}
        return cls(root, modules, imports)

    def cycles(self) -> list[list[str]]:
        """Every strongly connected set of two or more modules (Tarjan, iteratively)."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        found: list[list[str]] = []
        counter = 0
        for start in self.imports:
            if start in index:
                continue
            work: list[tuple[str, Iterable[str]]] = [(start, iter(sorted(self.imports[start])))]
            index[start] = low[start] = counter
            counter += 1
            stack.append(start)
            on_stack.add(start)
            while work:
                node, children = work[-1]
                advanced = False
                for child in children:
                    if child not in index:
                        index[child] = low[child] = counter
                        counter += 1
                        stack.append(child)
                        on_stack.add(child)
                        work.append((child, iter(sorted(self.imports[child]))))
                        advanced = True
                        break
                    if child in on_stack:
                        low[node] = min(low[node], index[child])
                if advanced:
                    continue
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
        return found

    def ungoverned_paths(self, sources: tuple[str, ...], targets: tuple[str, ...],
                         doors: Iterable[str]) -> list[str]:
        """For each module under ``sources``, an import path to a module under ``targets`` that passes through no
        module under ``doors`` (the path is reported, so the fix is obvious)."""
        doors = tuple(doors)
        out = []
        for start in sorted(m for m in self.modules if _under(m, sources) and not _under(m, doors)):
            seen = {start}
            frontier: list[list[str]] = [[start]]
            while frontier:
                path = frontier.pop(0)
                for nxt in sorted(self.imports[path[-1]]):
                    if nxt in seen or _under(nxt, doors):
                        continue
                    seen.add(nxt)
                    if _under(nxt, targets):
                        out.append(" -> ".join([*path, nxt]))
                        continue
                    frontier.append([*path, nxt])
        return out

    def platform_attribute_uses(self, sources: tuple[str, ...], names: frozenset[str],
                                doors: Iterable[str] = ()) -> list[str]:
        """``p.NAME``, ``platform.NAME`` or ``<x>.platform.NAME`` for NAME in ``names`` inside modules under
        ``sources``, as ``module:function .NAME`` (line numbers would make every edit a test change)."""
        doors = tuple(doors)
        out = []
        for m, f in self.modules.items():
            if not _under(m, sources) or _under(m, doors):
                continue
            tree = ast.parse(f.read_text())
            innermost: dict[int, str] = {}
            for scope in ast.walk(tree):  # outer functions come first, so inner ones overwrite them
                if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
                    for node in ast.walk(scope):
                        innermost[id(node)] = scope.name
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr in names and _is_platform(node.value):
                    out.append(f"{m}:{innermost.get(id(node), '<module>')} .{node.attr}")
        return sorted(set(out))

    def imports_between(self, a: str, b: str) -> list[str]:
        return [f"{m} imports {x}" for m in self.modules if _under(m, (a,)) for x in self.imports[m]
                if _under(x, (b,))]


def _is_platform(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id in PLATFORM_NAMES) or (
        isinstance(node, ast.Attribute) and node.attr in PLATFORM_NAMES)


def _under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:  # ``import a.b.c`` of a name inside a module
                target = target.rpartition(".")[0]
            if not target:
                continue
            out.add(target)
            parent = target.rpartition(".")[0]  # every import also runs its packages' __init__
            while parent:
                if not _under(name, (parent,)):  # a package's own modules are imported from inside it
                    out.add(parent)
                parent = parent.rpartition(".")[0]
    out.discard(name)
    return out
