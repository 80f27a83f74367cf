"""Fixtures every service's tests share: root clients of the services others build on, and IAM users to sign as
(the `shieldwall` server comes from shieldwall.testing.plugin)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shieldwall.testing import ServerInfo


@pytest.fixture
def iam(shieldwall: ServerInfo) -> Any:
    return shieldwall.client("iam")


@pytest.fixture
def kms(shieldwall: ServerInfo) -> Any:
    return shieldwall.client("kms")


@pytest.fixture
def user_server(shieldwall: ServerInfo, iam: Any) -> Callable[..., ServerInfo]:
    """`user_server("alice", policy=...)`: the server, signing as IAM user alice (created, with an inline policy
    when one is given; in another account's server when `account` is given)."""

    def make(name: str, policy: str | None = None, account: ServerInfo | None = None) -> ServerInfo:
        owner = account or shieldwall
        client = iam if account is None else account.client("iam")
        client.create_user(UserName=name)
        if policy is not None:
            client.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
        key = client.create_access_key(UserName=name)["AccessKey"]
        return owner.with_credentials(key)

    return make
