"""Policy documents STS tests build (a module of its own: `conftest` names clash across test folders)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

ALLOW_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)


def trust(
    principal: Mapping[str, Any], condition: Mapping[str, Any] | None = None, action: Any = "sts:AssumeRole"
) -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": dict(principal), "Action": action}
    if condition:
        statement["Condition"] = dict(condition)
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def allow(action: Any, resource: Any = "*", condition: Mapping[str, Any] | None = None) -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = dict(condition)
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})
