"""The ceiling: `shieldwall serve`'s HTTP server answering every request with a fixed GetCallerIdentity-shaped
XML body.

It runs the HTTP server `shieldwall serve` runs (`shieldwall.gateway.http_server`: httptools, uvloop, one
process, no access log), with a handler that returns the same response every time and a commit that writes
nothing, so the gap between it and shieldwall is the cost of shieldwall's own request pipeline and audit trail.
Started by the harness as ``python -m bench.ceiling --port P``.
"""

from __future__ import annotations

import argparse

from shieldwall.cli.listen import bind
from shieldwall.gateway.http_server import HttpServer
from shieldwall.http import HttpRequest, HttpResponse

BODY = (
    b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    b"<GetCallerIdentityResult><Arn>arn:aws:iam::000000000000:root</Arn>"
    b"<UserId>000000000000</UserId><Account>000000000000</Account></GetCallerIdentityResult>"
    b"<ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>"
    b"</GetCallerIdentityResponse>"
)
RESPONSE = HttpResponse(
    200, [("Content-Type", "text/xml"), ("x-amzn-RequestId", "01234567-89ab-cdef-0123-456789abcdef")], BODY
)


def answer(request: HttpRequest) -> HttpResponse:
    return RESPONSE


def nothing_to_commit() -> None:
    return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ceiling")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    HttpServer(answer, nothing_to_commit).run_until_stopped(bind(args.host, args.port))


if __name__ == "__main__":
    main()
