"""Fixtures for the Parameter Store tests (the `shieldwall` server comes from shieldwall.testing.plugin)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shieldwall.testing import ServerInfo


@pytest.fixture
def ssm(shieldwall: ServerInfo) -> Any:
    return shieldwall.client("ssm")


@pytest.fixture
def kms(shieldwall: ServerInfo) -> Any:
    return shieldwall.client("kms")


@pytest.fixture
def iam(shieldwall: ServerInfo) -> Any:
    return shieldwall.client("iam")


@pytest.fixture
def user_server(shieldwall: ServerInfo, iam: Any) -> Callable[..., ServerInfo]:
    """`user_server("alice", policy)`: the server signing as IAM user alice, created with that inline policy."""

    def make(name: str, policy: str | None = None) -> ServerInfo:
        iam.create_user(UserName=name)
        if policy is not None:
            iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
        return shieldwall.with_credentials(iam.create_access_key(UserName=name)["AccessKey"])

    return make
