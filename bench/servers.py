"""Start, probe and stop the servers under test; every one runs on a free loopback port with a temp dir.

Each server gets its own process group, so stopping it also stops anything it forked, and `launched`
stops it on every way out of the `with` block (error, Ctrl-C, SIGTERM turned into KeyboardInterrupt).
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from bench.signing import SignedRequest

HOST = "127.0.0.1"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
POLL_INTERVAL_S = 0.005
STOP_GRACE_S = 5.0


class ServerFailed(RuntimeError):
    """A server that could not be started, never answered, or died under load; the message says why."""


@dataclass(frozen=True, slots=True)
class ServerSpec:
    name: str
    command: Callable[[int, Path], list[str]]
    env: dict[str, str] = field(default_factory=dict)


def shieldwall_command(port: int, data_dir: Path) -> list[str]:
    return [str(require_executable("shieldwall")), "serve", "--port", str(port), "--data-dir", str(data_dir)]


def shieldwall_workers_command(port: int, data_dir: Path) -> list[str]:
    """`shieldwall serve --workers 2`: a worker process per core of this 2-core machine."""
    return [*shieldwall_command(port, data_dir), "--workers", "2"]


def moto_command(port: int, data_dir: Path) -> list[str]:
    return [str(require_executable("moto_server")), "-H", HOST, "-p", str(port)]


def ceiling_command(port: int, data_dir: Path) -> list[str]:
    return [sys.executable, "-m", "bench.ceiling", "--host", HOST, "--port", str(port)]


def require_executable(name: str) -> Path:
    path = VENV_BIN / name
    if not path.exists():
        raise ServerFailed(f"`{path}` is missing: install the project with `make` first")
    return path


SHIELDWALL_ENV = {
    "SHIELDWALL_AUTH": "enforce",
    "SHIELDWALL_ROOT_ACCESS_KEY_ID": "test",
    "SHIELDWALL_ROOT_SECRET_ACCESS_KEY": "test",
    "SHIELDWALL_HOST": HOST,
}
SPECS = {
    "shieldwall": ServerSpec("shieldwall", shieldwall_command, SHIELDWALL_ENV),
    "shieldwall-w2": ServerSpec("shieldwall-w2", shieldwall_workers_command, SHIELDWALL_ENV),
    "moto": ServerSpec("moto", moto_command),
    "ceiling": ServerSpec("ceiling", ceiling_command, {"PYTHONPATH": str(PROJECT_ROOT)}),
}


@dataclass(slots=True)
class RunningServer:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    started_at: float

    @property
    def pid(self) -> int:
        return self.process.pid

    def check_alive(self) -> None:
        code = self.process.poll()
        if code is not None:
            raise ServerFailed(f"{self.name} exited with status {code}\n{self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def launched(spec: ServerSpec) -> Iterator[RunningServer]:
    with tempfile.TemporaryDirectory(prefix=f"bench-{spec.name}-") as scratch:
        workdir = Path(scratch)
        data_dir = workdir / "data"
        data_dir.mkdir()
        port = free_port()
        command = spec.command(port, data_dir)
        server = spawn(spec, command, port, workdir)
        try:
            yield server
        finally:
            stop(server.process)


def spawn(spec: ServerSpec, command: list[str], port: int, workdir: Path) -> RunningServer:
    log_path = workdir / "server.log"
    env = {**os.environ, **spec.env}
    with log_path.open("wb") as log:
        started_at = time.perf_counter()
        try:
            process = subprocess.Popen(
                command,
                cwd=workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            raise ServerFailed(f"cannot start {spec.name}: {exc}") from exc
    return RunningServer(spec.name, port, process, log_path, started_at)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group, then SIGKILL it: after the grace period, or at once on Ctrl-C."""
    try:
        if process.poll() is None:
            signal_group(process.pid, signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                process.wait(STOP_GRACE_S)
    finally:
        signal_group(process.pid, signal.SIGKILL)
        process.wait()


def signal_group(pgid: int, signum: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def wait_for_first_success(server: RunningServer, request: SignedRequest, timeout_s: float) -> float:
    """Seconds from process start to the first 200 answer to the signed request, polling every 5 ms."""
    deadline = server.started_at + timeout_s
    last_seen = "no answer"
    while time.perf_counter() < deadline:
        server.check_alive()
        status, detail = try_request(request)
        if status == 200:
            return time.perf_counter() - server.started_at
        last_seen = detail
        time.sleep(POLL_INTERVAL_S)
    raise ServerFailed(
        f"{server.name} gave no successful GetCallerIdentity within {timeout_s:.0f} s "
        f"(last: {last_seen})\n{server.log_tail()}"
    )


def try_request(request: SignedRequest) -> tuple[int | None, str]:
    connection = http.client.HTTPConnection(request.host, request.port, timeout=2.0)
    try:
        connection.request(request.method, request.path, body=request.body, headers=dict(request.headers))
        response = connection.getresponse()
        body = response.read()
    except OSError as exc:
        return None, f"{type(exc).__name__}: {exc}"
    except http.client.HTTPException as exc:
        return None, f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()
    return response.status, f"HTTP {response.status} {body[:300]!r}"
