"""Parameter policies (advanced parameters only): parsing the request's JSON array, and what the clock owes.

Expiration deletes the parameter at its Timestamp (ISO_INSTANT or ISO_OFFSET_DATE_TIME); ExpirationNotification
fires `Before` days or hours ahead of it; NoChangeNotification fires `After` days or hours past the last change.
AWS runs them from periodic scans; here they run lazily, the next time the parameter is read or listed (see
`common.SsmBase.settled`). A notification fires once: its key (with the change it counts from) is remembered on
the parameter, and new policies or a new version start afresh.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shieldwall.services.ssm import errors
from shieldwall.services.ssm.models import Parameter, Policy, Version

EXPIRATION = "Expiration"
EXPIRATION_NOTIFICATION = "ExpirationNotification"
NO_CHANGE_NOTIFICATION = "NoChangeNotification"
TYPES = (EXPIRATION, EXPIRATION_NOTIFICATION, NO_CHANGE_NOTIFICATION)
MAX_POLICIES = 10
_UNITS = {"Days": 86_400, "Hours": 3_600}
PENDING = "Pending"
FINISHED = "Finished"


def parse_policies(text: str, now: datetime) -> list[Policy]:
    """The policies of a PutParameter request (`[]` or `[{}]` removes them all)."""
    try:
        entries = json.loads(text)
    except ValueError:
        raise errors.validation(
            "Invalid policies input: the policies must be a JSON array of policies."
        ) from None
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise errors.validation("Invalid policies input: the policies must be a JSON array of policies.")
    chosen = [entry for entry in entries if entry]
    if len(chosen) > MAX_POLICIES:
        raise errors.policies_limit()
    policies = [_parse_policy(entry, now) for entry in chosen]
    _check_compatible(policies)
    return policies


def _parse_policy(entry: dict[str, Any], now: datetime) -> Policy:
    kind = entry.get("Type")
    if kind not in TYPES:
        raise errors.invalid_policy_type(str(kind))
    if entry.get("Version") != "1.0":
        raise errors.invalid_policy_attribute("Version must be 1.0")
    attributes = entry.get("Attributes")
    if not isinstance(attributes, dict):
        raise errors.invalid_policy_attribute(f"a {kind} policy needs Attributes")
    text = json.dumps(entry, separators=(",", ":"))
    if kind == EXPIRATION:
        return Policy(kind, text, at=_timestamp(attributes.get("Timestamp"), now))
    member = "Before" if kind == EXPIRATION_NOTIFICATION else "After"
    return Policy(kind, text, seconds=_duration(attributes, member))


def _timestamp(value: object, now: datetime) -> datetime:
    if not isinstance(value, str):
        raise errors.invalid_policy_attribute("Timestamp must be an ISO 8601 date and time")
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise errors.invalid_policy_attribute(f"Timestamp {value} is not an ISO 8601 date and time") from None
    if when.tzinfo is None:
        raise errors.invalid_policy_attribute(f"Timestamp {value} needs a time zone (Z or an offset)")
    if when <= now:
        raise errors.invalid_policy_attribute(f"Timestamp {value} is not in the future")
    return when


def _duration(attributes: dict[str, Any], member: str) -> int:
    amount, unit = attributes.get(member), attributes.get("Unit")
    if not isinstance(amount, str) or not amount.isdigit() or int(amount) < 1:
        raise errors.invalid_policy_attribute(f"{member} must be a positive whole number")
    if unit not in _UNITS:
        raise errors.invalid_policy_attribute("Unit must be Days or Hours")
    return int(amount) * _UNITS[str(unit)]


def _check_compatible(policies: list[Policy]) -> None:
    kinds = [policy.type for policy in policies]
    if kinds.count(EXPIRATION) > 1:
        raise errors.incompatible_policy("a parameter can have one Expiration policy")
    if kinds.count(NO_CHANGE_NOTIFICATION) > 1:
        raise errors.incompatible_policy("a parameter can have one NoChangeNotification policy")
    if EXPIRATION_NOTIFICATION in kinds and EXPIRATION not in kinds:
        raise errors.incompatible_policy("an ExpirationNotification policy needs an Expiration policy")


# -- the clock's work ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Notice:
    key: str
    policy: Policy


def expiry(parameter: Parameter) -> datetime | None:
    for policy in parameter.current.policies:
        if policy.type == EXPIRATION:
            return policy.at
    return None


def is_expired(parameter: Parameter, now: datetime) -> bool:
    when = expiry(parameter) if parameter.current.policies else None
    return when is not None and when <= now


def notices_due(parameter: Parameter, now: datetime) -> list[Notice]:
    """The notification policies whose moment has come and that have not fired yet."""
    found = []
    for policy in parameter.current.policies:
        moment = _moment(parameter, policy)
        key = notice_key(parameter, policy)
        if moment is not None and moment <= now and key not in parameter.notified:
            found.append(Notice(key, policy))
    return found


def _moment(parameter: Parameter, policy: Policy) -> datetime | None:
    if policy.type == NO_CHANGE_NOTIFICATION:
        return parameter.current.modified + timedelta(seconds=policy.seconds)
    when = expiry(parameter)
    if policy.type == EXPIRATION_NOTIFICATION and when is not None:
        return when - timedelta(seconds=policy.seconds)
    return None


def notice_key(parameter: Parameter, policy: Policy) -> str:
    """What a fired notification is remembered by: the policy and the moment it counted from."""
    if policy.type == NO_CHANGE_NOTIFICATION:
        return f"{policy.text}@{parameter.current.number}"
    when = expiry(parameter)
    return f"{policy.text}@{when.isoformat() if when else ''}"


def still_relevant(parameter: Parameter) -> list[str]:
    """The remembered notifications that still describe the parameter's current policies."""
    keys = {notice_key(parameter, policy) for policy in parameter.current.policies}
    return [key for key in parameter.notified if key in keys]


def policy_list(parameter: Parameter, version: Version) -> list[dict[str, str]]:
    """The Policies member of a version: each policy's text, type and status (notifications fired on the current
    version are Finished)."""
    current = version.number == parameter.current.number
    out = []
    for policy in version.policies:
        fired = current and policy.type != EXPIRATION and notice_key(parameter, policy) in parameter.notified
        out.append(
            {
                "PolicyText": policy.text,
                "PolicyType": policy.type,
                "PolicyStatus": FINISHED if fired else PENDING,
            }
        )
    return out
