"""The ceiling: an ASGI app that answers every request with a fixed GetCallerIdentity-shaped XML body.

It runs on the HTTP server settings `shieldwall serve` uses (uvicorn, uvloop, httptools, one worker, no
access log, no Server or Date header), so the gap between it and shieldwall is the cost of shieldwall's own request pipeline.
Started by the harness as ``python -m bench.ceiling --port P``.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn

Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

BODY = (
    b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    b"<GetCallerIdentityResult><Arn>arn:aws:iam::000000000000:root</Arn>"
    b"<UserId>000000000000</UserId><Account>000000000000</Account></GetCallerIdentityResult>"
    b"<ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>"
    b"</GetCallerIdentityResponse>"
)
HEADERS = [
    (b"content-type", b"text/xml"),
    (b"x-amzn-requestid", b"01234567-89ab-cdef-0123-456789abcdef"),
    (b"content-length", str(len(BODY)).encode()),
]
START = {"type": "http.response.start", "status": 200, "headers": HEADERS}
FINISH = {"type": "http.response.body", "body": BODY}


async def app(scope: Message, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await answer_lifespan(receive, send)
        return
    await drain_body(receive)
    await send(START)
    await send(FINISH)


async def drain_body(receive: Receive) -> None:
    """Read the request body as a real service must before answering, so the comparison stays fair."""
    more = True
    while more:
        message = await receive()
        more = bool(message.get("more_body", False))


async def answer_lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ceiling")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        loop="uvloop",
        http="httptools",
        workers=1,
        lifespan="on",
        access_log=False,
        log_level="warning",
        server_header=False,
        date_header=False,
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
