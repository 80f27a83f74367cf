"""Benchmarks of json-protocol operations, shieldwall beside moto's server in one run: the shared runner.

A `Scenario` sets up state through boto3 on a started server and names the operations to measure, each as a
signed-request body (replayed raw by wrk, or the asyncio client, at each connection count, with the server's CPU
time per request read from /proc around each run) and a boto3 call (1 and 8 threads, the SDK's own cost
included). `python -m bench kms` and `python -m bench secrets` are scenarios.

Each load is measured in `--rounds` rounds, the servers taking turns within each round, and a server's figure
for the load pools its rounds (all requests over all seconds). The VM's speed drifts by tens of percent from
one run to the next; pooled over interleaved rounds, the drift falls on every server alike instead of on
whichever ran in a slow moment. The report gives the per-round ratios' range beside the pooled ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import BotoCoreError, ClientError

from bench import procstat
from bench.rawload import run_asyncio_load
from bench.servers import HOST, SPECS, RunningServer, ServerFailed, launched, wait_for_first_success
from bench.signing import ACCESS_KEY, REGION, SECRET_KEY, SignedRequest, sign_get_caller_identity
from bench.stats import RunResult, pooled, summarize
from bench.wrk import find_wrk, run_wrk

CLIENT_CONFIG = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30)
WARM_UP_S = 3  # seconds of untimed load before the measured runs of each operation


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    service: str  # botocore name, also the SigV4 signing name here
    target: str  # X-Amz-Target
    body: dict[str, Any]
    call: Callable[[Any], Any]  # given a fresh boto3 client of `service`


@dataclass(frozen=True, slots=True)
class Scenario:
    title: str
    description: str
    setup: Callable[[Callable[[str], Any]], list[Operation]]  # given a client factory
    floor: Callable[[], dict[str, float]] | None = None  # in-process cost of the same work, µs per operation


@dataclass(slots=True)
class ServerRuns:
    name: str
    # operation -> load -> one result per round
    raw: dict[str, dict[int, list[RunResult]]] = field(default_factory=dict)
    boto: dict[str, dict[int, list[RunResult]]] = field(default_factory=dict)
    error: str | None = None


def client_factory(port: int) -> Callable[[str], Any]:
    def make(service: str) -> Any:
        return boto3.session.Session().client(
            service,
            endpoint_url=f"http://{HOST}:{port}",
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=CLIENT_CONFIG,
        )

    return make


def sign(port: int, operation: Operation) -> SignedRequest:
    data = json.dumps(operation.body).encode()
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": operation.target}
    request = AWSRequest(method="POST", url=f"http://{HOST}:{port}/", data=data, headers=headers)
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), operation.service, REGION).add_auth(request)
    signed = [("Host", f"{HOST}:{port}"), *((str(k), str(v)) for k, v in request.headers.items())]
    signed.append(("Content-Length", str(len(data))))
    return SignedRequest(HOST, port, "POST", "/", tuple(signed), data)


def run_boto(make: Callable[[str], Any], operation: Operation, threads: int, seconds: float) -> RunResult:
    clients = [make(operation.service) for _ in range(threads)]
    for client in clients:
        operation.call(client)
    latencies: list[list[float]] = [[] for _ in clients]
    errors = [0 for _ in clients]
    deadline = time.perf_counter() + seconds

    def work(index: int) -> None:
        client = clients[index]
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                operation.call(client)
            except (BotoCoreError, ClientError):
                errors[index] += 1
                continue
            latencies[index].append(time.perf_counter() - started)

    started = time.perf_counter()
    workers = [threading.Thread(target=work, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    return summarize("boto3", [x for each in latencies for x in each], sum(errors), elapsed)


@dataclass(slots=True)
class Subject:
    """A started server with the scenario set up on it, and what has been measured of it so far."""

    server: RunningServer
    make: Callable[[str], Any]
    operations: dict[str, tuple[Operation, SignedRequest]]
    runs: ServerRuns


def prepare(server: RunningServer, scenario: Scenario) -> Subject:
    wait_for_first_success(server, sign_get_caller_identity(HOST, server.port), 60)
    make = client_factory(server.port)
    operations = {op.name: (op, sign(server.port, op)) for op in scenario.setup(make)}
    return Subject(server, make, operations, ServerRuns(server.name))


def measure(subjects: list[Subject], args: argparse.Namespace, wrk: str | None) -> None:
    """Every operation at every load on every server, the servers taking turns run by run: each of
    shieldwall's figures is taken seconds from moto's, so a ratio does not span minutes of this VM's drift."""
    for name in list(subjects[0].operations) if subjects else []:
        for subject in _live(subjects):
            # Untimed warm-up: first-use work (a provider's start, shieldwall's RSA key pool filling in the
            # background after the first KMS call) must not land in the first measured run.
            _attempt(_raw, subject, name, 8, WARM_UP_S, wrk)
        for connections in args.connections:
            for _ in range(args.rounds):
                for subject in _live(subjects):
                    _attempt(_record_raw, subject, name, connections, args.duration, wrk)
        for threads in (1, 8):
            for _ in range(args.rounds):
                for subject in _live(subjects):
                    _attempt(_record_boto, subject, name, threads, args.duration)


def _live(subjects: list[Subject]) -> list[Subject]:
    return [subject for subject in subjects if subject.runs.error is None]


def _attempt(step: Callable[..., object], subject: Subject, *arguments: Any) -> None:
    """`step(subject, *arguments)`; a server that fails it is marked failed and left out of the runs after."""
    try:
        step(subject, *arguments)
    except (ServerFailed, ClientError, BotoCoreError) as error:
        subject.runs.error = str(error)
        progress(f"{subject.server.name}: FAILED: {error}")


def _raw(subject: Subject, name: str, connections: int, seconds: float, wrk: str | None) -> RunResult:
    signed = subject.operations[name][1]
    before = procstat.cpu_seconds(subject.server.pid)
    if wrk is not None:
        run = run_wrk(wrk, signed, connections, seconds, 1)
    else:
        run = run_asyncio_load(signed, connections, seconds)
    run = run.with_cpu(procstat.cpu_seconds(subject.server.pid) - before)
    subject.server.check_alive()
    return run


def _record_raw(subject: Subject, name: str, connections: int, seconds: float, wrk: str | None) -> None:
    run = _raw(subject, name, connections, seconds, wrk)
    subject.runs.raw.setdefault(name, {}).setdefault(connections, []).append(run)
    progress(
        f"{subject.server.name} {name} raw x{connections}: {run.rps:,.0f} req/s, {run.errors} errors, "
        f"server CPU {run.cpu_us_per_request or 0:.0f} µs/req"
    )


def _record_boto(subject: Subject, name: str, threads: int, seconds: float) -> None:
    run = run_boto(subject.make, subject.operations[name][0], threads, seconds)
    subject.runs.boto.setdefault(name, {}).setdefault(threads, []).append(run)
    progress(f"{subject.server.name} {name} boto3 x{threads}: {run.rps:,.0f} req/s, {run.errors} errors")


def render(scenario: Scenario, results: list[ServerRuns], args: argparse.Namespace, generator: str) -> str:
    names = [r.name for r in results]
    others = [n for n in names if n != "moto"]
    operations = list(dict.fromkeys(op for r in results for op in r.raw))
    rounds = f"{args.rounds} rounds of {args.duration} s per load, the servers taking turns in each round"
    lines = [
        f"# {scenario.title}",
        "",
        f"{scenario.description} {rounds}; raw load by {generator}; boto3 threads 1 and 8.",
        "Each server's req/s pools its rounds (all requests over all seconds); the ratio is of the pooled",
        "figures, with the range of the rounds' own ratios after it.",
        "",
        "| operation | load | "
        + " | ".join(f"{n} req/s" for n in names)
        + " | "
        + "".join(f"{n} ÷ moto | " for n in others)
        + " | ".join(f"{n} CPU µs/req" for n in names)
        + " |",
        "|---|---|" + "---|" * (2 * len(names) + len(others)),
    ]
    moto = names.index("moto") if "moto" in names else None
    loads = [(f"raw x{c}", "raw", c) for c in args.connections] + [(f"boto3 x{t}", "boto", t) for t in (1, 8)]
    for operation in operations:
        for label, kind, size in loads:
            rounds_of = [getattr(r, kind).get(operation, {}).get(size) or [] for r in results]
            runs = [pooled(each) if each else None for each in rounds_of]
            rates = [f"{run.rps:,.0f}" if run else "—" for run in runs]
            cpus = [
                f"{run.cpu_us_per_request:.0f}" if run and run.cpu_us_per_request else "—" for run in runs
            ]
            ratios = [
                _ratio(run, rounds_of[index], runs[moto], rounds_of[moto]) if moto is not None else "—"
                for index, (name, run) in enumerate(zip(names, runs, strict=True))
                if name != "moto"
            ]
            row = (
                f"| {operation} | {label} | "
                + " | ".join(rates)
                + " | "
                + "".join(f"{ratio} | " for ratio in ratios)
                + " | ".join(cpus)
                + " |"
            )
            lines.append(row)
    if scenario.floor is not None:
        lines += ["", "`cryptography` alone, the same work in one process (µs per operation):", ""]
        lines += [f"- {operation}: {cost:.1f} µs" for operation, cost in scenario.floor().items()]
    errors = [f"- {r.name}: {r.error}" for r in results if r.error]
    if errors:
        lines += ["", "Failures:", *errors]
    return "\n".join(lines) + "\n"


def _ratio(
    run: RunResult | None, rounds: list[RunResult], base: RunResult | None, base_rounds: list[RunResult]
) -> str:
    """The pooled ratio (two decimals: 1.96x is not 2x), then the range of the rounds' ratios (a round's pair
    ran seconds apart)."""
    if run is None or base is None or not base.rps:
        return "—"
    text = f"{run.rps / base.rps:.2f}x"
    each = [mine.rps / theirs.rps for mine, theirs in zip(rounds, base_rounds, strict=False) if theirs.rps]
    if len(each) > 1:
        text += f" ({min(each):.1f}-{max(each):.1f})"
    return text


def progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main(scenario: Scenario, output: Path, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m bench {output.stem}")
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3, help="rounds per load, the servers taking turns")
    parser.add_argument(
        "--connections", type=lambda t: tuple(int(p) for p in t.split(",")), default=(1, 8, 64)
    )
    parser.add_argument("--servers", default="shieldwall,shieldwall-w2,moto")
    parser.add_argument("--output", type=Path, default=output)
    args = parser.parse_args(argv)
    wrk = find_wrk(allow_install=False)
    generator = "wrk" if wrk else "the asyncio client"
    results: list[ServerRuns] = []
    with contextlib.ExitStack() as running:
        subjects = []
        for name in args.servers.split(","):
            try:
                subject = prepare(running.enter_context(launched(SPECS[name])), scenario)
            except (ServerFailed, ClientError, BotoCoreError) as error:
                results.append(ServerRuns(name, error=str(error)))
                progress(f"{name}: FAILED: {error}")
                continue
            subjects.append(subject)
            results.append(subject.runs)
        measure(subjects, args, wrk)
    report = render(scenario, results, args, generator)
    print(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report)
    return 1 if any(r.error for r in results) else 0
