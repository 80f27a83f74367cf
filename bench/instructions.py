"""`python -m bench instructions`: CPU instructions per request, counted by valgrind's callgrind.

Throughput on a shared VM moves by a third from one minute to the next, which hides any change smaller than
that. An instruction count does not move: the same code on the same request executes the same instructions
(within a fraction of a percent: ids and nonces are random). So this measures what a change to the request
pipeline is worth, against a baseline checkout if one is given (`--baseline /path/to/checkout/src`).

Each tree's own server first prepares a data directory (a key, a ciphertext, a secret, a SecureString); each
operation then runs in its own process under callgrind with instrumentation off: the process builds the server's
runtime on a copy of that directory, warms up (every operation, the RSA key pool filled), settles its
heap the way `shieldwall serve` does, then says it is ready. Instrumentation is switched on for exactly the
measured requests, which go through `gateway.app.handle` (route → ... → audit) without HTTP, and the audit
trail is committed after each one, as a lone request's is. Kernel time (the commit's writes, the socket) is not
counted: this is the Python-side cost, the share a code change can move.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.servers import PROJECT_ROOT, VENV_BIN
from bench.wrk import apt_install, apt_update

RESULTS = Path(__file__).resolve().parent / "results" / "instructions.md"
ACCESS_KEY = SECRET_KEY = "test"
REGION = "us-east-1"
# The lightest signed request, beside the KMS and secrets scenarios' operations (query protocol: no target).
CALLER_IDENTITY = ("GetCallerIdentity", "sts", None, "Action=GetCallerIdentity&Version=2011-06-15")
_POLL_S = 0.05

# An operation as the measured process receives it: (name, signing name, X-Amz-Target or None, body).
Request = tuple[str, str, str | None, Any]


# -- the parent: fixtures, one callgrind run per operation, the report ------------------------------------------


def prepare(data_dir: Path) -> list[Request]:
    """The operations of `python -m bench kms` and `python -m bench secrets`, set up (a key, a ciphertext, a
    secret, a SecureString) through a real server on `data_dir`, and GetCallerIdentity."""
    from bench import kms, secrets
    from shieldwall.testing import ShieldwallServer

    server = ShieldwallServer(data_dir)
    info = server.start()
    try:
        operations = [*kms.SCENARIO.setup(info.client), *secrets.SCENARIO.setup(info.client)]
    finally:
        server.stop()
    return [CALLER_IDENTITY, *((op.name, op.service, op.target, op.body) for op in operations)]


def tools(allow_install: bool) -> tuple[str, str]:
    """valgrind and callgrind_control; Debian's `valgrind` package is installed when absent, allowed and root."""
    if not shutil.which("valgrind") and allow_install and os.geteuid() == 0 and shutil.which("apt-get"):
        print("valgrind not found: trying `apt-get install -y valgrind`", flush=True)
        if not apt_install("valgrind"):
            apt_update()
            apt_install("valgrind")
    valgrind, control = shutil.which("valgrind"), shutil.which("callgrind_control")
    if not valgrind or not control:
        raise SystemExit("valgrind (with callgrind_control) is needed: apt-get install valgrind")
    return valgrind, control


def prepared(source: Path, scratch: Path) -> tuple[Path, Path]:
    """A data directory and its fixtures written by the code under `source` (each tree reads only the schema it
    knows, so a baseline gets its own)."""
    data_dir, fixtures = scratch / "data", scratch / "fixtures.json"
    data_dir.mkdir(parents=True)
    command = [
        str(VENV_BIN / "python"),
        "-m",
        "bench.instructions",
        "--prepare",
        str(data_dir),
        str(fixtures),
    ]
    completed = subprocess.run(command, env=_env(source), capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"preparing the data directory with {source} failed:\n{completed.stderr[-2000:]}")
    return data_dir, fixtures


def _env(source: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(source), str(PROJECT_ROOT)])}


def count(
    tooling: tuple[str, str], source: Path, data_dir: Path, fixtures: Path, operation: str, requests: int
) -> int:
    """Instructions the `requests` calls of `operation` executed, with the code under `source`."""
    valgrind, control = tooling
    with tempfile.TemporaryDirectory(prefix="bench-instructions-") as scratch:
        work = Path(scratch)
        copy = work / "data"
        shutil.copytree(data_dir, copy)
        out = work / "callgrind.out"
        env = _env(source)
        command = [
            valgrind, "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
            str(VENV_BIN / "python"), "-m", "bench.instructions", "--child",
            str(copy), str(fixtures), operation, str(requests), str(work),
        ]  # fmt: skip
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for(work / "ready", child)
            pid = (work / "ready").read_text().strip()
            subprocess.run([control, "-i", "on", pid], check=True, capture_output=True)
            (work / "go").touch()
            wait_for(work / "done", child)
            subprocess.run([control, "-i", "off", pid], check=True, capture_output=True)
            subprocess.run([control, "-d", pid], check=True, capture_output=True)
            (work / "done").unlink()
            _, errors = child.communicate(timeout=600)
        finally:
            if child.poll() is None:
                child.kill()
        if child.returncode != 0:
            raise SystemExit(
                f"{operation}: the measured process failed:\n{errors.decode(errors='replace')[-2000:]}"
            )
        return sum(totals(path) for path in work.glob("callgrind.out*"))


def wait_for(path: Path, child: subprocess.Popen[bytes]) -> None:
    while not path.exists():
        if child.poll() is not None:
            _, errors = child.communicate()
            raise SystemExit(f"the measured process exited early:\n{errors.decode(errors='replace')[-2000:]}")
        time.sleep(_POLL_S)


def totals(path: Path) -> int:
    """A callgrind dump's `totals:` line (its `summary:` line is written before the counts and reads 0)."""
    found = 0
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("totals:"):
            found = int(line.split()[1])
    return found


def render(rows: list[tuple[str, int, int | None]], requests: int, baseline: Path | None) -> str:
    lines = [
        "# Instructions per request",
        "",
        f"callgrind, {requests} requests per operation through `gateway.app.handle`, the audit event committed "
        "after each; the server's heap settled as `shieldwall serve` settles it.",
        "",
    ]
    if baseline is None:
        lines += ["| operation | instructions per request |", "|---|---|"]
        lines += [f"| {name} | {value:,} |" for name, value, _ in rows]
    else:
        lines += [
            f"This tree: {describe(PROJECT_ROOT / 'src')}; baseline: {describe(baseline)}.",
            "",
            "| operation | baseline | this tree | change |",
            "|---|---|---|---|",
        ]
        for name, value, before in rows:
            assert before is not None
            lines.append(f"| {name} | {before:,} | {value:,} | {(value - before) / before * 100:+.1f}% |")
    return "\n".join(lines) + "\n"


def describe(source: Path) -> str:
    """The commit a source tree is checked out at (and whether it has changes), else its path."""
    try:
        head = subprocess.run(
            ["git", "-C", str(source), "log", "-1", "--format=%h %s"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(source), "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return f"`{source}`"
    return (
        f"commit {head[:7]} ({head[8:60]}{'…' if len(head) > 68 else ''}){' with changes' if dirty else ''}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench instructions")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--operations",
        help="names separated by commas (default: every one, see bench/results/instructions.md)",
    )
    parser.add_argument(
        "--baseline", type=Path, help="the src/ directory of another checkout to compare with"
    )
    parser.add_argument("--no-install", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    tooling = tools(not args.no_install)
    source = PROJECT_ROOT / "src"
    rows: list[tuple[str, int, int | None]] = []
    with tempfile.TemporaryDirectory(prefix="bench-instructions-data-") as scratch:
        here = prepared(source, Path(scratch) / "this")
        there = prepared(args.baseline, Path(scratch) / "baseline") if args.baseline is not None else None
        known = [request[0] for request in json.loads(here[1].read_text())]
        names = args.operations.split(",") if args.operations else known
        unknown = [name for name in names if name not in known]
        if unknown:
            parser.error(f"unknown operations {unknown}; known: {', '.join(known)}")
        for name in names:
            value = count(tooling, source, *here, name, args.requests) // args.requests
            before = None
            if args.baseline is not None and there is not None:
                before = count(tooling, args.baseline, *there, name, args.requests) // args.requests
            rows.append((name, value, before))
            print(f"{name}: {value:,} instructions per request" + (f" (baseline {before:,})" if before else ""),
                  flush=True)  # fmt: skip
    report = render(rows, args.requests, args.baseline)
    print(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report)
    return 0


# -- the child: the measured process ------------------------------------------------------------------------------


def child(data_dir: Path, fixtures_path: Path, operation: str, requests: int, work: Path) -> None:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from shieldwall.config import Settings
    from shieldwall.gateway import app
    from shieldwall.gateway.runtime import build_runtime
    from shieldwall.http import HttpRequest

    def signed(service: str, target: str | None, document: Any) -> HttpRequest:
        if target is None:
            data = str(document).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
        else:
            data = json.dumps(document).encode()
            headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target}
        request = AWSRequest("POST", "http://127.0.0.1:4566/", data=data, headers=headers)
        SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), service, REGION).add_auth(request)
        wire = [("host", "127.0.0.1:4566"), *((k.lower(), str(v)) for k, v in request.headers.items())]
        return HttpRequest("POST", "/", "", wire, data, "127.0.0.1")

    runtime = build_runtime(Settings(data_dir=data_dir))
    every = {
        name: signed(service, target, body)
        for name, service, target, body in json.loads(fixtures_path.read_text())
    }
    for _ in range(20):
        for request in every.values():
            response = app.handle(request, runtime)
            if response.status != 200:
                raise SystemExit(f"warm-up answered {response.status}: {response.body[:300]!r}")
    runtime.audit.flush()
    runtime.services.provider("kms").pool.wait_until_full(120)
    _settle_heap()
    (work / "ready").write_text(str(os.getpid()))
    while not (work / "go").exists():
        time.sleep(_POLL_S)
    request = every[operation]
    for _ in range(requests):
        app.handle(request, runtime)
        runtime.audit.flush()
    (work / "done").touch()
    while (work / "done").exists():
        time.sleep(_POLL_S)
    runtime.close()


def _settle_heap() -> None:
    """As `shieldwall serve` does; a baseline checkout older than `settle_heap` gets the same settings."""
    try:
        from shieldwall.cli.main import settle_heap
    except ImportError:
        gc.collect()
        gc.freeze()
        gc.set_threshold(10_000, *gc.get_threshold()[1:])
    else:
        settle_heap()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--prepare"]:
        target, fixture_out = Path(sys.argv[2]), Path(sys.argv[3])
        fixture_out.write_text(json.dumps(prepare(target)))
    elif sys.argv[1:2] == ["--child"]:
        data, fixture_file, op, n, scratch = sys.argv[2:7]
        child(Path(data), Path(fixture_file), op, int(n), Path(scratch))
    else:
        raise SystemExit(main())
