"""Helpers for the Parameter Store tests: policy documents and the events the audit trail keeps."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

ACCOUNT = "000000000000"
REGION = "us-east-1"
DAY = 86_400


def arn_of(name: str) -> str:
    return f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/{name.removeprefix('/')}"


def allow(action: Any, resource: Any = "*", condition: Mapping[str, Any] | None = None) -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = dict(condition)
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def policy(*statements: Mapping[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def statement(
    action: Any, resource: Any = "*", principal: Any = None, effect: str = "Allow"
) -> dict[str, Any]:
    found: dict[str, Any] = {"Effect": effect, "Action": action, "Resource": resource}
    if principal is not None:
        found["Principal"] = principal
    return found


def events_named(cloudtrail: Any, name: str) -> list[dict[str, Any]]:
    """The audit trail's events of `name`, newest first, as their CloudTrail JSON."""
    found = cloudtrail.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": name}])
    return [json.loads(event["CloudTrailEvent"]) for event in found["Events"]]


# AWS's text carries backslashes before the quotes around aws and ssm.
PATH_RULES = (
    "The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward "
    'slash "/". It can\'t be prefixed with \\"aws\\" or \\"ssm\\" (case-insensitive). It must use only letters, '
    "numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not "
    'allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: '
    "/get/parameters2-/by1./path0_."
)
