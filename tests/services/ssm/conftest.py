"""Fixtures for the Parameter Store tests (the `shieldwall` server comes from shieldwall.testing.plugin)."""

from __future__ import annotations

from typing import Any

import pytest

from shieldwall.testing import ServerInfo


@pytest.fixture
def ssm(shieldwall: ServerInfo) -> Any:
    return shieldwall.client("ssm")
