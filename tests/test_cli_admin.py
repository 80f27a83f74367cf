"""`shieldwall admin account create|list` against a running server."""

from __future__ import annotations

import subprocess
import sys

from shieldwall.testing import ServerInfo


def run_cli(server: ServerInfo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shieldwall", "admin", "--endpoint", server.endpoint, "account", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_create_prints_root_keys_that_sign_as_the_new_account(shieldwall: ServerInfo) -> None:
    created = run_cli(shieldwall, "create", "--name", "staging")
    assert created.returncode == 0, created.stderr
    fields = dict(line.split(None, 1) for line in created.stdout.splitlines())
    account = fields["AccountId"]
    secret = fields["SecretAccessKey"].split()[0]
    new_root = shieldwall.with_credentials({"AccessKeyId": fields["AccessKeyId"], "SecretAccessKey": secret})
    identity = new_root.client("sts").get_caller_identity()
    assert identity["Account"] == account and identity["Arn"] == f"arn:aws:iam::{account}:root"

    listed = run_cli(shieldwall, "list")
    assert listed.returncode == 0 and account in listed.stdout and "staging" in listed.stdout


def test_usage_is_printed_for_an_incomplete_command(shieldwall: ServerInfo) -> None:
    assert run_cli(shieldwall).returncode == 2
