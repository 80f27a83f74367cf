"""Helpers for the KMS service tests: policy documents, AWS's error answer, IAM users that sign."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import botocore.exceptions
import pytest

from shieldwall.testing import ServerInfo


def error_of(call: Callable[..., Any], **kwargs: Any) -> tuple[str, int, str]:
    """(code, HTTP status, message) of the error `call(**kwargs)` answers."""
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(**kwargs)
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"].get("Message", ""),
    )


def statement(
    principal: Any, action: Any, condition: Mapping[str, Any] | None = None, effect: str = "Allow"
) -> dict[str, Any]:
    found: dict[str, Any] = {"Effect": effect, "Principal": principal, "Action": action, "Resource": "*"}
    if condition:
        found["Condition"] = dict(condition)
    return found


def key_policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def root_statement(account: str) -> dict[str, Any]:
    return statement({"AWS": f"arn:aws:iam::{account}:root"}, "kms:*")


def allow(action: Any, resource: Any = "*", condition: Mapping[str, Any] | None = None) -> str:
    found: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        found["Condition"] = dict(condition)
    return json.dumps({"Version": "2012-10-17", "Statement": [found]})


def account_of(server: ServerInfo) -> str:
    return str(server.client("sts").get_caller_identity()["Account"])


def make_user(server: ServerInfo, name: str, policy: str | None = None) -> ServerInfo:
    """The server, signing as IAM user `name` of `server`'s account (created, with an inline policy if given)."""
    iam = server.client("iam")
    iam.create_user(UserName=name)
    if policy is not None:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return server.with_credentials(key)


def user_arn(server: ServerInfo, name: str) -> str:
    return f"arn:aws:iam::{account_of(server)}:user/{name}"
