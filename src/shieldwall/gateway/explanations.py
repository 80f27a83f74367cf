"""What the authorize step decided for one request, and the recent decisions kept for the explain endpoint.

A `Verdict` holds each permission the operation needed with the engine's `Decision` for it (checking stops at
the first denial). The explain endpoint answers from `ExplanationLog`, a bounded in-memory map, and for older
requests or after a restart from the audit trail, where every denial carries its rendered walk
(`audit_details`). The walk is rendered only when someone asks for it or when a request is denied.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shieldwall.clock import fmt_iso8601
from shieldwall.policy.authorizer import ActionRequest, Decision
from shieldwall.policy.explain import access_denied_message

Check = tuple[ActionRequest, Decision]
DEFAULT_LIMIT = 4096


@dataclass(slots=True)  # not frozen: one is built per request, and a frozen __init__ costs several times more
class Verdict:
    request_id: str
    time: datetime
    service: str
    operation: str
    principal_arn: str
    decision: Decision  # the first denial, else the last permission's allow
    checks: tuple[Check, ...] = ()
    enforced: bool = True  # False under --auth=audit: a denial is recorded but the request proceeds

    @property
    def allowed(self) -> bool:
        return self.decision.allowed

    @property
    def action(self) -> str:
        denied = self.decision.denied_action
        if denied is not None:
            return denied.action
        return self.checks[-1][0].action if self.checks else ""

    @property
    def resource(self) -> str:
        denied = self.decision.denied_action
        if denied is not None:
            return denied.resource
        return self.checks[-1][0].resource if self.checks else ""

    def message(self) -> str:
        """AWS's AccessDenied message for this denial."""
        caller = caller_name(self.principal_arn)
        denied = self.decision.denied_action
        if denied is None:
            return f"User: {caller} is not authorized to perform: {self.service}:{self.operation}"
        return access_denied_message(caller, denied.action, denied.resource, self.decision.reason)

    def render(self) -> str:
        if not self.checks:
            return render_decision(self.decision)
        parts = []
        for number, (request, decision) in enumerate(self.checks, 1):
            if len(self.checks) > 1:
                parts.append(f"permission {number}: {request.action} on {request.resource}")
            parts.append(render_decision(decision))
        return "\n".join(parts)

    def audit_details(self) -> dict[str, Any]:
        """What a denial adds to its audit event's `shieldwall` extension, so `explain` outlives a restart."""
        return {
            "enforced": self.enforced,
            "principal": self.principal_arn,
            "action": self.action,
            "resource": self.resource,
            "explanation": self.render(),
        }

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "requestId": self.request_id,
            "time": fmt_iso8601(self.time),
            "service": self.service,
            "operation": self.operation,
            "principal": self.principal_arn,
            "decision": self.decision.effect,
            "reason": self.decision.reason,
            "action": self.action,
            "resource": self.resource,
            "deciding": list(self.decision.deciding),
        }
        if not self.allowed:
            body["enforced"] = self.enforced
            body["message"] = self.message()
        body["explanation"] = self.render()
        return body


def render_decision(decision: Decision) -> str:
    explanation = decision.explanation
    if explanation is None:
        return f"decision: {decision.effect}: {decision.reason}"
    return explanation.render()


def caller_name(principal_arn: str) -> str:
    return "anonymous" if principal_arn == "*" else principal_arn


def event_json(event: Mapping[str, Any]) -> dict[str, Any]:
    """The explain endpoint's answer rebuilt from an audit event (denials carry their rendered walk)."""
    extension = event.get("shieldwall") or {}
    identity = event.get("userIdentity") or {}
    body: dict[str, Any] = {
        "requestId": event.get("requestID"),
        "time": event.get("eventTime"),
        "service": str(event.get("eventSource", "")).split(".", 1)[0],
        "operation": event.get("eventName"),
        "principal": extension.get("principal") or identity.get("arn", ""),
        "decision": extension.get("decision"),
        "reason": extension.get("reason"),
    }
    for name in ("action", "resource", "enforced"):
        if name in extension:
            body[name] = extension[name]
    if "errorMessage" in event:
        body["message"] = event["errorMessage"]
    body["explanation"] = extension.get("explanation") or f"decision: {body['decision']}: {body['reason']}"
    return body


class ExplanationLog:
    """The newest `limit` verdicts by request id (older ones are answered from the audit trail)."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._limit = limit
        self._verdicts: OrderedDict[str, Verdict] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, verdict: Verdict) -> None:
        with self._lock:
            self._verdicts[verdict.request_id] = verdict
            if len(self._verdicts) > self._limit:
                self._verdicts.popitem(last=False)

    def find(self, request_id: str) -> Verdict | None:
        return self._verdicts.get(request_id)

    def clear(self) -> None:
        with self._lock:
            self._verdicts.clear()
