"""Step 3: the typed, validated request dict."""

from __future__ import annotations

from shieldwall.gateway.context import RequestContext
from shieldwall.gateway.runtime import Runtime
from shieldwall.protocol.parser import parse_request


def parse_params(ctx: RequestContext, rt: Runtime) -> None:
    assert ctx.route is not None
    ctx.params = parse_request(ctx.route, ctx.request, ctx.body)
