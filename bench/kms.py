"""`python -m bench kms`: KMS Encrypt, Decrypt and GenerateDataKey, shieldwall beside moto's server, one run.

Per server: start it, create a symmetric key through boto3 (shieldwall: with its default key policy, enforced,
and the audit trail on), then
- raw: one signed request per operation, replayed by wrk (or the asyncio client) at each connection count,
  with the server's CPU time per request read from /proc around each run;
- boto3: 1 and 8 threads calling the operation back to back (the SDK's own ~1.5 ms per call included).
Beside them, what `cryptography` alone spends on the same AES-GCM work in this process (µs per operation), so
the share of a request that is cryptography is visible.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
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
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bench import procstat
from bench.rawload import run_asyncio_load
from bench.servers import HOST, SPECS, RunningServer, ServerFailed, launched, wait_for_first_success
from bench.signing import ACCESS_KEY, REGION, SECRET_KEY, SignedRequest, sign_get_caller_identity
from bench.stats import RunResult, summarize
from bench.wrk import find_wrk, run_wrk

RESULTS = Path(__file__).resolve().parent / "results" / "kms.md"
PLAINTEXT = b"x" * 64
CONTEXT = {"purpose": "bench"}
OPERATIONS = ("Encrypt", "Decrypt", "GenerateDataKey")
CLIENT_CONFIG = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30)


@dataclass(slots=True)
class KmsResult:
    name: str
    raw: dict[str, dict[int, RunResult]] = field(default_factory=dict)
    boto: dict[str, dict[int, RunResult]] = field(default_factory=dict)
    error: str | None = None


def sign_kms(port: int, operation: str, body: dict[str, Any]) -> SignedRequest:
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"TrentService.{operation}"}
    request = AWSRequest(method="POST", url=f"http://{HOST}:{port}/", data=data, headers=headers)
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "kms", REGION).add_auth(request)
    signed = [("Host", f"{HOST}:{port}"), *((str(k), str(v)) for k, v in request.headers.items())]
    signed.append(("Content-Length", str(len(data))))
    return SignedRequest(HOST, port, "POST", "/", tuple(signed), data)


def kms_client(port: int) -> Any:
    return boto3.session.Session().client(
        "kms",
        endpoint_url=f"http://{HOST}:{port}",
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=CLIENT_CONFIG,
    )


def bodies(key_id: str, ciphertext: bytes) -> dict[str, dict[str, Any]]:
    return {
        "Encrypt": {
            "KeyId": key_id,
            "Plaintext": base64.b64encode(PLAINTEXT).decode(),
            "EncryptionContext": CONTEXT,
        },
        "Decrypt": {"CiphertextBlob": base64.b64encode(ciphertext).decode(), "EncryptionContext": CONTEXT},
        "GenerateDataKey": {"KeyId": key_id, "KeySpec": "AES_256", "EncryptionContext": CONTEXT},
    }


def boto_calls(client: Any, key_id: str, ciphertext: bytes) -> dict[str, Callable[[], Any]]:
    return {
        "Encrypt": lambda: client.encrypt(KeyId=key_id, Plaintext=PLAINTEXT, EncryptionContext=CONTEXT),
        "Decrypt": lambda: client.decrypt(CiphertextBlob=ciphertext, EncryptionContext=CONTEXT),
        "GenerateDataKey": lambda: client.generate_data_key(
            KeyId=key_id, KeySpec="AES_256", EncryptionContext=CONTEXT
        ),
    }


def run_boto(
    port: int, key_id: str, ciphertext: bytes, operation: str, threads: int, seconds: float
) -> RunResult:
    clients = [kms_client(port) for _ in range(threads)]
    calls = [boto_calls(client, key_id, ciphertext)[operation] for client in clients]
    for call in calls:
        call()
    latencies: list[list[float]] = [[] for _ in calls]
    errors = [0 for _ in calls]
    deadline = time.perf_counter() + seconds

    def work(index: int) -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                calls[index]()
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
    return summarize(
        "boto3", [x for each in latencies for x in each], sum(errors), time.perf_counter() - started
    )


def measure(server: RunningServer, args: argparse.Namespace, wrk: str | None) -> KmsResult:
    result = KmsResult(server.name)
    wait_for_first_success(server, sign_get_caller_identity(HOST, server.port), 60)
    client = kms_client(server.port)
    key_id = client.create_key(Description="bench")["KeyMetadata"]["KeyId"]
    ciphertext = client.encrypt(KeyId=key_id, Plaintext=PLAINTEXT, EncryptionContext=CONTEXT)[
        "CiphertextBlob"
    ]
    signed = {name: sign_kms(server.port, name, body) for name, body in bodies(key_id, ciphertext).items()}
    for operation in OPERATIONS:
        result.raw[operation] = {}
        for connections in args.connections:
            before = procstat.cpu_seconds(server.pid)
            if wrk is not None:
                run = run_wrk(wrk, signed[operation], connections, args.duration, 1)
            else:
                run = run_asyncio_load(signed[operation], connections, args.duration)
            run = run.with_cpu(procstat.cpu_seconds(server.pid) - before)
            server.check_alive()
            result.raw[operation][connections] = run
            progress(
                f"{server.name} {operation} raw x{connections}: {run.rps:,.0f} req/s, {run.errors} errors, "
                f"server CPU {run.cpu_us_per_request or 0:.0f} µs/req"
            )
        result.boto[operation] = {}
        for threads in (1, 8):
            run = run_boto(server.port, key_id, ciphertext, operation, threads, args.duration)
            result.boto[operation][threads] = run
            progress(f"{server.name} {operation} boto3 x{threads}: {run.rps:,.0f} req/s, {run.errors} errors")
    return result


def crypto_cost(rounds: int = 20_000) -> dict[str, float]:
    """µs per AES-GCM operation of the same size in this process: the floor under any KMS implementation."""
    key = AESGCM.generate_key(256)
    cipher = AESGCM(key)
    aad = json.dumps(CONTEXT).encode()
    nonce = b"\x00" * 12
    sealed = cipher.encrypt(nonce, PLAINTEXT, aad)

    def timed(action: Callable[[], object]) -> float:
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(rounds // 5):
                action()
            samples.append((time.perf_counter() - started) * 1e6 / (rounds // 5))
        return statistics.median(samples)

    return {
        "Encrypt": timed(lambda: cipher.encrypt(nonce, PLAINTEXT, aad)),
        "Decrypt": timed(lambda: cipher.decrypt(nonce, sealed, aad)),
        "GenerateDataKey": timed(lambda: cipher.encrypt(nonce, AESGCM.generate_key(256), aad)),
    }


def render(
    results: list[KmsResult], crypto: dict[str, float], args: argparse.Namespace, generator: str
) -> str:
    lines = [
        "# KMS benchmark",
        "",
        f"{args.duration} s per run; raw load by {generator}; boto3 threads 1 and 8; 64-byte plaintext, "
        "one encryption-context pair; shieldwall with key-policy enforcement and the audit trail on.",
        "",
        "| operation | load | "
        + " | ".join(f"{r.name} req/s" for r in results)
        + " | ratio | "
        + " | ".join(f"{r.name} CPU µs/req" for r in results)
        + " |",
        "|---|---|" + "---|" * (2 * len(results) + 1),
    ]
    for operation in OPERATIONS:
        loads = [(f"raw x{c}", "raw", c) for c in args.connections] + [
            (f"boto3 x{t}", "boto", t) for t in (1, 8)
        ]
        for label, kind, size in loads:
            runs = [getattr(r, kind).get(operation, {}).get(size) for r in results]
            rates = [f"{run.rps:,.0f}" if run else "—" for run in runs]
            cpus = [
                f"{run.cpu_us_per_request:.0f}" if run and run.cpu_us_per_request else "—" for run in runs
            ]
            ratio = "—"
            if len(runs) == 2 and runs[0] and runs[1] and runs[1].rps:
                ratio = f"{runs[0].rps / runs[1].rps:.1f}x"
            lines.append(
                f"| {operation} | {label} | " + " | ".join(rates) + f" | {ratio} | " + " | ".join(cpus) + " |"
            )
    lines += ["", "`cryptography` alone, same work in one process (µs per operation):", ""]
    lines += [f"- {operation}: {cost:.1f} µs" for operation, cost in crypto.items()]
    errors = [f"- {r.name}: {r.error}" for r in results if r.error]
    if errors:
        lines += ["", "Failures:", *errors]
    return "\n".join(lines) + "\n"


def progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench kms")
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument(
        "--connections", type=lambda t: tuple(int(p) for p in t.split(",")), default=(1, 8, 64)
    )
    parser.add_argument("--servers", default="shieldwall,moto")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    wrk = find_wrk(allow_install=False)
    generator = "wrk" if wrk else "the asyncio client"
    results = []
    for name in args.servers.split(","):
        try:
            with launched(SPECS[name]) as server:
                results.append(measure(server, args, wrk))
        except (ServerFailed, ClientError, BotoCoreError) as error:
            results.append(KmsResult(name, error=str(error)))
            progress(f"{name}: FAILED: {error}")
    report = render(results, crypto_cost(), args, generator)
    print(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report)
    return 1 if any(r.error for r in results) else 0
