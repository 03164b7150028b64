"""People and what their roles allow. Every governed act is attributed to a User."""

from __future__ import annotations

from dataclasses import dataclass

from platewarden.domain.roles import Role

# Roles that see personal data or decide on access to it; an administrator may hold none of them.
DATA_ROLES = frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD, Role.PROSECUTOR, Role.OPERATOR})


@dataclass(frozen=True)
class User:
    id: str
    username: str
    full_name: str
    organisation: str
    roles: frozenset[Role]

    def __post_init__(self) -> None:
        if Role.ADMINISTRATOR in self.roles and self.roles & DATA_ROLES:
            raise ValueError("an administrator manages accounts only: no officer, department head, prosecutor or "
                             "operator role alongside")
        if not self.roles:
            raise ValueError("a user needs at least one role")

    def has(self, role: Role) -> bool:
        return role in self.roles

    @property
    def label(self) -> str:
        """How the user appears in the ledger: username and organisation, never a secret."""
        return f"{self.username}@{self.organisation}"
