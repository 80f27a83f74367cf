"""Fixtures for the Secrets Manager service tests (the `shieldwall` server comes from shieldwall.testing.plugin)."""

from __future__ import annotations

from typing import Any

import pytest

from shieldwall.testing import ServerInfo


@pytest.fixture
def sm(shieldwall: ServerInfo) -> Any:
    return shieldwall.client("secretsmanager")


@pytest.fixture
def key_arn(kms: Any) -> str:
    """A fresh customer managed symmetric key of the default account (default key policy)."""
    return str(kms.create_key(Description="secrets test key")["KeyMetadata"]["Arn"])
