"""What one measured run observed, and the arithmetic shared by every load generator."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RunResult:
    """One bounded run: successful responses, failures, wall time and latency percentiles (milliseconds)."""

    tool: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float | None
    p99_ms: float | None
    cpu_us_per_request: float | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def served(self) -> int:
        """Responses the server produced, error answers included: the divisor for its CPU time."""
        return self.requests + self.errors

    def with_cpu(self, cpu_seconds: float) -> RunResult:
        per_request = cpu_seconds * 1e6 / self.served if self.served else None
        return RunResult(
            self.tool, self.requests, self.errors, self.seconds, self.p50_ms, self.p99_ms, per_request
        )


def percentile(sorted_values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile of an already sorted sequence; None when nothing was measured."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def summarize(tool: str, latencies_s: list[float], errors: int, seconds: float) -> RunResult:
    latencies_s.sort()
    p50 = percentile(latencies_s, 0.50)
    p99 = percentile(latencies_s, 0.99)
    return RunResult(
        tool=tool,
        requests=len(latencies_s),
        errors=errors,
        seconds=seconds,
        p50_ms=None if p50 is None else p50 * 1000,
        p99_ms=None if p99 is None else p99 * 1000,
    )


def pooled(runs: Sequence[RunResult]) -> RunResult:
    """Rounds of one load taken as one run: every request over every second, the server's CPU over every
    response; the latency percentiles are the median of the rounds' (they cannot be pooled from percentiles)."""
    if not runs:
        raise ValueError("nothing to pool")
    served = sum(run.served for run in runs)
    cpus = [run.cpu_us_per_request for run in runs]
    cpu = None
    if served and all(c is not None for c in cpus):
        cpu = sum(c * run.served for c, run in zip(cpus, runs, strict=True) if c is not None) / served
    return RunResult(
        runs[0].tool,
        sum(run.requests for run in runs),
        sum(run.errors for run in runs),
        sum(run.seconds for run in runs),
        _median([run.p50_ms for run in runs]),
        _median([run.p99_ms for run in runs]),
        cpu,
    )


def _median(values: Sequence[float | None]) -> float | None:
    known = sorted(v for v in values if v is not None)
    return known[len(known) // 2] if known else None
