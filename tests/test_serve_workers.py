"""`shieldwall serve --workers 2`: two processes behind one port, one data directory.

Each check talks to one worker on purpose: a keep-alive connection stays with the worker that accepted it, and
the health endpoint says which process that is. So "a write through one worker shows in the other" is tested
as such, after the other has cached what it read before the write.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from shieldwall.clock import parse_iso8601
from shieldwall.testing import ServerInfo, ShieldwallServer


class Worker:
    """One keep-alive connection, and so one worker process."""

    def __init__(self, info: ServerInfo, conn: http.client.HTTPConnection, pid: int) -> None:
        self.info, self.conn, self.pid = info, conn, pid
        self.request_id: str | None = None  # of the last answer

    def send(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> Any:
        self.conn.request(method, path, body=body, headers=headers or {})
        response = self.conn.getresponse()
        assert response.getheader("connection") != "close"
        self.request_id = response.getheader("x-amzn-RequestId")
        return response.status, json.loads(response.read() or b"null")

    def admin(self, path: str, body: dict[str, Any] | None = None) -> Any:
        method, data = ("GET", b"") if body is None else ("POST", json.dumps(body).encode())
        status, answer = self.send(method, f"/_shieldwall/{path}", data)
        assert status == 200, answer
        return answer

    def call(self, target: str, params: dict[str, Any], keys: tuple[str, str] = ("test", "test")) -> Any:
        """A JSON-protocol call (X-Amz-Target `target`) signed with `keys`."""
        service = "secretsmanager" if target.startswith("secretsmanager.") else "kms"
        url = f"{self.info.endpoint}/"
        request = AWSRequest(
            "POST",
            url,
            data=json.dumps(params).encode(),
            headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target},
        )
        SigV4Auth(Credentials(*keys), service, self.info.region).add_auth(request)
        headers = {name: str(value) for name, value in request.headers.items()}
        return self.send("POST", "/", request.body, headers)


def user_keys(info: ServerInfo, name: str) -> tuple[str, str]:
    """A new IAM user's access key pair."""
    iam = info.client("iam")
    iam.create_user(UserName=name)
    keys = iam.create_access_key(UserName=name)["AccessKey"]
    return keys["AccessKeyId"], keys["SecretAccessKey"]


def with_token(params: dict[str, Any]) -> dict[str, Any]:
    """Secrets Manager wants a ClientRequestToken from raw HTTP callers (SDKs fill it in)."""
    return {**params, "ClientRequestToken": str(uuid.uuid4())}


def one_per_worker(info: ServerInfo, workers: int) -> list[Worker]:
    """A connection to each worker: new connections until each process has answered one."""
    host = urlsplit(info.endpoint)
    found: dict[int, Worker] = {}
    spare = []
    for _ in range(400):
        conn = http.client.HTTPConnection(host.hostname or "127.0.0.1", host.port, timeout=10)
        worker = Worker(info, conn, 0)
        worker.pid = worker.admin("health")["process"]
        if worker.pid in found:
            spare.append(conn)
        else:
            found[worker.pid] = worker
        if len(found) == workers:
            break
    for conn in spare:
        conn.close()
    assert len(found) == workers, f"only {len(found)} of {workers} workers took a connection"
    return list(found.values())


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ShieldwallServer, ServerInfo]]:
    server = ShieldwallServer(tmp_path_factory.mktemp("workers"), workers=2)
    info = server.start()
    try:
        yield server, info
    finally:
        server.stop()


def test_a_write_through_one_worker_shows_in_the_other(
    two_workers: tuple[ShieldwallServer, ServerInfo],
) -> None:
    _, info = two_workers
    first, second = one_per_worker(info, 2)
    assert first.pid != second.pid

    status, answer = second.call("secretsmanager.GetSecretValue", {"SecretId": "shared/db"})
    assert (status, answer["__type"]) == (400, "ResourceNotFoundException")

    status, answer = first.call(
        "secretsmanager.CreateSecret", with_token({"Name": "shared/db", "SecretString": "one"})
    )
    assert status == 200, answer
    status, answer = second.call("secretsmanager.GetSecretValue", {"SecretId": "shared/db"})
    assert (status, answer["SecretString"]) == (200, "one")

    status, _ = second.call(
        "secretsmanager.PutSecretValue", with_token({"SecretId": "shared/db", "SecretString": "two"})
    )
    assert status == 200
    for worker in (first, second):
        status, answer = worker.call("secretsmanager.GetSecretValue", {"SecretId": "shared/db"})
        assert (status, answer["SecretString"]) == (200, "two")


def test_a_policy_change_through_one_worker_binds_the_other(
    two_workers: tuple[ShieldwallServer, ServerInfo],
) -> None:
    _, info = two_workers
    iam = info.client("iam")
    user = user_keys(info, "reader")
    info.client("secretsmanager").create_secret(Name="policy/db", SecretString="s3cret")
    first, second = one_per_worker(info, 2)

    for worker in (first, second):  # each caches the user's (empty) policies
        status, answer = worker.call("secretsmanager.GetSecretValue", {"SecretId": "policy/db"}, user)
        assert (status, answer["__type"]) == (400, "AccessDeniedException")

    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}],
    }
    iam.put_user_policy(UserName="reader", PolicyName="read", PolicyDocument=json.dumps(document))
    for worker in (first, second):
        status, answer = worker.call("secretsmanager.GetSecretValue", {"SecretId": "policy/db"}, user)
        assert (status, answer.get("SecretString")) == (200, "s3cret")

    iam.update_access_key(UserName="reader", AccessKeyId=user[0], Status="Inactive")
    for worker in (first, second):
        status, answer = worker.call("secretsmanager.GetSecretValue", {"SecretId": "policy/db"}, user)
        assert (status, answer["__type"]) == (400, "UnrecognizedClientException")


def test_the_clock_moves_for_every_worker(two_workers: tuple[ShieldwallServer, ServerInfo]) -> None:
    _, info = two_workers
    first, second = one_per_worker(info, 2)
    second.admin("clock")  # read before the move, so the second worker has looked once already
    first.admin("clock", {"advance_seconds": 86400})
    moved = parse_iso8601(second.admin("clock")["now"])
    assert moved - datetime.now(moved.tzinfo) > timedelta(hours=23)

    second.admin("clock", {"advance_seconds": 86400})  # both moves count
    moved = parse_iso8601(first.admin("clock")["now"])
    assert moved - datetime.now(moved.tzinfo) > timedelta(hours=47)

    second.admin("clock", {"reset": True})
    now = parse_iso8601(first.admin("clock")["now"])
    assert abs(now - datetime.now(now.tzinfo)) < timedelta(minutes=1)


def test_a_key_scheduled_for_deletion_is_gone_for_every_worker_once_the_clock_passes(
    two_workers: tuple[ShieldwallServer, ServerInfo],
) -> None:
    _, info = two_workers
    first, second = one_per_worker(info, 2)
    status, created = first.call("TrentService.CreateKey", {})
    key_id = created["KeyMetadata"]["KeyId"]
    for worker in (first, second):
        status, _ = worker.call("TrentService.Encrypt", {"KeyId": key_id, "Plaintext": "aGk="})
        assert status == 200
    status, _ = first.call("TrentService.ScheduleKeyDeletion", {"KeyId": key_id, "PendingWindowInDays": 7})
    assert status == 200
    status, answer = second.call("TrentService.Encrypt", {"KeyId": key_id, "Plaintext": "aGk="})
    assert (status, answer["__type"]) == (400, "KMSInvalidStateException")
    first.admin("clock", {"advance_seconds": 8 * 86400})
    try:
        status, answer = second.call("TrentService.DescribeKey", {"KeyId": key_id})
        assert (status, answer["__type"]) == (400, "NotFoundException")
    finally:
        first.admin("clock", {"reset": True})


def test_reset_through_one_worker_empties_the_other(two_workers: tuple[ShieldwallServer, ServerInfo]) -> None:
    _, info = two_workers
    first, second = one_per_worker(info, 2)
    first.call("secretsmanager.CreateSecret", with_token({"Name": "reset/me", "SecretString": "x"}))
    status, _ = second.call("secretsmanager.DescribeSecret", {"SecretId": "reset/me"})
    assert status == 200
    first.admin("reset", {})
    status, answer = second.call("secretsmanager.DescribeSecret", {"SecretId": "reset/me"})
    assert (status, answer["__type"]) == (400, "ResourceNotFoundException")


def _gone(pid: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("how", ["stop", "kill"])
def test_no_worker_outlives_its_server(tmp_path: Path, how: str) -> None:
    server = ShieldwallServer(tmp_path / "data", workers=2)
    info = server.start()
    try:
        pids = [worker.pid for worker in one_per_worker(info, 2)]
    finally:
        server.kill() if how == "kill" else server.stop()
    assert all(_gone(pid) for pid in pids)


def test_a_worker_that_dies_takes_the_server_down(tmp_path: Path) -> None:
    server = ShieldwallServer(tmp_path / "data", workers=2)
    info = server.start()
    try:
        pids = [worker.pid for worker in one_per_worker(info, 2)]
        os.kill(pids[0], 9)
        assert server.process is not None
        assert server.process.wait(15) == 1
        assert _gone(pids[1])
    finally:
        server.stop()


def test_a_denial_served_by_one_worker_is_explained_by_the_other(
    two_workers: tuple[ShieldwallServer, ServerInfo],
) -> None:
    _, info = two_workers
    user = user_keys(info, "nobody")
    first, second = one_per_worker(info, 2)
    status, answer = first.call("secretsmanager.ListSecrets", {}, user)
    assert (status, answer["__type"]) == (400, "AccessDeniedException")
    request_id = first.request_id

    explained = second.admin(f"explain/{request_id}")
    assert explained["decision"] == "Deny"
    assert explained["action"] == "secretsmanager:ListSecrets"
    assert explained["principal"].endswith(":user/nobody")
    assert "identity-based policies: deny: no applicable Allow" in explained["explanation"]  # the walk


def test_never_joins_another_servers_port(tmp_path: Path) -> None:
    """Worker sockets share their port with each other (SO_REUSEPORT), never with a server already there."""
    other = socket.socket()
    other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    other.bind(("127.0.0.1", 0))
    other.listen()
    try:
        port = str(other.getsockname()[1])
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "shieldwall",
                "serve",
                "--data-dir",
                str(tmp_path),
                "--port",
                port,
                "--workers",
                "2",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        other.close()
    assert result.returncode != 0
    assert "Address already in use" in result.stderr
