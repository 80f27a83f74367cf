"""Fixtures for IAM tests: a helper that asserts AWS's error answer, and clients signing as IAM users (the root
IAM client `iam` comes from tests/services/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shieldwall.testing import ServerInfo
from shieldwall.testing import aws_error as error_of

ErrorOf = Callable[..., tuple[str, int, str]]


@pytest.fixture
def aws_error() -> ErrorOf:
    return error_of


@pytest.fixture
def user_client(shieldwall: ServerInfo, iam: Any) -> Callable[..., Any]:
    """`user_client("sts", "alice")`: a client signing with a fresh access key of user alice (created if needed)."""

    def make(service: str, user: str) -> Any:
        if not [u for u in iam.list_users()["Users"] if u["UserName"] == user]:
            iam.create_user(UserName=user)
        key = iam.create_access_key(UserName=user)["AccessKey"]
        return shieldwall.client(
            service, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
        )

    return make
