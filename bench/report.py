"""The markdown report: the project's targets as ratios first, then every figure side by side."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from bench.stats import RunResult
from bench.suite import Options, ServerResult

MOTO_RATIO_TARGET = 10.0
CEILING_SHARE_TARGET = 0.20
CEILING_TARGET_CONNECTIONS = (8, 64)
STARTUP_TARGET_S = 1.0
RSS_TARGET_BYTES = 150_000_000
COLUMNS = ("shieldwall", "moto", "ceiling")
MISSING = "—"

Cell = Callable[[ServerResult], str]


def render(results: list[ServerResult], options: Options, facts: dict[str, str], generator: str) -> str:
    by_name = {result.name: result for result in results}
    sections = [
        header(options, facts, generator),
        targets_table(by_name, options),
        figures_table(by_name, options),
        process_table(by_name),
        machine_table(facts),
        failures(results),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def header(options: Options, facts: dict[str, str], generator: str) -> str:
    return (
        f"# shieldwall benchmark — {facts['date']}\n\n"
        "Workload: STS `GetCallerIdentity` (query protocol, `POST /` with "
        "`Action=GetCallerIdentity&Version=2011-06-15`), SigV4-signed for `sts` in `us-east-1` with the "
        f"root key `test`. Each run lasts {options.duration_s} s; the servers run one after another, each on "
        f"a free loopback port. Raw runs replay one signed request with {generator}.\n\n"
        "shieldwall verifies every signature and writes its audit trail; moto accepts any signature; "
        "the ceiling is a fixed XML answer from shieldwall's own HTTP server."
    )


def targets_table(by_name: dict[str, ServerResult], options: Options) -> str:
    rows = ["## Targets", "", "| target | measured | goal | met |", "| --- | --- | --- | --- |"]
    for connections in options.connections:
        ratio = throughput_ratio(by_name, "moto", connections)
        measured = MISSING if ratio is None else f"{ratio:.1f}x"
        met = verdict(None if ratio is None else ratio >= MOTO_RATIO_TARGET)
        rows.append(f"| raw req/s, shieldwall ÷ moto, {plural(connections)} | {measured} | ≥ 10x | {met} |")
    rows.append(ceiling_row(by_name, options))
    shieldwall = by_name.get("shieldwall")
    startup = None if shieldwall is None else shieldwall.startup_s
    rss = None if shieldwall is None else shieldwall.rss_after_start
    rows.append(
        f"| shieldwall start → first request | {seconds(startup)} | < 1 s | "
        f"{verdict(None if startup is None else startup < STARTUP_TARGET_S)} |"
    )
    rows.append(
        f"| shieldwall RSS after start | {megabytes(rss)} | < 150 MB | "
        f"{verdict(None if rss is None else rss < RSS_TARGET_BYTES)} |"
    )
    return "\n".join(rows)


def ceiling_row(by_name: dict[str, ServerResult], options: Options) -> str:
    shares = {c: throughput_ratio(by_name, "ceiling", c) for c in options.connections}
    measured = ", ".join(f"{c}: {share_text(share)}" for c, share in shares.items()) or MISSING
    judged = [share for c, share in shares.items() if c in CEILING_TARGET_CONNECTIONS and share is not None]
    met = verdict(max(judged) >= CEILING_SHARE_TARGET if judged else None)
    return f"| raw req/s, shieldwall ÷ ceiling, by connections | {measured} | ≥ 20% at 8 or 64 | {met} |"


def throughput_ratio(by_name: dict[str, ServerResult], other: str, connections: int) -> float | None:
    ours = raw_run(by_name.get("shieldwall"), connections)
    theirs = raw_run(by_name.get(other), connections)
    if ours is None or theirs is None or theirs.rps == 0:
        return None
    return ours.rps / theirs.rps


def raw_run(result: ServerResult | None, connections: int) -> RunResult | None:
    return None if result is None else result.raw.get(connections)


def figures_table(by_name: dict[str, ServerResult], options: Options) -> str:
    rows = ["## Throughput and latency", "", table_head()]
    for threads, label in boto_labels(options).items():
        boto = run_cells(partial(pick_boto, threads=threads))
        rows.append(table_row(by_name, f"boto3, {label}: req/s", boto(rate)))
        rows.append(table_row(by_name, f"boto3, {label}: p50 / p99 ms", boto(lat)))
    for c in options.connections:
        raw = run_cells(partial(pick_raw, connections=c))
        rows.append(table_row(by_name, f"raw, {plural(c)}: req/s", raw(rate)))
        rows.append(table_row(by_name, f"raw, {plural(c)}: p50 / p99 ms", raw(lat)))
        rows.append(table_row(by_name, f"raw, {plural(c)}: server CPU µs/request", raw(cpu)))
    return "\n".join(rows)


def pick_boto(result: ServerResult, threads: int) -> RunResult | None:
    return result.boto.get(threads)


def pick_raw(result: ServerResult, connections: int) -> RunResult | None:
    return result.raw.get(connections)


def boto_labels(options: Options) -> dict[int, str]:
    if options.skip_boto:
        return {}
    labels = {1: "1 client, sequential"}
    if options.boto_threads > 1:
        labels[options.boto_threads] = f"{options.boto_threads} threads, a client each"
    return labels


def run_cells(
    pick: Callable[[ServerResult], RunResult | None],
) -> Callable[[Callable[[RunResult], str]], Cell]:
    """Cells of one run (picked from each server's results), shown by `show`; a missing run shows a dash."""
    return lambda show: run_cell(pick, show)


def run_cell(pick: Callable[[ServerResult], RunResult | None], show: Callable[[RunResult], str]) -> Cell:
    def cell(result: ServerResult) -> str:
        run = pick(result)
        return MISSING if run is None else show(run)

    return cell


def rate(run: RunResult) -> str:
    errors = f" ({run.errors:,} errors)" if run.errors else ""
    return f"{run.rps:,.0f}{errors}"


def lat(run: RunResult) -> str:
    if run.p50_ms is None or run.p99_ms is None:
        return MISSING
    return f"{run.p50_ms:.2f} / {run.p99_ms:.2f}"


def cpu(run: RunResult) -> str:
    return MISSING if run.cpu_us_per_request is None else f"{run.cpu_us_per_request:,.0f}"


def process_table(by_name: dict[str, ServerResult]) -> str:
    rows = ["## Server process", "", table_head()]
    rows.append(table_row(by_name, "start → first successful request", lambda r: seconds(r.startup_s)))
    rows.append(table_row(by_name, "RSS after start", lambda r: megabytes(r.rss_after_start)))
    rows.append(table_row(by_name, "RSS after load", lambda r: megabytes(r.rss_after_load)))
    return "\n".join(rows)


def table_head() -> str:
    return "| | " + " | ".join(COLUMNS) + " |\n| --- |" + " ---: |" * len(COLUMNS)


def table_row(by_name: dict[str, ServerResult], label: str, cell: Cell) -> str:
    cells = []
    for name in COLUMNS:
        result = by_name.get(name)
        if result is None:
            cells.append("not run")
        elif result.error is not None and result.startup_s is None:
            cells.append("failed")
        else:
            cells.append(cell(result))
    return f"| {label} | " + " | ".join(cells) + " |"


def machine_table(facts: dict[str, str]) -> str:
    rows = ["## Machine", "", "| | |", "| --- | --- |"]
    rows += [f"| {name} | {value} |" for name, value in facts.items()]
    return "\n".join(rows)


def failures(results: list[ServerResult]) -> str:
    failed = [result for result in results if result.error is not None]
    if not failed:
        return ""
    blocks = [f"### {result.name}\n\n```\n{(result.error or '').strip()}\n```" for result in failed]
    return "## Failures\n\n" + "\n\n".join(blocks)


def plural(connections: int) -> str:
    return f"{connections} connection" + ("" if connections == 1 else "s")


def share_text(share: float | None) -> str:
    return MISSING if share is None else f"{share * 100:.0f}%"


def seconds(value: float | None) -> str:
    return MISSING if value is None else f"{value * 1000:,.0f} ms"


def megabytes(value: int | None) -> str:
    return MISSING if value is None else f"{value / 1e6:.0f} MB"


def verdict(met: bool | None) -> str:
    if met is None:
        return MISSING
    return "yes" if met else "**no**"
