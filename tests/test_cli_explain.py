"""`shieldwall explain <request-id>` and `shieldwall explain --denied` against a running server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from shieldwall.cli.explain import signed_headers
from shieldwall.config import Settings
from shieldwall.gateway import admin
from shieldwall.gateway.runtime import build_runtime
from shieldwall.http import HttpRequest
from shieldwall.testing import ServerInfo, ShieldwallServer


def explain(*args: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if k not in ("SHIELDWALL_ENDPOINT", "AWS_ENDPOINT_URL")
    }
    return subprocess.run(
        [sys.executable, "-m", "shieldwall", "explain", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )


def user_client(server: ServerInfo, name: str) -> Any:
    iam = server.client("iam")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return server.client(
        "iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )


@pytest.fixture(scope="module")
def audit_server() -> Iterator[ServerInfo]:
    server = ShieldwallServer(auth="audit")
    try:
        yield server.start()
    finally:
        server.cleanup()


def test_explain_prints_the_walk_of_a_denied_request(shieldwall: ServerInfo) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        user_client(shieldwall, "alice").list_users()
    request_id = raised.value.response["ResponseMetadata"]["RequestId"]
    result = explain(request_id, "--endpoint", shieldwall.endpoint)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith(": Deny (enforced)") and request_id in lines[0]
    assert "  principal: arn:aws:iam::000000000000:user/alice" in lines
    assert "  permission: iam:ListUsers on *" in lines
    assert "decision: Deny: because no identity-based policy allows the iam:ListUsers action" in lines
    assert "7. identity-based policies: deny: no applicable Allow" in lines
    as_json = json.loads(explain(request_id, "--endpoint", shieldwall.endpoint, "--json").stdout)
    assert as_json["requestId"] == request_id and as_json["decision"] == "Deny"


def test_explain_lists_would_be_denials_with_the_statement_to_add(audit_server: ServerInfo) -> None:
    audit_server.reset()
    alice = user_client(audit_server, "alice")
    alice.list_users()
    alice.list_roles()
    result = explain("--denied", "--since", "1h", "--endpoint", audit_server.endpoint)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "arn:aws:iam::000000000000:user/alice" in text
    assert "  iam:ListUsers: 1 denied: 0 enforced, 1 not enforced" in text
    assert 'allow with: {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}' in text
    assert 'allow with: {"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}' in text


def test_explain_says_so_when_there_is_nothing_to_list_or_no_such_request(shieldwall: ServerInfo) -> None:
    empty = explain("--denied", "--endpoint", shieldwall.endpoint)
    assert empty.returncode == 0 and empty.stdout.strip() == "no denials"
    missing = explain("0b5e1c4e-0000-4000-8000-000000000000", "--endpoint", shieldwall.endpoint)
    assert missing.returncode == 1
    assert "no explanation for request" in missing.stderr


def test_explain_rejects_bad_usage_and_unreachable_servers() -> None:
    assert explain().returncode == 2
    assert explain("some-id", "--denied").returncode == 2
    unreachable = explain("some-id", "--endpoint", "http://127.0.0.1:9")
    assert unreachable.returncode == 2 and "cannot reach" in unreachable.stderr


def test_a_remote_caller_needs_root_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = build_runtime(Settings(data_dir=tmp_path))
    url = "http://shieldwall.example:4566/_shieldwall/explain?denied=1"

    def ask(headers: dict[str, str]) -> int:
        request = HttpRequest(
            "GET", "/_shieldwall/explain", "denied=1", list(headers.items()), b"", "192.0.2.7"
        )
        return admin.handle(request, runtime).status

    try:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
        assert ask(signed_headers(url)) == 200
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
        assert ask(signed_headers(url)) == 403
        assert ask({"host": "shieldwall.example:4566"}) == 403
    finally:
        runtime.close()
