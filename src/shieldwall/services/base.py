"""What a provider sees of a request, and what a service package declares.

Providers take a `Call` (who is calling, in which account and region, with the store already bound to that
scope) and the typed request dict, and return the typed response dict. They never see HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shieldwall.auth.principal import Principal
from shieldwall.clock import Clock
from shieldwall.policy.authorizer import ActionRequest
from shieldwall.store.base import Scope, Store
from shieldwall.store.sealing import Sealer


@dataclass(frozen=True, slots=True)
class Call:
    request_id: str
    service: str
    operation: str
    principal: Principal
    partition: str
    account_id: str
    region: str
    clock: Clock
    # Read access for authorization rules whose resource ARN depends on stored state (an IAM user's path).
    store: Store | None = None
    # For authorization rules that must open sealed state to fill a condition key (STS: an MFA device's seed).
    sealer: Sealer | None = None
    # Judges further permissions with the same engine, caller and request context, for an operation that is
    # allowed as a whole but must check each item it returns (BatchGetSecretValue lists a denied secret in its
    # Errors). Returns None when every permission is allowed, else AWS's AccessDenied message for the first
    # denied one.
    judge: Callable[[list[ActionRequest]], str | None] | None = None

    @property
    def regional_scope(self) -> Scope:
        return Scope(self.partition, self.account_id, self.region)

    @property
    def account_scope(self) -> Scope:
        return Scope(self.partition, self.account_id, "")

    def now(self) -> datetime:
        return self.clock.now()


# Maps an operation's typed request (and the call's scope) to the permissions it needs.
AuthzRule = Callable[[Mapping[str, Any], Call], list[ActionRequest]]
Params = dict[str, Any]


def no_permission(_params: Mapping[str, Any], _call: Call) -> list[ActionRequest]:
    return []


def action_on_any(action: str) -> AuthzRule:
    """An action whose resource is `*` (List*, Describe*, Lookup* and account-level operations)."""

    def rule(_params: Mapping[str, Any], _call: Call) -> list[ActionRequest]:
        return [ActionRequest(action, "*")]

    return rule
