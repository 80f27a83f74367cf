"""Fixtures for the KMS service tests (the `shieldwall` server comes from shieldwall.testing.plugin)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def key_id(kms: Any) -> str:
    """A fresh symmetric encryption key of the default account."""
    return str(kms.create_key(Description="test key")["KeyMetadata"]["KeyId"])
