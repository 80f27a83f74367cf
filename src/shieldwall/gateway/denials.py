"""Denials from the audit trail, grouped by principal and action, each with the smallest statement that allows it.

This is what `--auth=audit` is for: point an application at shieldwall, run it, then list every permission its
principals lacked. Real (enforced) and would-be (audit mode) denials are counted apart. The suggested statement
is an Allow of exactly the denied action on exactly the denied resources; when the denial came from an explicit
Deny, a boundary, or another policy type than the identity-based ones, the reason says so, since an Allow in an
identity-based policy alone will not lift it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from shieldwall.clock import parse_iso8601

_RELATIVE = re.compile(r"(\d{1,9})([smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_SHOWN_REQUESTS = 5


def parse_since(text: str, now: datetime) -> datetime:
    """`1h`, `30m`, `2d` ... before `now`, or an ISO 8601 time; ValueError otherwise."""
    relative = _RELATIVE.fullmatch(text.strip())
    if relative:
        amount, unit = relative.groups()
        return now - timedelta(**{_UNITS[unit]: int(amount)})
    try:
        return parse_iso8601(text.strip())
    except ValueError:
        raise ValueError(
            f"`since` must be an ISO 8601 time or a duration like 1h, 30m, 2d, not `{text}`"
        ) from None


@dataclass(slots=True)
class _Group:
    principal: str
    action: str
    resources: set[str] = field(default_factory=set)
    reasons: set[str] = field(default_factory=set)
    enforced: int = 0
    not_enforced: int = 0
    last_seen: str = ""
    request_ids: list[str] = field(default_factory=list)

    def add(self, event: Mapping[str, Any], extension: Mapping[str, Any]) -> None:
        if extension.get("resource"):
            self.resources.add(str(extension["resource"]))
        if extension.get("reason"):
            self.reasons.add(str(extension["reason"]))
        if extension.get("enforced") is False:
            self.not_enforced += 1
        else:
            self.enforced += 1
        self.last_seen = max(self.last_seen, str(event.get("eventTime", "")))
        if len(self.request_ids) < _SHOWN_REQUESTS:
            self.request_ids.append(str(event.get("requestID", "")))

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "principal": self.principal,
            "action": self.action,
            "resources": sorted(self.resources),
            "count": self.enforced + self.not_enforced,
            "enforced": self.enforced,
            "notEnforced": self.not_enforced,
            "reasons": sorted(self.reasons),
            "lastSeen": self.last_seen,
            "requestIds": self.request_ids,
        }
        if self.action:
            body["statement"] = suggested_statement(self.action, self.resources)
        return body


def summarize(events: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One entry per (principal, action), sorted by principal then action; `events` newest first."""
    groups: dict[tuple[str, str], _Group] = {}
    for event in events:
        extension = event.get("shieldwall") or {}
        principal = str(extension.get("principal") or (event.get("userIdentity") or {}).get("arn") or "")
        action = str(extension.get("action") or "")
        group = groups.get((principal, action))
        if group is None:
            group = groups[(principal, action)] = _Group(principal, action)
        group.add(event, extension)
    return [groups[key].as_json() for key in sorted(groups)]


def suggested_statement(action: str, resources: Iterable[str]) -> dict[str, Any]:
    """The smallest identity-based statement that allows `action` on every one of `resources`."""
    chosen = sorted(set(resources)) or ["*"]
    resource: str | list[str] = "*" if "*" in chosen else chosen[0] if len(chosen) == 1 else chosen
    return {"Effect": "Allow", "Action": action, "Resource": resource}
