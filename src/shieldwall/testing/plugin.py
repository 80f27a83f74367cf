"""pytest fixtures for projects that test against shieldwall (installed as a pytest plugin).

- `shieldwall_session`: one server for the whole test session.
- `shieldwall`: the same server, reset to a fresh state before each test that uses it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shieldwall.testing.server import ServerInfo, ShieldwallServer


@pytest.fixture(scope="session")
def shieldwall_session() -> Iterator[ServerInfo]:
    server = ShieldwallServer()
    try:
        yield server.start()
    finally:
        server.cleanup()


@pytest.fixture
def shieldwall(shieldwall_session: ServerInfo) -> ServerInfo:
    shieldwall_session.reset()
    return shieldwall_session
