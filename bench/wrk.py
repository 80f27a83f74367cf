"""The wrk load generator: a generated Lua script sets the signed POST, and its `done` hook prints one JSON
line with the counts and latency percentiles, so nothing depends on wrk's human-readable summary.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.signing import SignedRequest
from bench.stats import RunResult

RESULT_MARKER = "BENCH_RESULT "
INSTALL_TIMEOUT_S = 300
DONE_HOOK = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %.0f, "duration_us": %.0f, "status_errors": %.0f, "socket_errors": %.0f, '
    .. '"p50_us": %.0f, "p99_us": %.0f}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50.0), latency:percentile(99.0)))
end
"""


class WrkFailed(RuntimeError):
    """wrk ran but produced no result line."""


def find_wrk(allow_install: bool) -> str | None:
    """The wrk binary; installs Debian's `wrk` package first when absent, allowed and running as root."""
    found = shutil.which("wrk")
    if found or not allow_install or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("wrk not found: trying `apt-get install -y wrk`", flush=True)
    if not apt_install("wrk"):
        apt_update()
        apt_install("wrk")
    return shutil.which("wrk")


def apt_install(package: str) -> bool:
    return run_quietly(["apt-get", "install", "-y", "-q", package])


def apt_update() -> bool:
    return run_quietly(["apt-get", "update", "-q"])


def run_quietly(command: list[str]) -> bool:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        completed = subprocess.run(
            command, env=env, capture_output=True, timeout=INSTALL_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return completed.returncode == 0


def wrk_version(wrk: str) -> str:
    completed = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
    first_line = (completed.stdout or completed.stderr).strip().splitlines()
    return first_line[0].split(" [")[0] if first_line else "wrk"


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lua_script(request: SignedRequest) -> str:
    lines = [f"wrk.method = {lua_string(request.method)}", f"wrk.body = {lua_string(request.body.decode())}"]
    for name, value in request.headers:
        if name.lower() != "content-length":
            lines.append(f"wrk.headers[{lua_string(name)}] = {lua_string(value)}")
    return "\n".join(lines) + "\n" + DONE_HOOK


def run_wrk(wrk: str, request: SignedRequest, connections: int, duration_s: int, threads: int) -> RunResult:
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as scratch:
        script = Path(scratch) / "signed.lua"
        script.write_text(lua_script(request))
        command = [
            wrk,
            f"--threads={min(threads, connections)}",
            f"--connections={connections}",
            f"--duration={duration_s}s",
            "--timeout=10s",
            f"--script={script}",
            f"http://{request.authority}{request.path}",
        ]
        return parse_result(*invoke(command, timeout_s=duration_s + 60))


def invoke(command: list[str], timeout_s: int) -> tuple[str, str]:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise WrkFailed(f"wrk did not run to its end: {exc}") from exc
    return completed.stdout, completed.stderr


def parse_result(stdout: str, stderr: str) -> RunResult:
    for line in stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            figures = json.loads(line[len(RESULT_MARKER) :])
            return result_from(figures)
    raise WrkFailed(f"wrk printed no result line:\n{stdout[-2000:]}\n{stderr[-2000:]}")


def result_from(figures: dict[str, float]) -> RunResult:
    status_errors = int(figures["status_errors"])
    ok = int(figures["requests"]) - status_errors
    return RunResult(
        tool="wrk",
        requests=ok,
        errors=status_errors + int(figures["socket_errors"]),
        seconds=figures["duration_us"] / 1e6,
        p50_ms=figures["p50_us"] / 1000 if ok else None,
        p99_ms=figures["p99_us"] / 1000 if ok else None,
    )
