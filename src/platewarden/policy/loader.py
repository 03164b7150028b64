"""Load a policy file and point at the offending line when it is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from platewarden.policy.model import Policy


class PolicyError(ValueError):
    """An invalid policy; ``problems`` holds (line or None, message) pairs."""

    def __init__(self, source: str, problems: list[tuple[int | None, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = [f"{source}:{line}: {msg}" if line else f"{source}: {msg}" for line, msg in problems]
        super().__init__("invalid policy\n" + "\n".join(lines))


def _node_line(root: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (or of the deepest existing parent)."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
            if nxt is None:  # e.g. an unknown key: point at the key itself
                nxt = next((k for k, _ in node.value if getattr(k, "value", None) == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            nxt = node.value[key]
        else:
            nxt = None
        if nxt is None:
            break
        node = nxt
        line = node.start_mark.line + 1
    return line


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    try:
        root = yaml.compose(text)
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PolicyError(source, [(mark.line + 1 if mark else None, f"not valid YAML: {exc}")]) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PolicyError(source, [(1, "a policy is a mapping of sections (retention:, approvals:, ...)")])
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            where = ".".join(str(p) for p in loc) or "(top level)"
            problems.append((_node_line(root, loc), f"{where}: {err['msg']}"))
        raise PolicyError(source, problems) from exc


def load_policy(path: Path | None) -> Policy:
    """The policy at ``path``, or the built-in defaults when ``path`` is None."""
    if path is None:
        return Policy()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(str(path), [(None, f"cannot read: {exc.strerror}")]) from exc
    return parse_policy(text, str(path))
