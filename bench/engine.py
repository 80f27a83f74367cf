"""`python -m bench engine`: shieldwall's policy engine against cedarpy, in one process, side by side.

Both engines get the same rules (`engine_workload` specs, rendered as IAM JSON and as Cedar by `engine_cedar`)
and the same request streams. Before timing, every request of every stream is decided by both engines and the
answers must agree (a hit stream all allowed, a miss stream all denied), so the figures compare equivalent work.

Each measurement is a loop of `decide` (or `cedarpy.is_authorized`) calls over a stream for `--duration`
seconds of this process's CPU time (both engines run in this thread); the measurements are interleaved over `--rounds` rounds and the median is reported, because this VM's
speed drifts from minute to minute. shieldwall is measured twice: with the decision cache off (every request
evaluated: the figure the targets are judged on) and on (the stream repeats, so decisions come from the cache).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import cedarpy

from bench import engine_cedar, engine_workload
from bench.engine_workload import Target, Workload
from bench.machine import machine_facts
from shieldwall.policy import plan
from shieldwall.policy.authorizer import PolicySet, decide
from shieldwall.policy.document import parse_policy
from shieldwall.policy.request import AuthzRequest

RESULTS_DIR = Path(__file__).resolve().parent / "results"
TARGETS = {"small": 3.0, "large": 10.0}
SERVER_RESULTS = RESULTS_DIR / "latest.json"


@dataclass(frozen=True)
class Figure:
    workload: str
    case: str  # "hit" or "miss"
    engine: str  # "cedarpy", "shieldwall", "shieldwall cached", "shieldwall + explanation"
    rate: float  # decisions per second (median over rounds)
    rounds: tuple[float, ...]

    @property
    def microseconds(self) -> float:
        return 1e6 / self.rate if self.rate else 0.0


class Setup:
    """One workload, prepared for both engines."""

    def __init__(self, workload: Workload) -> None:
        self.workload = workload
        self.policies = PolicySet(
            identity=tuple(
                parse_policy(json.dumps(engine_workload.iam_document(spec)), "identity", name=spec.name)
                for spec in workload.policies
            )
        )
        self.cedar_policies = cedarpy.PolicySet.from_str(engine_cedar.cedar_policies(workload))
        self.cedar_entities = cedarpy.Entities.from_json_str(
            json.dumps(engine_cedar.cedar_entities(workload))
        )
        self.requests = {case: [iam_request(t) for t in self.targets(case)] for case in ("hit", "miss")}
        self.cedar_requests = {
            case: [engine_cedar.cedar_request(t) for t in self.targets(case)] for case in ("hit", "miss")
        }

    def targets(self, case: str) -> tuple[Target, ...]:
        return self.workload.hit if case == "hit" else self.workload.miss

    def check_agreement(self) -> None:
        for case, expected in (("hit", True), ("miss", False)):
            for request, cedar_request in zip(self.requests[case], self.cedar_requests[case], strict=True):
                ours = decide(request, self.policies).allowed
                theirs = cedarpy.is_authorized(
                    cedar_request, self.cedar_policies, self.cedar_entities
                ).allowed
                if ours is not expected or theirs is not expected:
                    raise SystemExit(
                        f"engines disagree on {self.workload.name}/{case} {request.action} {request.resource}: "
                        f"shieldwall {'allows' if ours else 'denies'}, cedarpy {'allows' if theirs else 'denies'}, "
                        f"expected {'allow' if expected else 'deny'}"
                    )

    def loops(self, case: str) -> dict[str, Callable[[], int]]:
        requests = self.requests[case]
        cedar_requests = self.cedar_requests[case]
        policies, cedar_policies, entities = self.policies, self.cedar_policies, self.cedar_entities

        def ours() -> int:
            for request in requests:
                decide(request, policies)
            return len(requests)

        def explained() -> int:
            for request in requests:
                decision = decide(request, policies)
                assert decision.explanation is not None
                decision.explanation.render()
            return len(requests)

        def theirs() -> int:
            for request in cedar_requests:
                cedarpy.is_authorized(request, cedar_policies, entities)
            return len(cedar_requests)

        return {
            "cedarpy": theirs,
            "shieldwall": ours,
            "shieldwall cached": ours,
            "shieldwall + explanation": explained,
        }


def iam_request(target: Target) -> AuthzRequest:
    return AuthzRequest(
        engine_workload.PRINCIPAL_ARN,
        engine_workload.ACCOUNT,
        target.action,
        target.arn,
        engine_workload.ACCOUNT,
        engine_workload.iam_context(target),
    )


def measure(loop: Callable[[], int], duration: float, cached: bool) -> float:
    plan.set_decision_cache_limit(plan.DECISION_LIMIT if cached else 0)
    loop()  # warm: plans built, caches filled
    done = 0
    start = time.process_time()  # CPU time: other processes on the machine do not count against either engine
    deadline = start + duration
    while time.process_time() < deadline:
        done += loop()
    return done / (time.process_time() - start)


def run(
    setups: Sequence[Setup], duration: float, rounds: int, progress: Callable[[str], None]
) -> list[Figure]:
    samples: dict[tuple[str, str, str], list[float]] = {}
    for number in range(rounds):
        progress(f"round {number + 1}/{rounds}")
        for setup in setups:
            for case in ("hit", "miss"):
                for engine, loop in setup.loops(case).items():
                    rate = measure(loop, duration, cached=engine == "shieldwall cached")
                    samples.setdefault((setup.workload.name, case, engine), []).append(rate)
    plan.set_decision_cache_limit(plan.DECISION_LIMIT)
    return [
        Figure(workload, case, engine, statistics.median(rates), tuple(rates))
        for (workload, case, engine), rates in samples.items()
    ]


# --- the report --------------------------------------------------------------------------------------------


def render(
    figures: list[Figure], setups: Sequence[Setup], facts: dict[str, str], duration: float, rounds: int
) -> str:
    by_key = {(f.workload, f.case, f.engine): f for f in figures}
    lines = [
        f"# policy engine benchmark — {facts['date']}",
        "",
        f"Median of {rounds} interleaved rounds of {duration:g} s per figure, one process, one core. "
        "Every request of every stream was decided by both engines first, and they agreed.",
        "",
        "| set | policies / statements (Cedar policies) |",
        "| --- | --- |",
    ]
    for setup in setups:
        w = setup.workload
        lines.append(f"| {w.name} | {len(w.policies)} / {w.statement_count} ({w.statement_count}) |")
    lines += ["", "## Targets", "", "| target | measured | goal | met |", "| --- | --- | --- | --- |"]
    for setup in setups:
        name = setup.workload.name
        for case in ("hit", "miss"):
            ratio = _ratio(by_key, name, case, "shieldwall")
            goal = TARGETS[name]
            met = "yes" if ratio >= goal else "no"
            lines.append(
                f"| {name} set, {case}: shieldwall (cache off) ÷ cedarpy | {ratio:.1f}x | ≥ {goal:g}x | {met} |"
            )
    lines.append(_cpu_share_row(by_key))
    lines += [
        "",
        "## Decisions per second",
        "",
        "| set | request | cedarpy | shieldwall, cache off | ÷ cedarpy | shieldwall, cached | ÷ cedarpy "
        "| shieldwall + explanation rendered |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for setup in setups:
        name = setup.workload.name
        for case in ("hit", "miss"):
            cells = [
                by_key[(name, case, engine)]
                for engine in ("cedarpy", "shieldwall", "shieldwall cached", "shieldwall + explanation")
            ]
            lines.append(
                f"| {name} | {case} | {_rate(cells[0])} | {_rate(cells[1])} | {_ratio(by_key, name, case, 'shieldwall'):.1f}x "
                f"| {_rate(cells[2])} | {_ratio(by_key, name, case, 'shieldwall cached'):.1f}x | {_rate(cells[3])} |"
            )
    lines += ["", "## Machine", "", "| | |", "| --- | --- |"]
    lines += [f"| {key} | {value} |" for key, value in facts.items()]
    lines.append(f"| cedarpy | {metadata.version('cedarpy')} |")
    return "\n".join(lines) + "\n"


def _rate(figure: Figure) -> str:
    return f"{figure.rate:,.0f} ({figure.microseconds:.1f} µs)"


def _ratio(by_key: dict[tuple[str, str, str], Figure], name: str, case: str, engine: str) -> float:
    cedar = by_key[(name, case, "cedarpy")].rate
    return by_key[(name, case, engine)].rate / cedar if cedar else 0.0


def _cpu_share_row(by_key: dict[tuple[str, str, str], Figure]) -> str:
    """Engine time per decision against the server's CPU per request from the last `python -m bench` run."""
    evaluated = [
        f for (_, _, engine), f in by_key.items() if engine == "shieldwall" and f.workload == "small"
    ]
    slowest = max(f.microseconds for f in evaluated)
    server = _server_cpu_per_request()
    if server is None:
        return f"| engine share of a request's server CPU | {slowest:.1f} µs per decision; no server run | < 10% | — |"
    share = slowest / server
    return (
        f"| engine share of a request's server CPU, estimated: small set, slowest case, ÷ {server:.0f} µs "
        f"per request (`{SERVER_RESULTS.name}`, `python -m bench`) | {share:.1%} | < 10% | "
        f"{'yes' if share < 0.10 else 'no'} |"
    )


def _server_cpu_per_request() -> float | None:
    try:
        figures = json.loads(SERVER_RESULTS.read_text())
    except (OSError, ValueError):
        return None
    cpu = [
        run["cpu_us_per_request"]
        for server in figures
        if server.get("name") == "shieldwall"
        for run in (server.get("raw") or {}).values()
        if isinstance(run, dict) and run.get("cpu_us_per_request")
    ]
    return min(cpu) if cpu else None


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench engine", description="shieldwall's engine vs cedarpy"
    )
    parser.add_argument(
        "--duration", type=float, default=1.0, help="seconds per figure per round (default 1)"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved rounds, median reported (default 3)"
    )
    parser.add_argument("--sets", default="small,large", help="workloads to run (default small,large)")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "engine.md")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    facts = machine_facts()
    builders = {"small": engine_workload.small, "large": engine_workload.large}
    names = [name.strip() for name in args.sets.split(",") if name.strip()]
    unknown = [name for name in names if name not in builders]
    if unknown or not names:
        raise SystemExit(f"sets are {', '.join(builders)}; not {', '.join(unknown) or 'none'}")
    progress = _progress
    progress("preparing the workloads and checking that both engines agree")
    setups = [Setup(builders[name]()) for name in names]
    for setup in setups:
        setup.check_agreement()
    figures = run(setups, args.duration, max(1, args.rounds), progress)
    report = render(figures, setups, facts, args.duration, max(1, args.rounds))
    print(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report)
    args.output.with_suffix(".json").write_text(
        json.dumps([_figure_json(f) for f in figures], indent=2) + "\n"
    )
    progress(f"written to {args.output}")
    return 0


def _figure_json(figure: Figure) -> dict[str, Any]:
    return {**asdict(figure), "microseconds": figure.microseconds}


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
