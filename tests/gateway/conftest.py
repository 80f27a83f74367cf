from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shieldwall.config import Settings
from shieldwall.gateway.runtime import Runtime, build_runtime


@pytest.fixture
def rt(tmp_path: Path) -> Iterator[Runtime]:
    """A server's runtime on a temp data directory, in-process (requests go to `gateway.app.handle`)."""
    runtime = build_runtime(Settings(data_dir=tmp_path))
    try:
        yield runtime
    finally:
        runtime.close()
