"""The authorization decision for one request.

This is the foundation's authorizer: it knows the root user of an account and the anonymous caller. The IAM
evaluation engine (identity, resource, boundary, session policies and SCPs) replaces the `_decide_*` rules when
it lands; the shape of the answer — a `Decision` with the statements or rule that decided it — stays.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shieldwall.auth.principal import Principal


@dataclass(frozen=True, slots=True)
class ActionRequest:
    """One permission a request needs: an IAM action on a resource ARN (or ``*``)."""

    action: str
    resource: str
    resource_account: str = ""


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str
    denied_action: ActionRequest | None = None
    deciding: tuple[str, ...] = field(default_factory=tuple)

    @property
    def effect(self) -> str:
        return "Allow" if self.allowed else "Deny"


NO_PERMISSION_NEEDED = Decision(True, "the operation requires no permission")


def authorize(principal: Principal, requests: list[ActionRequest]) -> Decision:
    if not requests:
        return NO_PERMISSION_NEEDED
    for request in requests:
        decision = _decide(principal, request)
        if not decision.allowed:
            return decision
    return Decision(True, f"{principal.arn} is the root user of the account", deciding=("root",))


def _decide(principal: Principal, request: ActionRequest) -> Decision:
    if principal.is_root and request.resource_account in ("", principal.account_id):
        return Decision(True, "root user of the account", deciding=("root",))
    if principal.is_anonymous:
        return Decision(False, "anonymous callers have no permissions here", denied_action=request)
    return Decision(False, "no policy allows the action (implicit deny)", denied_action=request)
