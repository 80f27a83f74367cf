"""`python -m bench.authz_share`: the share of a request's server time that the authorize step takes, in process.

A server is started once to set up state through boto3 (an IAM user with five attached managed policies of
eight statements each, conditions on aws:SourceIp and aws:PrincipalTag, policy variables in resources), then
stopped; the same data directory is opened in this process and one signed request (IAM ListUsers, allowed by a
policy) is replayed through the whole pipeline (`gateway.app.handle`: route, verify, parse, authorize, invoke,
serialize, audit). The authorize step is timed inside each request; the share is its time over the requests'
time, median over the rounds. Run it on an idle machine: a busy one blurs even a ratio.

The in-process share leaves out what the HTTP server itself spends per request, so the end-to-end figure is
also measured: the same signed request replayed by wrk against a real `shieldwall serve` on that data directory
(8 connections), whose CPU time per request (from /proc) is the denominator of the authorize step's time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from bench.procstat import cpu_seconds
from bench.signing import SignedRequest
from bench.wrk import find_wrk, run_wrk
from shieldwall.config import Settings
from shieldwall.gateway import app
from shieldwall.gateway.context import RequestContext
from shieldwall.gateway.runtime import Runtime, build_runtime
from shieldwall.gateway.steps import authorize
from shieldwall.http import HttpRequest
from shieldwall.testing import ShieldwallServer

ACCOUNT = "000000000000"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.authz_share")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--batch", type=int, default=400, help="requests per batch")
    parser.add_argument("--duration", type=int, default=5, help="seconds of the end-to-end wrk run")
    args = parser.parse_args(argv)
    data_dir = Path(tempfile.mkdtemp(prefix="shieldwall-authz-"))
    user_key = set_up(data_dir)
    runtime = build_runtime(Settings(data_dir=data_dir))
    try:
        step_seconds = {}
        for label, key in (("root", ("test", "test")), ("IAM user, 5 policies", user_key)):
            total, share = measure(runtime, signed(*key, "Action=ListUsers&Version=2010-05-08"), args)
            step_seconds[label] = total * share
            print(f"{label}: {total * 1e6:.0f} us per request; the authorize step {share:.1%} of it")
    finally:
        runtime.close()
    wrk = find_wrk(allow_install=False)
    if wrk is None:
        print("end to end: skipped (wrk is not installed)")
        return 0
    for label, key in (("root", ("test", "test")), ("IAM user, 5 policies", user_key)):
        cpu = server_cpu_per_request(data_dir, key, wrk, args.duration)
        share = step_seconds[label] / cpu
        print(
            f"{label}, end to end: server CPU {cpu * 1e6:.0f} us per request; "
            f"the authorize step {step_seconds[label] * 1e6:.1f} us = {share:.1%} of it"
        )
    return 0


def server_cpu_per_request(data_dir: Path, key: tuple[str, str], wrk: str, duration: int) -> float:
    server = ShieldwallServer(data_dir)
    try:
        port = int(server.start().endpoint.rsplit(":", 1)[1])
        assert server.process is not None
        request = signed_wire(port, *key)
        run_wrk(wrk, request, 8, 2, 1)  # warm up
        before = cpu_seconds(server.process.pid)
        result = run_wrk(wrk, request, 8, duration, 1)
        spent = cpu_seconds(server.process.pid) - before
    finally:
        server.stop()
    if result.errors or not result.requests:
        raise SystemExit(f"the end-to-end run failed: {result.errors} errors, {result.requests} answers")
    return spent / result.requests


def signed_wire(port: int, access_key: str, secret: str) -> SignedRequest:
    body = b"Action=ListUsers&Version=2010-05-08"
    content_type = "application/x-www-form-urlencoded; charset=utf-8"
    request = AWSRequest(
        "POST", f"http://127.0.0.1:{port}/", data=body, headers={"Content-Type": content_type}
    )
    SigV4Auth(Credentials(access_key, secret), "iam", "us-east-1").add_auth(request)
    headers = [("Host", f"127.0.0.1:{port}"), *((str(k), str(v)) for k, v in request.headers.items())]
    headers.append(("Content-Length", str(len(body))))
    return SignedRequest("127.0.0.1", port, "POST", "/", tuple(headers), body)


def set_up(data_dir: Path) -> tuple[str, str]:
    server = ShieldwallServer(data_dir)
    try:
        iam = server.start().client("iam")
        iam.create_user(UserName="alice", Tags=[{"Key": "Dept", "Value": "eng"}])
        for number in range(5):
            document = {"Version": "2012-10-17", "Statement": statements(number)}
            created = iam.create_policy(PolicyName=f"p{number}", PolicyDocument=json.dumps(document))
            iam.attach_user_policy(UserName="alice", PolicyArn=created["Policy"]["Arn"])
        key = iam.create_access_key(UserName="alice")["AccessKey"]
    finally:
        server.stop()
    return key["AccessKeyId"], key["SecretAccessKey"]


def statements(number: int) -> list[dict[str, object]]:
    from_loopback = {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}
    found: list[dict[str, object]] = [
        {
            "Effect": "Allow",
            "Action": f"iam:Get{kind}",
            "Resource": f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}/{number}",
            "Condition": {"StringEquals": {"aws:PrincipalTag/Dept": "eng"}, **from_loopback},
        }
        for kind in (
            "User",
            "Role",
            "Group",
            "Policy",
            "LoginProfile",
            "AccessKeyLastUsed",
            "InstanceProfile",
        )
    ]
    found.append({"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*", "Condition": from_loopback})
    return found


def signed(access_key: str, secret: str, body: str) -> HttpRequest:
    request = AWSRequest(
        "POST",
        "http://127.0.0.1:4566/",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    SigV4Auth(Credentials(access_key, secret), "iam", "us-east-1").add_auth(request)
    headers = [("host", "127.0.0.1:4566"), *request.headers.items()]
    return HttpRequest("POST", "/", "", headers, body.encode(), "127.0.0.1")


def measure(rt: Runtime, request: HttpRequest, args: argparse.Namespace) -> tuple[float, float]:
    spent = [0.0]

    def timed(ctx: RequestContext, runtime: Runtime) -> None:
        started = time.perf_counter()
        try:
            authorize.authorize_request(ctx, runtime)
        finally:
            spent[0] += time.perf_counter() - started

    full = app.PIPELINE
    app.PIPELINE = tuple(timed if step is authorize.authorize_request else step for step in full)
    shares, totals = [], []
    try:
        run_batch(rt, request, args.batch)  # warm the caches
        for _ in range(args.rounds):
            spent[0] = 0.0
            total = run_batch(rt, request, args.batch)
            shares.append(spent[0] / total)
            totals.append(total / args.batch)
    finally:
        app.PIPELINE = full
    return statistics.median(totals), statistics.median(shares)


def run_batch(rt: Runtime, request: HttpRequest, count: int) -> float:
    started = time.perf_counter()
    for number in range(count):
        response = app.handle(request, rt)
        if number % 50 == 0:
            rt.audit.flush()
    assert response.status == 200, response.body[:300]
    return time.perf_counter() - started


if __name__ == "__main__":
    raise SystemExit(main())
