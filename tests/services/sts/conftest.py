"""Fixtures for STS tests: IAM set-up helpers and clients for the credentials STS hands out."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import botocore.exceptions
import pytest

from shieldwall.testing import ServerInfo

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


def error_of(call: Callable[..., Any], **kwargs: Any) -> tuple[str, int, str]:
    """(code, HTTP status, message) of the error `call(**kwargs)` answers."""
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(**kwargs)
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


@pytest.fixture
def iam(shieldwall: ServerInfo) -> Any:
    return shieldwall.client("iam")


@pytest.fixture
def user_server(shieldwall: ServerInfo, iam: Any) -> Callable[..., ServerInfo]:
    """`user_server("alice", policy=...)`: the server, signing as IAM user alice (created, with an inline policy
    when one is given)."""

    def make(name: str, policy: str | None = None, account: ServerInfo | None = None) -> ServerInfo:
        owner = account or shieldwall
        client = iam if account is None else account.client("iam")
        client.create_user(UserName=name)
        if policy is not None:
            client.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
        key = client.create_access_key(UserName=name)["AccessKey"]
        return owner.with_credentials(key)

    return make


def session_of(server: ServerInfo, credentials: Mapping[str, Any]) -> ServerInfo:
    return server.with_credentials(credentials)
