"""Permissions each STS operation needs."""

from __future__ import annotations

from shieldwall.services.base import AuthzRule, no_permission

# GetCallerIdentity needs no permission: AWS answers it even when a policy explicitly denies it.
AUTHZ: dict[str, AuthzRule] = {
    "GetCallerIdentity": no_permission,
}
