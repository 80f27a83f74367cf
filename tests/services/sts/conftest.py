"""Fixtures for STS tests: IAM set-up helpers and clients for the credentials STS hands out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from shieldwall.testing import ServerInfo


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
