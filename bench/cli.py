"""`python -m bench`: parse options, pick the load generator, run the suite, print and write the report."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from dataclasses import asdict
from pathlib import Path
from types import FrameType

from bench.machine import machine_facts
from bench.report import render
from bench.servers import SPECS
from bench.suite import Options, ServerResult, run_suite
from bench.wrk import find_wrk, wrk_version

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description="shieldwall vs moto vs the ceiling")
    parser.add_argument("--duration", type=positive_int, default=5, help="seconds per run (default 5)")
    parser.add_argument("--connections", type=int_list, default=(1, 8, 64), help="raw runs (default 1,8,64)")
    parser.add_argument("--threads", type=positive_int, default=8, help="boto3 threaded run (default 8)")
    parser.add_argument(
        "--servers", type=server_list, default=tuple(SPECS), help="default shieldwall,moto,ceiling"
    )
    parser.add_argument("--generator", choices=("auto", "wrk", "asyncio"), default="auto")
    parser.add_argument("--no-install", action="store_true", help="never apt-get install wrk")
    parser.add_argument("--wrk-threads", type=positive_int, default=1)
    parser.add_argument("--startup-timeout", type=float, default=60.0, help="seconds (default 60)")
    parser.add_argument("--skip-boto", action="store_true", help="raw replay runs only")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "latest.md")
    return parser.parse_args(argv)


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def int_list(text: str) -> tuple[int, ...]:
    return tuple(positive_int(part) for part in text.split(",") if part.strip())


def server_list(text: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [name for name in names if name not in SPECS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"servers are {', '.join(SPECS)}; not {', '.join(unknown) or 'none'}"
        )
    return names


def build_options(args: argparse.Namespace) -> tuple[Options, str]:
    wrk = None if args.generator == "asyncio" else find_wrk(allow_install=not args.no_install)
    if wrk is None and args.generator == "wrk":
        raise SystemExit("wrk is not installed and could not be installed (`apt-get install wrk`)")
    generator = (
        f"{wrk_version(wrk)} ({args.wrk_threads} thread)" if wrk else "the asyncio client (wrk absent)"
    )
    options = Options(
        duration_s=args.duration,
        connections=args.connections,
        boto_threads=args.threads,
        servers=args.servers,
        startup_timeout_s=args.startup_timeout,
        wrk=wrk,
        wrk_threads=args.wrk_threads,
        skip_boto=args.skip_boto,
    )
    return options, generator


def interrupt_on_sigterm() -> None:
    """Turn SIGTERM and SIGHUP into KeyboardInterrupt, so the servers are stopped on the way out."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGHUP, interrupt)


def progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def write_outputs(output: Path, report: str, results: list[ServerResult]) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report)
    figures = [asdict(result) for result in results]
    output.with_suffix(".json").write_text(json.dumps(figures, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["engine"]:
        from bench.engine import main as engine_main  # cedarpy is imported only for this section

        return engine_main(arguments[1:])
    if arguments[:1] == ["kms"]:
        from bench.kms import main as kms_main

        return kms_main(arguments[1:])
    if arguments[:1] == ["instructions"]:
        from bench.instructions import main as instructions_main

        return instructions_main(arguments[1:])
    if arguments[:1] == ["secrets"]:
        from bench.secrets import main as secrets_main

        return secrets_main(arguments[1:])
    interrupt_on_sigterm()
    args = parse_args(arguments)
    facts = machine_facts()
    options, generator = build_options(args)
    progress(f"load generator: {generator}; {args.duration} s per run")
    try:
        results = run_suite(options, progress)
    except KeyboardInterrupt:
        progress("interrupted: every server started has been stopped")
        return 130
    report = render(results, options, facts, generator)
    print(report)
    write_outputs(args.output, report, results)
    progress(f"written to {args.output}")
    return 1 if any(result.error for result in results) else 0
