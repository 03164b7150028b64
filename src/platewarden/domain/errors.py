"""One error hierarchy for every refusal the platform gives, so that each adapter maps it once: the API to an HTTP
status (``server.py``), the command line to a message and exit status 1 (``cli/main.py``).

Each kind also derives from the builtin it used to be, so code that catches ``PermissionError``, ``LookupError`` or
``ValueError`` keeps working."""

from __future__ import annotations


class PlatewardenError(Exception):
    """Something the platform refuses to do, with a reason meant for the person who asked."""


class Refused(PlatewardenError, PermissionError):
    """A rule or a role says no (HTTP 403). Governance ledgers the refusal before raising it."""


class NotFound(PlatewardenError, KeyError):
    """No such thing, or none this person may know of (HTTP 404)."""

    def __str__(self) -> str:  # a message, not a KeyError-style repr
        return str(self.args[0]) if self.args else "not found"


class Conflict(PlatewardenError, RuntimeError):
    """The thing is not in a state that allows this (already decided, already disposed; HTTP 409)."""


class Invalid(PlatewardenError, ValueError):
    """The input breaks a rule of the domain or the policy (HTTP 422)."""
