"""Start and stop a shieldwall server process for tests."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

_READY = re.compile(r"ready on (http://\S+)")


@dataclass(frozen=True, slots=True)
class ServerInfo:
    endpoint: str
    access_key_id: str
    secret_access_key: str
    region: str
    data_dir: Path
    session_token: str | None = None

    def client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client for `service` pointed at this server with its root credentials.

        Each client gets its own boto3 session, so threads can create clients at the same time.
        """
        import boto3.session

        options: dict[str, Any] = {
            "endpoint_url": self.endpoint,
            "region_name": self.region,
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_access_key,
            "aws_session_token": self.session_token,
        }
        options.update(kwargs)
        return boto3.session.Session().client(service, **options)

    def admin(self, path: str, body: Mapping[str, Any] | None = None) -> Any:
        """Call an admin endpoint (`health`, `reset`, `clock`); POST when a body is given or for `reset`."""
        data = None if body is None and path != "reset" else json.dumps(body or {}).encode()
        request = urllib.request.Request(f"{self.endpoint}/_shieldwall/{path}", data=data)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def reset(self) -> None:
        self.admin("reset")

    def create_account(self, name: str = "member") -> ServerInfo:
        """A new account on this server; the returned ServerInfo's clients sign as its root user."""
        created = self.admin("accounts", {"name": name})
        return replace(
            self, access_key_id=created["AccessKeyId"], secret_access_key=created["SecretAccessKey"]
        )

    def with_credentials(self, credentials: Mapping[str, Any]) -> ServerInfo:
        """The same server, signing with other keys: an IAM access key (`AccessKeyId`, `SecretAccessKey`) or STS
        credentials (with `SessionToken`) as boto3 returns them."""
        return replace(
            self,
            access_key_id=credentials["AccessKeyId"],
            secret_access_key=credentials["SecretAccessKey"],
            session_token=credentials.get("SessionToken"),
        )

    def advance_clock(self, seconds: float) -> Any:
        return self.admin("clock", {"advance_seconds": seconds})

    def env(self) -> dict[str, str]:
        """Environment variables that point the AWS CLI or an SDK at this server."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            **({"AWS_SESSION_TOKEN": self.session_token} if self.session_token else {}),
        }


class ShieldwallServer:
    """A server process; `start()` returns when it answers its health endpoint."""

    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        auth: str = "enforce",
        env: Mapping[str, str] | None = None,
        access_key_id: str = "test",
        secret_access_key: str = "test",
        region: str = "us-east-1",
        workers: int = 1,
    ) -> None:
        self._own_dir = data_dir is None
        self.workers = workers
        self.data_dir = Path(tempfile.mkdtemp(prefix="shieldwall-")) if data_dir is None else data_dir
        self.auth = auth
        self.extra_env = dict(env or {})
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.region = region
        self.process: subprocess.Popen[str] | None = None
        self.info: ServerInfo | None = None
        self._log: IO[str] | None = None

    def start(self, timeout: float = 20.0) -> ServerInfo:
        environment = {
            **os.environ,
            "SHIELDWALL_ROOT_ACCESS_KEY_ID": self.access_key_id,
            "SHIELDWALL_ROOT_SECRET_ACCESS_KEY": self.secret_access_key,
            "SHIELDWALL_REGION": self.region,
            **self.extra_env,
        }
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "a")  # noqa: SIM115
        command = [sys.executable, "-m", "shieldwall", "serve", "--host", "127.0.0.1", "--port", "0"]
        command += ["--data-dir", str(self.data_dir), "--auth", self.auth, "--workers", str(self.workers)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=self._log, text=True, env=environment, bufsize=1
        )
        endpoint = self._await_banner(timeout)
        self.info = ServerInfo(
            endpoint, self.access_key_id, self.secret_access_key, self.region, self.data_dir
        )
        self._await_health(timeout)
        return self.info

    def _await_banner(self, timeout: float) -> str:
        assert self.process is not None and self.process.stdout is not None
        deadline = time.monotonic() + timeout
        for line in self.process.stdout:
            match = _READY.search(line)
            if match:
                return match.group(1)
            if time.monotonic() > deadline:
                break
        self.stop()
        raise RuntimeError(f"shieldwall did not start; see {self.log_path}")

    def _await_health(self, timeout: float) -> None:
        assert self.info is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.info.admin("health")
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"shieldwall did not answer its health check; see {self.log_path}")

    @property
    def log_path(self) -> Path:
        return self.data_dir / "server.log"

    def kill(self) -> None:
        """Stop the process with SIGKILL, as a crash would (the data directory stays)."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
            if self.process.stdout is not None:
                self.process.stdout.close()
            self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def cleanup(self) -> None:
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)


@contextmanager
def shieldwall_server(**options: Any) -> Iterator[ServerInfo]:
    server = ShieldwallServer(**options)
    try:
        yield server.start()
    finally:
        server.cleanup()
