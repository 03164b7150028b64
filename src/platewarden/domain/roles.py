"""The roles people hold. Defined in the domain (approvals and users are built on them); the policy names which
role does what."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OFFICER = "officer"
    DEPARTMENT_HEAD = "department_head"
    PROSECUTOR = "prosecutor"
    AUDITOR = "auditor"
    ETHICS_BOARD = "ethics_board"
    ADMINISTRATOR = "administrator"
    OPERATOR = "operator"
