"""Permissions each CloudTrail operation needs."""

from __future__ import annotations

from shieldwall.services.base import AuthzRule, action_on_any

AUTHZ: dict[str, AuthzRule] = {
    "LookupEvents": action_on_any("cloudtrail:LookupEvents"),
}
