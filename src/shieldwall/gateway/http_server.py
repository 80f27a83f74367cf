"""The HTTP/1.1 server of `shieldwall serve`: httptools parses, the pipeline runs inline, and the responses of one
event-loop turn are written after one audit commit.

The pipeline is synchronous (`gateway.app.handle`), so an ASGI server's machinery (a task, a scope, receive and
send coroutines per request) bought nothing and cost a third of the server's CPU per request. Here a connection
is an `asyncio.Protocol` fed by httptools' parser (the C parser uvicorn uses too), each complete request is
handled as soon as it is parsed, and its response joins the turn's batch. The first response of a turn schedules
one commit at the end of the turn; the batch is written once the commit returns, so an acknowledged request
always has its audit event on disk (group commit), and each response goes out in one write.

HTTP/1.1 as clients use it: keep-alive, pipelining (responses in request order), chunked request bodies,
`Expect: 100-continue`, HEAD, HTTP/1.0 (one request per connection); an Upgrade is answered as plain HTTP
and the connection closed. A malformed request gets 400, headers over
`MAX_HEADER_BYTES` 431, a body over `MAX_BODY_BYTES` 413 (as soon as Content-Length or the bytes received say
so); each of these closes the connection after the answer. An idle connection is closed after `KEEPALIVE_S`
seconds, never one with a request half received or a response owed. Writes past the transport's high-water mark
pause reading from that client until its buffer drains.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import time
from collections.abc import Callable, Coroutine
from http import HTTPStatus
from typing import Any

import httptools

from shieldwall.http import HttpRequest, HttpResponse
from shieldwall.memo import short_values_cached

log = logging.getLogger("shieldwall.http")

Handler = Callable[[HttpRequest], HttpResponse]

KEEPALIVE_S = 5.0
MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 256 * 1024 * 1024
_SWEEP_S = 1.0
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_STATUS_LINES = {status.value: f"HTTP/1.1 {status.value} {status.phrase}\r\n" for status in HTTPStatus}
_UNSAFE = str.maketrans("\r\n\0", "   ")
_CACHED_NAME = 64  # the longest header name the name caches keep


def status_line(status: int) -> str:
    return _STATUS_LINES.get(status) or f"HTTP/1.1 {status} \r\n"


def encode_response(response: HttpResponse, *, head: bool, close: bool) -> bytes:
    """The response as it goes on the wire: lower-cased header names, Content-Length always, no body for HEAD.

    A header can never split the response: CR, LF and NUL in a name or value become spaces, and a character
    outside Latin-1 becomes `?`.
    """
    lines = [status_line(response.status)]
    has_length = False
    for name, value in response.headers:
        lowered = _wire_name(name)
        has_length = has_length or lowered == "content-length"
        if "\r" in value or "\n" in value or "\0" in value:  # three scans cost less than a translate
            value = value.translate(_UNSAFE)
        lines.append(f"{lowered}: {value}\r\n")
    if not has_length:
        lines.append(f"content-length: {len(response.body)}\r\n")
    if close:
        lines.append("connection: close\r\n")
    lines.append("\r\n")
    head_bytes = "".join(lines).encode("latin-1", "replace")
    return head_bytes if head else head_bytes + response.body


@short_values_cached(_CACHED_NAME, maxsize=512)
def _wire_name(name: str) -> str:
    """A response header's name as written (services answer with the same few names again and again)."""
    return name.lower().translate(_UNSAFE)


@short_values_cached(_CACHED_NAME, maxsize=512)
def _request_header_name(name: bytes) -> str:
    """A request header's name, decoded and lower-cased (clients repeat theirs)."""
    return name.decode("latin-1").lower()


def plain(status: int, message: str) -> HttpResponse:
    return HttpResponse(status, [("Content-Type", "text/plain")], f"{message}\n".encode())


class HttpServer:
    """Connections, the turn's batch of responses, and the commit that must precede writing them.

    `handler` answers one request; `commit` makes durable whatever the handled requests recorded (the audit
    trail's flush). Both run on the event loop's thread.
    """

    def __init__(
        self,
        handler: Handler,
        commit: Callable[[], None],
        *,
        keepalive_s: float = KEEPALIVE_S,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.handler = handler
        self.commit = commit
        self.keepalive_s = keepalive_s
        self.max_body_bytes = max_body_bytes
        self.connections: set[Connection] = set()
        self._batch: list[tuple[Connection, bytes, bool]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sweeper: asyncio.TimerHandle | None = None

    def run_until_stopped(self, sock: socket.socket) -> None:
        """Serve on the listening socket `sock` until SIGINT or SIGTERM (uvloop's event loop where installed)."""

        async def main() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop.set)
            await self.serve(sock, stop)

        _event_loop_runner()(main())

    async def serve(self, sock: socket.socket, stop: asyncio.Event) -> None:
        """Serve on the listening socket `sock` until `stop` is set; then close every connection, after writing
        what is owed."""
        loop = asyncio.get_running_loop()
        self._loop = loop
        server = await loop.create_server(lambda: Connection(self), sock=sock)
        self._sweeper = loop.call_later(_SWEEP_S, self._sweep)
        try:
            await stop.wait()
        finally:
            self._sweeper.cancel()
            server.close()
            self._write_batch()
            for connection in list(self.connections):
                connection.close()
            await server.wait_closed()

    def answer(self, connection: Connection, data: bytes, close: bool) -> None:
        """Queue `data` for `connection`; it is written after this turn's commit, after what the connection was
        already owed."""
        if not self._batch:
            assert self._loop is not None
            self._loop.call_soon(self._write_batch)
        self._batch.append((connection, data, close))

    def _write_batch(self) -> None:
        batch, self._batch = self._batch, []
        if not batch:
            return
        try:
            self.commit()
        except Exception:
            log.exception("the commit before %d responses failed", len(batch))
        for connection, data, close in batch:
            connection.write(data, close)

    def _sweep(self) -> None:
        assert self._loop is not None
        now = time.monotonic()
        for connection in list(self.connections):
            if connection.idle_since(now) > self.keepalive_s:
                connection.close()
        self._sweeper = self._loop.call_later(_SWEEP_S, self._sweep)


def _event_loop_runner() -> Callable[[Coroutine[Any, Any, None]], None]:
    """uvloop's runner where uvloop is installed (every platform but Windows), asyncio's otherwise."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run
    return uvloop.run


class Connection(asyncio.Protocol):
    """One client connection: its parser, the request being received, and the responses it is owed."""

    def __init__(self, server: HttpServer) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.client_ip = ""
        self.last_active = time.monotonic()
        self.owed = 0
        self.closing = False
        self.in_message = False
        self.refusal: tuple[int, str] | None = None
        self._url = b""
        self._headers: list[tuple[str, str]] = []
        self._header_bytes = 0
        self._body: list[bytes] = []
        self._body_bytes = 0

    # -- asyncio.Protocol ---------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's TCP transport is not a subclass
        peer = transport.get_extra_info("peername")
        self.client_ip = str(peer[0]) if peer else ""
        self.server.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connections.discard(self)
        self.transport = None

    def data_received(self, data: bytes) -> None:
        if self.closing:
            return
        self.last_active = time.monotonic()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            # The request was answered as plain HTTP (a server may ignore Upgrade); what follows it is another
            # protocol, so nothing more is read, and the connection closes once its answers are written.
            self.closing = True
            if self.transport is not None:
                self.transport.pause_reading()
            if not self.owed:
                self.close()
        except httptools.HttpParserError:
            self.refusal = self.refusal or (400, "malformed HTTP request")
        if self.refusal is not None and not self.closing:
            status, message = self.refusal
            self._respond(plain(status, message), head=False, close=True)

    def eof_received(self) -> bool:
        """The client sends nothing more: answer what it asked, then close (half-open until then)."""
        self.closing = True
        return self.owed > 0

    def pause_writing(self) -> None:
        if self.transport is not None:
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.transport is not None and not self.closing:
            self.transport.resume_reading()

    # -- httptools callbacks ------------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        self.in_message = True
        self._url = b""
        self._headers = []
        self._header_bytes = 0
        self._body = []
        self._body_bytes = 0

    def on_url(self, url: bytes) -> None:
        self._url += url
        self._count_header_bytes(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value)  # counted inline: ten or more headers per request
        if self._header_bytes > MAX_HEADER_BYTES:
            self._refuse_large_headers()
        if self.refusal is None:
            self._headers.append((_request_header_name(name), value.decode("utf-8", "surrogateescape")))

    def on_headers_complete(self) -> None:
        if self.refusal is not None or self.closing:
            return
        length = expect = None
        for name, value in self._headers:  # names are lower-cased as they arrive
            if name == "content-length":
                length = value
            elif name == "expect":
                expect = value
        if length is not None and length.strip().isdigit() and int(length) > self.server.max_body_bytes:
            self.refusal = (413, "request body too large")
        elif expect is not None and expect.strip().lower() == "100-continue" and self.transport is not None:
            self.transport.write(_CONTINUE)

    def on_body(self, body: bytes) -> None:
        if self.refusal is not None:
            return
        self._body_bytes += len(body)
        if self._body_bytes > self.server.max_body_bytes:
            self.refusal = (413, "request body too large")
            self._body = []
            return
        self._body.append(body)

    def on_message_complete(self) -> None:
        self.in_message = False
        if self.refusal is not None or self.closing:
            return
        method = self.parser.get_method().decode("latin-1")
        close = not self.parser.should_keep_alive() or self.parser.get_http_version() != "1.1"
        try:
            url = httptools.parse_url(self._url)
        except httptools.HttpParserError:
            self.refusal = (400, "malformed request target")
            return
        request = HttpRequest(
            method,
            (url.path or b"/").decode("utf-8", "surrogateescape"),
            (url.query or b"").decode("utf-8", "surrogateescape"),
            self._headers,
            b"".join(self._body),
            self.client_ip,
            names_lowered=True,
        )
        try:
            response = self.server.handler(request)
        except Exception:
            log.exception("internal error answering %s %s", method, request.raw_path)
            response = plain(500, "internal error")
        self._respond(response, head=method == "HEAD", close=close)

    # -- writing ------------------------------------------------------------------------------------------

    def _respond(self, response: HttpResponse, *, head: bool, close: bool) -> None:
        if close:
            self.closing = True
            if self.transport is not None:
                self.transport.pause_reading()
        self.owed += 1
        self.server.answer(self, encode_response(response, head=head, close=close), close)

    def write(self, data: bytes, close: bool) -> None:
        self.owed -= 1
        self.last_active = time.monotonic()
        if self.transport is None or self.transport.is_closing():
            return
        self.transport.write(data)
        if close or (self.closing and not self.owed):
            self.transport.close()

    def idle_since(self, now: float) -> float:
        """Seconds this connection has been idle: 0 while a request is half received or a response is owed."""
        if self.in_message or self.owed:
            return 0.0
        return now - self.last_active

    def close(self) -> None:
        self.closing = True
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def _count_header_bytes(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > MAX_HEADER_BYTES:
            self._refuse_large_headers()

    def _refuse_large_headers(self) -> None:
        if self.refusal is None:
            self.refusal = (431, "request header fields too large")
