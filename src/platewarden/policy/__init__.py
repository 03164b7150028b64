"""The policy: one validated YAML file holding every rule an agency may set (retention, approvals, limits)."""

from platewarden.policy.loader import PolicyError, load_policy, parse_policy
from platewarden.policy.model import Policy

__all__ = ["Policy", "PolicyError", "load_policy", "parse_policy"]
