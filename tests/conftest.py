"""Shared fixtures: `shieldwall` (a running server, fresh state per test) comes from shieldwall.testing.plugin."""

from __future__ import annotations

import os

import pytest

# Tests must never reach real AWS: drop any ambient credentials or profile before clients read them.
for _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE"):
    os.environ.pop(_name, None)
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


@pytest.fixture
def sts(shieldwall):  # type: ignore[no-untyped-def]
    return shieldwall.client("sts")
