"""Step 1: which service and operation a request is for."""

from __future__ import annotations

from shieldwall.auth.verifier import extract_scope
from shieldwall.errors import AwsError
from shieldwall.gateway.context import RequestContext
from shieldwall.gateway.runtime import Runtime
from shieldwall.protocol.router import RoutingError, route
from shieldwall.spec.loader import protocol_of

_JSON_HINT = "x-amz-target"


def route_request(ctx: RequestContext, rt: Runtime) -> None:
    """Find the route; a routing error waits until the caller is authenticated (AWS checks the signature first)."""
    ctx.scope = extract_scope(ctx.request)
    try:
        ctx.route = route(ctx.request, ctx.scope.service if ctx.scope else None)
    except RoutingError as error:
        ctx.route_error = error
        ctx.protocol = protocol_of(error.service)
        return
    except AwsError as error:
        ctx.route_error = error
        ctx.protocol = "json" if ctx.request.header(_JSON_HINT) else "query"
        return
    ctx.protocol = protocol_of(ctx.route.service)
