"""Load through boto3 itself: what an application using the SDK would get, client-side cost included.

Each thread owns its client (built from its own Session, as boto3 requires for thread safety); every client
makes one untimed call first so that the lazy model loading and connection set-up stay out of the figures.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from bench.signing import ACCESS_KEY, REGION, SECRET_KEY
from bench.stats import RunResult, summarize

CLIENT_CONFIG = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30)


@dataclass(slots=True)
class WorkerTally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0


def make_client(endpoint: str) -> Any:
    session = boto3.session.Session()
    return session.client(
        "sts",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=CLIENT_CONFIG,
    )


def call_until(client: Any, deadline: float, tally: WorkerTally) -> None:
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            client.get_caller_identity()
        except (BotoCoreError, ClientError):
            tally.errors += 1
            continue
        tally.latencies.append(time.perf_counter() - started)


def warm_up(client: Any) -> None:
    with contextlib.suppress(BotoCoreError, ClientError):
        client.get_caller_identity()


def run_boto(endpoint: str, threads: int, duration_s: float) -> RunResult:
    """`threads` clients calling GetCallerIdentity back to back for `duration_s` seconds."""
    clients = [make_client(endpoint) for _ in range(threads)]
    for client in clients:
        warm_up(client)
    tallies = [WorkerTally() for _ in clients]
    started = time.perf_counter()
    deadline = started + duration_s
    workers = [
        threading.Thread(target=call_until, args=(client, deadline, tally), daemon=True)
        for client, tally in zip(clients, tallies, strict=True)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    latencies = [latency for tally in tallies for latency in tally.latencies]
    errors = sum(tally.errors for tally in tallies)
    for client in clients:
        client.close()
    return summarize("boto3", latencies, errors, elapsed)
