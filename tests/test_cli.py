from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shieldwall.testing import ShieldwallServer


def _serve(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shieldwall", "serve", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=30,
    )


def test_refuses_a_public_address_with_the_default_root_key(tmp_path: Path) -> None:
    result = _serve("--host", "0.0.0.0", "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert "SHIELDWALL_ROOT_ACCESS_KEY_ID" in result.stderr
    assert "refusing" in result.stderr


def test_refuses_an_unknown_auth_mode_from_the_environment(tmp_path: Path) -> None:
    result = _serve("--data-dir", str(tmp_path), env={"SHIELDWALL_AUTH": "maybe"})
    assert result.returncode == 2
    assert "--auth must be one of" in result.stderr


def test_banner_shows_endpoint_and_credentials_and_start_is_quick(tmp_path: Path) -> None:
    server = ShieldwallServer(tmp_path / "data")
    started = time.monotonic()
    info = server.start()
    elapsed = time.monotonic() - started
    try:
        assert info.endpoint.startswith("http://127.0.0.1:")
        assert info.client("sts").get_caller_identity()["Account"] == "000000000000"
        assert elapsed < 20  # a generous bound; bench/ measures the real start time
    finally:
        server.stop()


def test_root_key_file_is_private(tmp_path: Path) -> None:
    server = ShieldwallServer(tmp_path / "data")
    server.start()
    server.stop()
    mode = stat.S_IMODE((tmp_path / "data" / "root.key").stat().st_mode)
    assert mode == 0o600


def test_custom_root_credentials_and_account(tmp_path: Path) -> None:
    server = ShieldwallServer(
        tmp_path / "data",
        access_key_id="AKIAEXAMPLEROOTKEY01",
        secret_access_key="a-secret-of-my-own",
        env={"SHIELDWALL_ACCOUNT_ID": "123456789012"},
    )
    info = server.start()
    try:
        assert info.client("sts").get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:root"
        assert "a-secret-of-my-own" not in server.log_path.read_text()
    finally:
        server.stop()


def test_auth_off_lets_any_key_act_as_root(tmp_path: Path) -> None:
    server = ShieldwallServer(tmp_path / "data", auth="off")
    info = server.start()
    try:
        client = info.client("sts", aws_access_key_id="anything", aws_secret_access_key="whatever")
        assert client.get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:root"
        assert "authentication is OFF" in server.log_path.read_text()
    finally:
        server.stop()


def test_kms_quotas_need_a_single_worker(tmp_path: Path) -> None:
    result = _serve("--data-dir", str(tmp_path), "--workers", "2", env={"SHIELDWALL_KMS_QUOTAS": "on"})
    assert result.returncode == 2
    assert "--workers 1" in result.stderr


@pytest.mark.parametrize("workers", ["0", "65"])
def test_refuses_a_worker_count_out_of_range(tmp_path: Path, workers: str) -> None:
    result = _serve("--data-dir", str(tmp_path), env={"SHIELDWALL_WORKERS": workers})
    assert result.returncode == 2
    assert "--workers must be between 1 and 64" in result.stderr


def test_refuses_a_worker_count_that_is_not_a_number(tmp_path: Path) -> None:
    result = _serve("--data-dir", str(tmp_path), env={"SHIELDWALL_WORKERS": "many"})
    assert result.returncode == 2
    assert "SHIELDWALL_WORKERS must be a number, not `many`" in result.stderr
