"""The HTTP/1.1 server of `shieldwall serve`, driven over a raw socket with a handler that echoes what it got.

Every service test already goes through this server with real clients (boto3, the CLI, Node); these tests cover
the wire cases those clients rarely produce: pipelining, HTTP/1.0, chunked bodies, 100-continue, limits,
malformed input, idle connections, and that no response leaves before the commit that precedes it.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvloop

from shieldwall.cli.listen import bind
from shieldwall.gateway.http_server import KEEPALIVE_S, Connection, HttpServer, encode_response
from shieldwall.http import HttpRequest, HttpResponse
from shieldwall.testing import ServerInfo


class Recorder:
    """The echo handler and a commit that notes how many requests had been handled when it ran."""

    def __init__(self) -> None:
        self.requests: list[HttpRequest] = []
        self.commits: list[int] = []

    def handle(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        if request.raw_path == "/boom":
            raise RuntimeError("handler bug")
        if request.raw_path == "/hostile":
            return HttpResponse(
                200,
                [
                    ("X-Note", "a\r\nInjected: yes"),
                    ("X-Name", "caf\u00e9 \u2603"),
                    ("X-" + "Long" * 20 + "\r\nInjected2", "b"),  # over 64 bytes: not from the name cache
                ],
                b"ok",
            )
        body = f"{request.method} {request.raw_path}?{request.query_string} {len(request.body)}\n".encode()
        return HttpResponse(200, [("Content-Type", "text/plain")], body + request.body)

    def commit(self) -> None:
        self.commits.append(len(self.requests))


@contextmanager
def running(recorder: Recorder, **options: float) -> Iterator[int]:
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = HttpServer(recorder.handle, recorder.commit, **options)  # type: ignore[arg-type]
    loop = uvloop.new_event_loop()  # the loop `shieldwall serve` runs
    stop = asyncio.Event()
    thread = threading.Thread(target=loop.run_until_complete, args=(server.serve(sock, stop),), daemon=True)
    thread.start()
    try:
        yield port
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
        sock.close()


def connect(port: int) -> socket.socket:
    client = socket.create_connection(("127.0.0.1", port), timeout=10)
    return client


def read_response(client: socket.socket, buffer: bytearray) -> tuple[bytes, dict[str, str], bytes]:
    """One response from `client` (leftover bytes stay in `buffer`): status line, headers, body."""
    while b"\r\n\r\n" not in buffer:
        chunk = client.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a full response: {bytes(buffer)!r}")
        buffer += chunk
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    status, *lines = head.split(b"\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.decode("latin-1").partition(":")
        headers[name] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = bytearray(rest)
    while len(body) < length:
        chunk = client.recv(65536)
        if not chunk:
            raise ConnectionError("closed in the middle of a body")
        body += chunk
    buffer[:] = body[length:]
    return status, headers, bytes(body[:length])


def closed_by_server(client: socket.socket) -> bool:
    try:
        return client.recv(1) == b""
    except ConnectionResetError:
        return True


def exchange(port: int, raw: bytes) -> tuple[bytes, dict[str, str], bytes]:
    with connect(port) as client:
        client.sendall(raw)
        return read_response(client, bytearray())


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def test_pipelined_requests_are_answered_in_order_on_one_connection(recorder: Recorder) -> None:
    with running(recorder) as port, connect(port) as client:
        client.sendall(
            b"GET /first?a=1 HTTP/1.1\r\nHost: x\r\n\r\n"
            b"POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
            b"GET /third HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        buffer = bytearray()
        bodies = [read_response(client, buffer)[2] for _ in range(3)]
        assert bodies == [b"GET /first?a=1 0\n", b"POST /second? 3\nabc", b"GET /third? 0\n"]
        client.sendall(b"GET /fourth HTTP/1.1\r\nHost: x\r\n\r\n")  # the connection is still open
        assert read_response(client, buffer)[2] == b"GET /fourth? 0\n"


def test_no_response_is_written_before_a_commit_that_follows_its_request(recorder: Recorder) -> None:
    with running(recorder) as port:
        for n in range(1, 4):
            status, _, _ = exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert status == b"HTTP/1.1 200 OK"
            assert recorder.commits and recorder.commits[-1] >= n


def test_headers_arrive_in_order_with_duplicates_and_the_client_address(recorder: Recorder) -> None:
    with running(recorder) as port:
        exchange(
            port,
            b"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nx-a: 2\r\nX-B: caf\xc3\xa9\r\nX-"
            + b"Long" * 20
            + b": 3\r\n\r\n",
        )
    request = recorder.requests[0]
    # names are lower-cased, the long one too (names over 64 bytes bypass the server's name cache)
    assert request.headers == [
        ("host", "x"),
        ("x-a", "1"),
        ("x-a", "2"),
        ("x-b", "café"),
        ("x-" + "long" * 20, "3"),
    ]
    assert request.header("x-a") == "1,2"
    assert request.client_ip == "127.0.0.1"


def test_http_1_0_gets_one_answer_then_the_connection_closes(recorder: Recorder) -> None:
    with running(recorder) as port, connect(port) as client:
        client.sendall(b"GET /old HTTP/1.0\r\n\r\n")
        status, headers, body = read_response(client, bytearray())
        assert (status, body) == (b"HTTP/1.1 200 OK", b"GET /old? 0\n")
        assert headers["connection"] == "close"
        assert closed_by_server(client)


def test_connection_close_is_honoured_and_later_pipelined_requests_are_ignored(recorder: Recorder) -> None:
    with running(recorder) as port, connect(port) as client:
        client.sendall(
            b"GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        assert read_response(client, bytearray())[2] == b"GET /a? 0\n"
        assert closed_by_server(client)
    assert [request.raw_path for request in recorder.requests] == ["/a"]


def test_a_client_that_stops_sending_still_gets_its_answer(recorder: Recorder) -> None:
    with running(recorder) as port, connect(port) as client:
        client.sendall(b"GET /last HTTP/1.1\r\nHost: x\r\n\r\n")
        client.shutdown(socket.SHUT_WR)
        assert read_response(client, bytearray())[2] == b"GET /last? 0\n"
        assert closed_by_server(client)


class FakeTransport:
    """A transport that records what the connection does with it, for orderings a socket cannot force."""

    def __init__(self) -> None:
        self.written = b""
        self.closed = False

    def write(self, data: bytes) -> None:
        self.written += data

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def get_extra_info(self, name: str) -> object:
        return ("127.0.0.1", 50000) if name == "peername" else None


def test_end_of_input_before_the_commit_keeps_the_connection_open_for_the_answer(recorder: Recorder) -> None:
    server = HttpServer(recorder.handle, recorder.commit)
    server._loop = asyncio.new_event_loop()  # answer() schedules the batch here; the test writes it itself
    try:
        connection = Connection(server)
        transport = FakeTransport()
        connection.connection_made(transport)  # type: ignore[arg-type]
        connection.data_received(b"GET /eof HTTP/1.1\r\nHost: x\r\n\r\n")
        assert connection.eof_received() is True  # half-open: the answer is still owed
        assert transport.written == b""
        server._write_batch()
    finally:
        server._loop.close()
    assert transport.written.startswith(b"HTTP/1.1 200 OK\r\n")
    assert transport.written.endswith(b"GET /eof? 0\n")
    assert transport.closed
    assert connection.eof_received() is False  # nothing owed: the transport may close itself


def test_head_keeps_the_length_and_drops_the_body(recorder: Recorder) -> None:
    with running(recorder) as port, connect(port) as client:
        client.sendall(b"HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n")
        received = b""
        while received.count(b"\r\n\r\n") < 2:
            received += client.recv(65536)
    head, _, rest = received.partition(b"\r\n\r\n")
    assert b"content-length: 11\r\n" in head + b"\r\n"  # the length of the HEAD's echo, b"HEAD /h? 0\n"
    assert rest.startswith(b"HTTP/1.1 200 OK\r\n")  # the next response follows the head: no body in between


def test_a_chunked_body_is_reassembled(recorder: Recorder) -> None:
    raw = (
        b"PUT /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    )
    with running(recorder) as port:
        assert exchange(port, raw)[2] == b"PUT /c? 11\nhello world"


def test_expect_100_continue_gets_the_interim_answer_before_the_body_is_sent(recorder: Recorder) -> None:
    with running(recorder) as port, connect(port) as client:
        client.sendall(b"PUT /e HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        buffer = bytearray()
        status, _, _ = read_response(client, buffer)
        assert status == b"HTTP/1.1 100 Continue"
        client.sendall(b"data")
        assert read_response(client, buffer)[2] == b"PUT /e? 4\ndata"


def test_a_declared_body_over_the_limit_is_refused_without_reading_it(recorder: Recorder) -> None:
    with running(recorder, max_body_bytes=10) as port, connect(port) as client:
        client.sendall(b"PUT /big HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n")
        status, headers, _ = read_response(client, bytearray())
        assert status == b"HTTP/1.1 413 Request Entity Too Large"
        assert headers["connection"] == "close"
        assert closed_by_server(client)
    assert recorder.requests == []


def test_a_streamed_body_over_the_limit_is_refused(recorder: Recorder) -> None:
    raw = b"PUT /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + b"6\r\n123456\r\n" * 3
    with running(recorder, max_body_bytes=10) as port:
        assert exchange(port, raw)[0] == b"HTTP/1.1 413 Request Entity Too Large"
    assert recorder.requests == []


def test_oversized_headers_are_refused(recorder: Recorder) -> None:
    raw = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: " + b"a" * 70_000 + b"\r\n\r\n"
    with running(recorder) as port:
        assert exchange(port, raw)[0] == b"HTTP/1.1 431 Request Header Fields Too Large"
    assert recorder.requests == []


@pytest.mark.parametrize(
    "raw",
    [
        b"NOT HTTP AT ALL\r\n\r\n",
        b"GET / HTTP/1.1\r\nBad Header\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
    ],
)
def test_malformed_requests_get_400_and_the_connection_closes(recorder: Recorder, raw: bytes) -> None:
    with running(recorder) as port, connect(port) as client:
        client.sendall(raw)
        status, _, _ = read_response(client, bytearray())
        assert status == b"HTTP/1.1 400 Bad Request"
        assert closed_by_server(client)


def test_an_upgrade_is_answered_as_plain_http_and_the_connection_closes(recorder: Recorder) -> None:
    raw = b"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello"
    with running(recorder) as port, connect(port) as client:
        client.sendall(raw)
        assert read_response(client, bytearray())[2] == b"GET /ws? 0\n"
        assert closed_by_server(client)
    assert len(recorder.requests) == 1


def test_a_handler_failure_is_a_500_and_the_server_keeps_serving(recorder: Recorder) -> None:
    with running(recorder) as port, connect(port) as client:
        client.sendall(b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\nGET /fine HTTP/1.1\r\nHost: x\r\n\r\n")
        buffer = bytearray()
        assert read_response(client, buffer)[0] == b"HTTP/1.1 500 Internal Server Error"
        assert read_response(client, buffer)[2] == b"GET /fine? 0\n"


def test_response_headers_cannot_be_split(recorder: Recorder) -> None:
    with running(recorder) as port:
        _, headers, _ = exchange(port, b"GET /hostile HTTP/1.1\r\nHost: x\r\n\r\n")
    assert "Injected" not in headers and "injected" not in headers
    assert headers["x-note"] == "a  Injected: yes"
    assert headers["x-name"] == "café ?"
    assert headers["x-" + "long" * 20 + "  injected2"] == "b"


def test_an_idle_keep_alive_connection_is_closed(recorder: Recorder) -> None:
    with running(recorder, keepalive_s=0.1) as port, connect(port) as client:
        client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        read_response(client, bytearray())
        assert closed_by_server(client)  # the sweep runs every second; the socket's timeout is 10 s


def test_stopping_the_server_closes_open_connections(recorder: Recorder) -> None:
    client: socket.socket | None = None
    with running(recorder) as port:
        client = connect(port)
        client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        read_response(client, bytearray())
    assert client is not None
    with client:
        assert closed_by_server(client)


def test_encoding_adds_the_length_unless_given() -> None:
    def given(headers: list[tuple[str, str]]) -> bytes:
        return encode_response(HttpResponse(204, headers, b""), head=False, close=False)

    assert given([]) == b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n"
    assert given([("Content-Length", "0")]) == b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n"
    assert encode_response(HttpResponse(599, [], b"x"), head=False, close=True) == (
        b"HTTP/1.1 599 \r\ncontent-length: 1\r\nconnection: close\r\n\r\nx"
    )


def test_boto3_reconnects_after_the_server_closed_its_idle_connection(shieldwall: ServerInfo) -> None:
    """A real SDK, its pooled connection closed by the server's idle sweep (5 s) between two calls."""
    sts = shieldwall.client("sts")
    assert sts.get_caller_identity()["Account"] == "000000000000"
    time.sleep(KEEPALIVE_S + 1.5)  # past the idle limit and the sweep that enforces it
    assert sts.get_caller_identity()["Account"] == "000000000000"
