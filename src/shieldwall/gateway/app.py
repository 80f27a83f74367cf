"""The ASGI application: the request pipeline, in order, in one place.

    route → authenticate → parse → authorize → invoke → serialize → audit

Each step is a small function of (RequestContext, Runtime) in gateway/steps/. A step that fails raises an
AwsError; the pipeline stops there, the error is serialized in the called service's wire format, and the audit
event is recorded whatever happened. Anything that is not an AwsError is a bug: it is logged with its traceback
and the client gets AWS's InternalFailure, never a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from shieldwall import ids
from shieldwall.errors import AwsError, internal_error
from shieldwall.gateway import admin
from shieldwall.gateway.context import RequestContext
from shieldwall.gateway.runtime import Runtime
from shieldwall.gateway.steps.authenticate import authenticate
from shieldwall.gateway.steps.authorize import authorize_request
from shieldwall.gateway.steps.invoke import invoke
from shieldwall.gateway.steps.parse import parse_params
from shieldwall.gateway.steps.respond import record_audit_event, serialize
from shieldwall.gateway.steps.route import route_request
from shieldwall.http import HttpRequest, HttpResponse

log = logging.getLogger("shieldwall")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Step = Callable[[RequestContext, Runtime], None]

PIPELINE: tuple[Step, ...] = (route_request, authenticate, parse_params, authorize_request, invoke)

MAX_BODY_BYTES = 256 * 1024 * 1024


def handle(request: HttpRequest, rt: Runtime) -> HttpResponse:
    ctx = RequestContext(request, ids.request_id(), rt.clock.now())
    try:
        for step in PIPELINE:
            step(ctx, rt)
    except AwsError as error:
        ctx.error = error
    except Exception:
        log.exception("internal error in %s %s (request %s)", ctx.service, ctx.operation_name, ctx.request_id)
        ctx.error = internal_error()
    try:
        response = serialize(ctx, rt)
    except Exception:
        log.exception("could not serialize the response to request %s", ctx.request_id)
        ctx.error = internal_error()
        ctx.output = None
        response = serialize(ctx, rt)
    try:
        record_audit_event(ctx, rt)
    except Exception:
        log.exception("could not record the audit event of request %s", ctx.request_id)
    return response


class ShieldwallApp:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await _read_body(receive)
        if body is None:
            response = HttpResponse(413, [("Content-Type", "text/plain")], b"request body too large\n")
        else:
            request = _to_request(scope, body)
            if request.raw_path.startswith(admin.PREFIX):
                response = admin.handle(request, self.runtime)
            else:
                response = handle(request, self.runtime)
                await self.runtime.audit.committed()
        await _send(send, response, head=scope["method"] == "HEAD")

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.runtime.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _to_request(scope: Scope, body: bytes) -> HttpRequest:
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
    headers = [
        (name.decode("latin-1"), value.decode("utf-8", "surrogateescape")) for name, value in scope["headers"]
    ]
    client = scope.get("client")
    return HttpRequest(
        scope["method"],
        raw_path.decode("utf-8", "surrogateescape").split("?", 1)[0],
        scope.get("query_string", b"").decode("utf-8", "surrogateescape"),
        headers,
        body,
        client[0] if client else "",
    )


async def _send(send: Send, response: HttpResponse, head: bool) -> None:
    headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in response.headers]
    if not any(name == b"content-length" for name, _ in headers):
        headers.append((b"content-length", str(len(response.body)).encode("ascii")))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else response.body})
