"""Helpers for the Secrets Manager tests: AWS's error answer, policy documents, IAM users that sign, raw calls."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Mapping
from typing import Any

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.exceptions

from shieldwall.testing import ServerInfo
from shieldwall.testing import aws_error as error_of  # noqa: F401  (the tests import it from here)


def document(*statements: Mapping[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [dict(s) for s in statements]})


def allow(action: Any, resource: Any = "*", condition: Mapping[str, Any] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        found["Condition"] = dict(condition)
    return found


def deny(action: Any, resource: Any = "*") -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource}


def granting(principal: Any, action: Any, condition: Mapping[str, Any] | None = None) -> dict[str, Any]:
    found = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*"}
    if condition:
        found["Condition"] = dict(condition)
    return found


def account_of(server: ServerInfo) -> str:
    return str(server.client("sts").get_caller_identity()["Account"])


def make_user(server: ServerInfo, name: str, *statements: Mapping[str, Any]) -> ServerInfo:
    """The server, signing as IAM user `name` of `server`'s account, with an inline policy of `statements`."""
    iam = server.client("iam")
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=document(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return server.with_credentials(key)


def raw_call(server: ServerInfo, operation: str, body: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
    """A signed Secrets Manager call sent as-is (no idempotency token filled in by an SDK)."""
    request = botocore.awsrequest.AWSRequest(
        method="POST",
        url=f"{server.endpoint}/",
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"secretsmanager.{operation}",
        },
    )
    credentials = botocore.credentials.Credentials(server.access_key_id, server.secret_access_key)
    botocore.auth.SigV4Auth(credentials, "secretsmanager", server.region).add_auth(request)
    prepared = urllib.request.Request(request.url, data=request.body, headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(prepared, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
