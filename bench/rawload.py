"""The fallback load generator when wrk is absent: asyncio streams, HTTP/1.1 keep-alive, one task per
connection, each replaying the same signed bytes back to back until the deadline.

It understands just enough HTTP to stay on a keep-alive connection: Content-Length, chunked bodies, and
`Connection: close` (after which it reconnects). Any failure counts as an error and opens a new connection.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from bench.signing import SignedRequest
from bench.stats import RunResult, summarize

REQUEST_TIMEOUT_S = 10.0
RECONNECT_PAUSE_S = 0.01
MAX_HEAD_BYTES = 64 * 1024


class ProtocolFailure(Exception):
    """An answer the generator cannot read as HTTP/1.1."""


@dataclass(slots=True)
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    keep_alive: bool


def parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise ProtocolFailure(f"bad status line {lines[0]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name:
            headers[name.strip().lower()] = value.strip()
    if parts[0] == "HTTP/1.0" and headers.get("connection", "").lower() != "keep-alive":
        headers["connection"] = "close"
    return int(parts[1]), headers


async def read_chunked(reader: asyncio.StreamReader) -> None:
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return
        await reader.readexactly(size + 2)


async def read_answer(reader: asyncio.StreamReader) -> Answer:
    head = await reader.readuntil(b"\r\n\r\n")
    status, headers = parse_head(head[:-4])
    keep_alive = headers.get("connection", "").lower() != "close"
    if "chunked" in headers.get("transfer-encoding", "").lower():
        await read_chunked(reader)
    elif "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    else:
        await reader.read()
        keep_alive = False
    return Answer(status, keep_alive)


async def replay_on_connection(request: SignedRequest, payload: bytes, deadline: float, tally: Tally) -> None:
    reader, writer = await asyncio.open_connection(request.host, request.port, limit=MAX_HEAD_BYTES)
    try:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            writer.write(payload)
            async with asyncio.timeout(REQUEST_TIMEOUT_S):
                answer = await read_answer(reader)
            if answer.status == 200:
                tally.latencies.append(time.perf_counter() - started)
            else:
                tally.errors += 1
            if not answer.keep_alive:
                return
    finally:
        writer.close()


async def drive_connection(request: SignedRequest, deadline: float, tally: Tally) -> None:
    payload = request.wire_bytes()
    while time.perf_counter() < deadline:
        try:
            await replay_on_connection(request, payload, deadline, tally)
        except (OSError, ValueError, ProtocolFailure, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            tally.errors += 1
            await asyncio.sleep(RECONNECT_PAUSE_S)


async def drive(request: SignedRequest, connections: int, duration_s: float) -> tuple[Tally, float]:
    tally = Tally()
    started = time.perf_counter()
    deadline = started + duration_s
    async with asyncio.TaskGroup() as group:
        for _ in range(connections):
            group.create_task(drive_connection(request, deadline, tally))
    return tally, time.perf_counter() - started


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def run_asyncio_load(request: SignedRequest, connections: int, duration_s: float) -> RunResult:
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        coroutine: Coroutine[Any, Any, tuple[Tally, float]] = drive(request, connections, duration_s)
        tally, elapsed = runner.run(coroutine)
    return summarize("asyncio", tally.latencies, tally.errors, elapsed)
