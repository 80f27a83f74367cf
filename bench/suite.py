"""One benchmark run: each server in turn is started, measured under the same workload, and stopped,
so that no two servers ever compete for the machine's cores.

Per server, in order: start → first successful request, RSS after start, boto3 runs (which also warm the
server up), raw signed replays at each connection count with the server's CPU time read around each,
RSS after load.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bench import procstat
from bench.boto_load import run_boto
from bench.rawload import run_asyncio_load
from bench.servers import (
    HOST,
    SPECS,
    RunningServer,
    ServerFailed,
    ServerSpec,
    launched,
    wait_for_first_success,
)
from bench.signing import SignedRequest, sign_get_caller_identity
from bench.stats import RunResult
from bench.wrk import WrkFailed, run_wrk

Progress = Callable[[str], None]
RawRunner = Callable[[SignedRequest, int], RunResult]


@dataclass(frozen=True, slots=True)
class Options:
    duration_s: int = 5
    connections: tuple[int, ...] = (1, 8, 64)
    boto_threads: int = 8
    servers: tuple[str, ...] = ("shieldwall", "moto", "ceiling")
    startup_timeout_s: float = 60.0
    wrk: str | None = None
    wrk_threads: int = 1
    skip_boto: bool = False

    @property
    def generator(self) -> str:
        return "wrk" if self.wrk else "asyncio"

    def raw_runner(self) -> RawRunner:
        wrk, duration, threads = self.wrk, self.duration_s, self.wrk_threads
        if wrk is None:
            return lambda request, connections: run_asyncio_load(request, connections, duration)
        return lambda request, connections: run_wrk(wrk, request, connections, duration, threads)


@dataclass(slots=True)
class ServerResult:
    name: str
    startup_s: float | None = None
    rss_after_start: int | None = None
    rss_after_load: int | None = None
    boto: dict[int, RunResult] = field(default_factory=dict)
    raw: dict[int, RunResult] = field(default_factory=dict)
    error: str | None = None


def run_suite(options: Options, progress: Progress) -> list[ServerResult]:
    return [benchmark_server(SPECS[name], options, progress) for name in options.servers]


def benchmark_server(spec: ServerSpec, options: Options, progress: Progress) -> ServerResult:
    result = ServerResult(spec.name)
    progress(f"{spec.name}: starting")
    try:
        with launched(spec) as server:
            measure_server(server, options, result, progress)
    except (ServerFailed, WrkFailed) as exc:
        result.error = str(exc)
        progress(f"{spec.name}: FAILED: {exc}")
    return result


def measure_server(server: RunningServer, options: Options, result: ServerResult, progress: Progress) -> None:
    probe = sign_get_caller_identity(HOST, server.port)
    result.startup_s = wait_for_first_success(server, probe, options.startup_timeout_s)
    result.rss_after_start = procstat.rss_bytes(server.pid)
    progress(f"{server.name}: first request after {result.startup_s * 1000:.0f} ms")
    if not options.skip_boto:
        for threads in sorted({1, options.boto_threads}):
            run = run_boto(f"http://{HOST}:{server.port}", threads, options.duration_s)
            server.check_alive()
            result.boto[threads] = run
            progress(f"{server.name}: boto3 x{threads}: {describe(run)}")
    raw_runner = options.raw_runner()
    for connections in options.connections:
        result.raw[connections] = measure_raw(server, raw_runner, connections)
        progress(f"{server.name}: raw x{connections}: {describe(result.raw[connections])}")
    result.rss_after_load = procstat.rss_bytes(server.pid)


def measure_raw(server: RunningServer, raw_runner: RawRunner, connections: int) -> RunResult:
    """One replay run, signed afresh so that a long --duration never outlives the 15-minute validity."""
    request = sign_get_caller_identity(HOST, server.port)
    cpu_before = procstat.cpu_seconds(server.pid)
    run = raw_runner(request, connections)
    cpu_after = procstat.cpu_seconds(server.pid)
    server.check_alive()
    return run.with_cpu(cpu_after - cpu_before)


def describe(run: RunResult) -> str:
    latency = "" if run.p50_ms is None else f", p50 {run.p50_ms:.2f} ms, p99 {run.p99_ms or 0:.2f} ms"
    errors = f", {run.errors} errors" if run.errors else ""
    cpu = "" if run.cpu_us_per_request is None else f", server CPU {run.cpu_us_per_request:.0f} µs/req"
    return f"{run.rps:,.0f} req/s{latency}{errors}{cpu}"
